"""The public portal in the browser: a visitor on a phone finds Pompe disease without typing
diacritics, reads what insurance covers, sees the centres on the map and the patient
organisation; the same in English; axe-core finds no serious or critical WCAG 2.1 AA
violation on the public pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

AXE = next((Path(__file__).parent / "vendor").glob("axe-*.min.js"))
PUBLIC_PAGES = (
    "/public",
    "/public/search?q=benh+pompe",
    "/public/diseases/ORPHA:365",
    "/public/centres",
    "/public/guides",
    "/public/news",
    "/public/statistics",
    "/public/pages/chuyen-tuyen-va-bao-hiem",
)


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Page:
    # bypass_csp: the app allows no inline script, and axe is injected as one
    context = browser.new_context(
        base_url=live_server,
        locale="vi-VN",
        viewport={"width": 375, "height": 740},
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _finds_pompe(page: Page, title: str) -> None:
    page.goto("/public")
    page.get_by_test_id("portal-search").fill("benh pompe")
    first = page.get_by_test_id("portal-results").locator("li").first
    expect(first).to_contain_text("Pompe")
    first.get_by_role("link").first.click()
    expect(page.get_by_test_id("disease-title")).to_contain_text(title)


def test_a_parent_on_a_phone_finds_pompe_and_where_to_go(phone: Page) -> None:
    _finds_pompe(phone, "Bệnh Pompe")
    expect(phone.get_by_test_id("coverage")).to_contain_text("100%")
    expect(phone.get_by_test_id("coverage")).to_contain_text("chuyển tuyến")
    expect(phone.get_by_test_id("centres-map").locator("circle").first).to_be_visible()
    expect(phone.get_by_test_id("organisations")).not_to_be_empty()
    expect(phone.get_by_test_id("summary")).to_contain_text("minh họa")  # demo text, marked
    # nothing wider than the phone's screen
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


def test_the_same_in_english(phone: Page) -> None:
    phone.goto("/lang/en?next=/public")
    _finds_pompe(phone, "acid maltase deficiency")  # Orphanet's English name
    expect(phone.get_by_test_id("coverage")).to_contain_text("with or without a referral")
    expect(phone.get_by_test_id("organisations")).not_to_be_empty()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_pass_axe(phone: Page, path: str) -> None:
    phone.goto(path)
    phone.add_script_tag(path=str(AXE))
    result = phone.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert result["passes"], "axe checked nothing"
    assert not serious, serious
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (path, width)
