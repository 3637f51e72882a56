import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_analyst_reads_the_map_drills_into_a_province_and_downloads_the_csv(
    page: Page,
) -> None:
    page.goto("/login?next=/monitoring/indicators")
    page.get_by_label("Tên đăng nhập").fill("analyst")
    page.get_by_label("Mật khẩu").fill("demo-analyst-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Chỉ số quốc gia")).to_be_visible()
    expect(page.get_by_test_id("tiles")).to_contain_text("Người bệnh được đăng ký")
    map_ = page.get_by_test_id("map")
    expect(map_).to_have_attribute("data-ready", "true", timeout=20_000)
    assert map_.locator("canvas").count() >= 1  # ECharts drew the provinces
    expect(page.get_by_test_id("series").locator("canvas")).to_have_count(1)

    page.get_by_test_id("map-table").locator("summary").click()
    page.get_by_test_id("map-table").get_by_role("link", name="Hà Nội").click()
    expect(page.get_by_test_id("province-name")).to_contain_text("Hà Nội")
    expect(page.get_by_test_id("province-figures")).to_contain_text("Toàn quốc")

    page.get_by_role("link", name="Người bệnh được đăng ký").first.click()
    expect(page.get_by_test_id("definition")).to_contain_text("Tử số")
    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        text = saved.read()
    assert text.startswith("indicator,period,breakdown,key,numerator")
    assert re.search(r"registered,\d{4}Q\d,province,01,", text)

    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("heading", name="Registered patients")).to_be_visible()
