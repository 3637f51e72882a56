import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

IDLE = "!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')"


def settle(page: Page) -> None:
    """Wait until htmx has finished its requests and swaps (as a person would)."""
    page.wait_for_timeout(50)
    page.wait_for_function(IDLE)


def pick(page: Page, text: str, term: str, button: str) -> None:
    page.get_by_test_id("hpo-search").fill(text)
    suggestion = page.get_by_test_id("suggestions").locator("li").filter(has_text=term)
    expect(suggestion).to_be_visible()
    settle(page)
    suggestion.get_by_test_id(button).click()


def test_a_clinician_builds_a_phenotype_and_reads_the_explanation(page: Page) -> None:
    page.goto("/login?next=/diagnosis")
    page.get_by_label("Tên đăng nhập").fill("dr.an")
    page.get_by_label("Mật khẩu").fill("demo-clinician-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    wanted = [
        ("hypertrophic cardiomyopathy", "HP:0001639"),
        ("generalized hypotonia", "HP:0001290"),
        ("elevated circulating creatine kinase", "HP:0003236"),
    ]
    for count, (text, term) in enumerate(wanted, start=1):
        pick(page, text, term, "add-observed")
        expect(page.get_by_test_id("observed").locator("li.chip")).to_have_count(count)
    pick(page, "seizure", "HP:0001250", "add-excluded")
    expect(page.get_by_test_id("excluded")).to_contain_text("HP:0001250")
    ranking = page.get_by_test_id("ranking")
    expect(ranking.locator("li")).to_have_count(15)
    first = ranking.locator("li").first
    first.get_by_test_id("explanation").locator("summary").click()
    expect(first.get_by_test_id("explanation")).to_contain_text("Hypertrophic cardiomyopathy")
    first.locator("a.result-title").click()
    expect(page.get_by_test_id("disease-name")).to_be_visible()
