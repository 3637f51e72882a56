import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_committee_marks_an_activity_at_risk_and_downloads_the_quarterly_pdf(
    page: Page,
) -> None:
    page.goto("/login?next=/monitoring")
    page.get_by_label("Tên đăng nhập").fill("committee")
    page.get_by_label("Mật khẩu").fill("demo-committee-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("plan-title")).to_contain_text("quản lý bệnh hiếm")
    expect(page.get_by_test_id("tasks")).to_contain_text("Ban hành Danh mục bệnh hiếm")

    page.get_by_test_id("timeline").get_by_role("link", name="6.1").click()
    page.get_by_test_id("status").select_option("at_risk")
    page.get_by_test_id("comment").fill("Chưa có kinh phí đối ứng")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("activity-state")).to_have_text("Có nguy cơ chậm")
    expect(page.get_by_test_id("history")).to_contain_text("Chưa có kinh phí đối ứng")

    page.goto("/monitoring")
    expect(page.get_by_test_id("at-risk")).to_contain_text("Chưa có kinh phí đối ứng")
    form = page.get_by_test_id("report-form")
    form.locator("select[name=format]").select_option("pdf")
    page.get_by_test_id("report-submit").click()
    link = page.get_by_test_id("job-file")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
