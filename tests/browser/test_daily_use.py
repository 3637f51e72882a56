"""Issue 17's acceptance in the browser, in Vietnamese: a clinician records a diagnosis the
engine did not suggest, with its genetic finding; a data manager imports a record that may
duplicate another and merges it; an admin disables (and re-enables) a user; a list version is
approved by a second person, and one effective later is scheduled."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

HEADER = (
    "full_name,birth_date,sex,first_contact_date,diagnostic_status,contact_for_research,"
    "consent_reuse,province_code\n"
)


def _login(page: Page, username: str, password: str, then: str) -> None:
    page.goto(f"/login?next={then}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _logout(page: Page) -> None:
    page.context.clear_cookies()


def test_a_clinician_records_a_diagnosis_the_engine_did_not_suggest_with_its_gene(
    page: Page,
) -> None:
    _login(page, "dr.an", "demo-clinician-2025", "/registry")
    page.locator("table[data-testid=patients] tbody tr a").first.click()
    page.get_by_text("Ghi nhận chẩn đoán").click()
    page.get_by_test_id("disease-search").fill("E75.2")  # an ICD-10 code: Fabry and kin
    choices = page.get_by_test_id("disease-choices")
    expect(choices).to_contain_text("Fabry")
    choices.locator("label.choice").filter(has_text="Fabry").first.locator("input").check()
    form = page.get_by_test_id("diagnosis-form")
    form.locator("select[name=status]").select_option("confirmed")
    form.locator("input[name=gene]").fill("GLA")
    form.locator("input[name=variant]").fill("NM_000169.3:c.644A>G")
    form.locator("select[name=zygosity]").select_option("hemizygous")
    form.locator("select[name=classification]").select_option("pathogenic")
    page.get_by_test_id("record-diagnosis-submit").click()
    diagnoses = page.get_by_test_id("diagnoses")
    expect(diagnoses).to_contain_text("Fabry")
    expect(diagnoses).to_contain_text("GLA")
    expect(page.get_by_test_id("disease")).to_contain_text("Fabry")


def _import(page: Page, name: str) -> None:
    page.goto("/registry")
    page.get_by_test_id("import-form").locator("input[type=file]").set_input_files(
        {
            "name": "benh-nhan.csv",
            "mimeType": "text/csv",
            "buffer": (
                HEADER + f"{name},2019-04-12,male,2021-02-01,suspected,no,yes,01\n"
            ).encode(),
        }
    )
    page.get_by_test_id("import-form").get_by_role("button", name="Nhập").click()
    expect(page.get_by_test_id("job")).to_have_attribute("data-status", "done", timeout=30_000)


def test_a_data_manager_imports_a_possible_duplicate_and_merges_it(page: Page) -> None:
    _login(page, "data.an", "demo-datamgr-2025", "/registry")
    _import(page, "Hoàng Văn Lân")
    _import(page, "Hoàng Văn Lan")  # the same child, the name typed without its accent
    page.goto("/registry/duplicates")
    row = (
        page.get_by_test_id("duplicates")
        .locator("tbody tr")
        .filter(has=page.get_by_test_id("merge"))
        .last
    )
    row.locator("form[action$='/merge'] input[name=reason]").fill("cùng một trẻ, gõ sai dấu tên")
    row.get_by_test_id("merge").click()
    expect(page.get_by_test_id("merged")).to_contain_text("đã được gộp")


def test_an_admin_disables_and_enables_a_user(page: Page) -> None:
    _login(page, "admin", "demo-admin-2025", "/admin/users")
    page.get_by_test_id("toggle-dr.binh").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    expect(page.get_by_test_id("user-dr.binh")).to_contain_text("đã vô hiệu hoá")
    page.get_by_test_id("toggle-dr.binh").click()  # the other tests log in as dr.binh
    expect(page.get_by_test_id("user-dr.binh")).not_to_contain_text("đã vô hiệu hoá")


def test_a_second_person_approves_a_list_that_takes_effect_next_year(page: Page) -> None:
    _login(page, "analyst", "demo-analyst-2025", "/lists/drugs")
    next_year = date(date.today().year + 1, 1, 1).isoformat()
    form = page.locator("form[action='/lists/drugs']")
    form.locator("input[name=title]").fill("Danh mục thuốc hiếm 2027 (thử)")
    form.locator("input[name=decision_number]").fill("99/QĐ-BYT")
    form.locator("input[name=effective_from]").fill(next_year)
    form.locator("select[name=copy_from]").select_option(index=1)
    form.get_by_role("button", name="Tạo bản dự thảo").click()
    expect(page.get_by_test_id("approve")).to_be_disabled()  # the analyst edited it
    draft = page.url
    _logout(page)
    _login(page, "admin", "demo-admin-2025", draft.split("://", 1)[1].split("/", 1)[1])
    page.goto(draft)
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_contain_text("Đã phê duyệt, chờ hiệu lực")
    expect(page.get_by_test_id("scheduled")).to_contain_text("01/01/")
