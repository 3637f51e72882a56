import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_visitor_searches_pompe_and_opens_its_page(page: Page) -> None:
    page.goto("/catalogue")
    page.get_by_test_id("catalogue-search").fill("pompe")
    first = page.get_by_test_id("results").locator("li").first
    expect(first).to_contain_text("ORPHA:365")
    expect(first).to_contain_text("Bệnh Pompe")  # the demo national list's Vietnamese name
    first.get_by_role("link").first.click()
    expect(page.get_by_test_id("disease-name")).to_have_text(
        "Glycogen storage disease due to acid maltase deficiency"
    )
    expect(page.get_by_test_id("on-list")).to_be_visible()
    expect(page.get_by_test_id("icd10")).to_contain_text("E74.0")
