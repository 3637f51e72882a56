import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_clinician_registers_a_patient_and_confirms_a_suggested_diagnosis(page: Page) -> None:
    page.goto("/login?next=/registry")
    page.get_by_label("Tên đăng nhập").fill("dr.an")
    page.get_by_label("Mật khẩu").fill("demo-clinician-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_test_id("new-patient").click()
    page.get_by_label("Họ và tên").fill("Phạm Minh Khoa")
    page.get_by_label("Ngày sinh").fill("2023-05-02")
    page.get_by_label("Số CCCD").fill("001223004567")
    page.get_by_label("Giới tính").select_option("male")
    page.get_by_label("Liên hệ chuyên khoa lần đầu").fill("2023-09-01")
    page.get_by_label("Đồng ý được liên hệ cho nghiên cứu").check()
    page.get_by_label("Đồng ý tái sử dụng dữ liệu").check()
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("pseudonym")).to_contain_text("RC-")
    expect(page.locator("body")).not_to_contain_text("Phạm Minh Khoa")

    for text, term in (
        ("hypertrophic cardiomyopathy", "HP:0001639"),
        ("generalized hypotonia", "HP:0001290"),
        ("macroglossia", "HP:0000158"),
        ("hepatomegaly", "HP:0002240"),
        ("elevated circulating creatine kinase", "HP:0003236"),
    ):
        page.get_by_test_id("hpo-search").fill(text)
        suggestion = page.get_by_test_id("suggestions").locator("li").filter(has_text=term)
        suggestion.get_by_test_id("add-observed").click()
        expect(page.get_by_test_id("phenotypes")).to_contain_text(term)

    suggested = page.get_by_test_id("suggested").locator("li")
    expect(suggested.first).to_be_visible()
    pompe = (
        suggested.filter(has_text="ORPHA:365").or_(suggested.filter(has_text="ORPHA:308552")).first
    )
    pompe.get_by_test_id("record-confirmed").click()
    expect(page.get_by_test_id("diagnoses")).to_contain_text("E74.0")
    expect(page.get_by_test_id("disease")).to_contain_text(
        "Glycogen storage disease due to acid maltase deficiency"
    )
