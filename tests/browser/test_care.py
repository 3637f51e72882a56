import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

POMPE = "acid maltase deficiency"


def test_a_clinician_plans_therapy_for_a_pompe_patient_and_records_an_infusion(
    page: Page,
) -> None:
    page.goto("/login?next=/registry")
    page.get_by_label("Tên đăng nhập").fill("dr.an")
    page.get_by_label("Mật khẩu").fill("demo-clinician-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    rows = page.locator("table.data tbody tr").filter(has_text=POMPE)
    links = [rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())]
    assert links, "the demo has Pompe patients at the National Children's Hospital"
    for href in links:  # the first Pompe patient without a plan
        page.goto(f"{href}/therapy")
        if "alglucosidase alfa" not in page.get_by_test_id("plans").inner_text():
            break
    else:
        pytest.fail("every demo Pompe patient already has a plan")

    form = page.get_by_test_id("plan-form")
    form.locator("select[name=drug]").select_option("alglucosidase alfa")
    form.locator("input[name=weight_kg]").fill("9")
    page.get_by_test_id("create-plan").click()
    expect(page.get_by_test_id("plans")).to_contain_text("alglucosidase alfa")
    # 9 kg × 20 mg/kg = 180 mg → 4 vials of 50 mg, every 14 days
    first = page.get_by_test_id("schedule").locator("tbody tr").first
    expect(first).to_contain_text("180")
    expect(first).to_contain_text("4")

    record = page.get_by_test_id("record-form").first
    record.locator("input[name=lot]").fill("MYZ-2611")
    page.get_by_test_id("record-dose").first.click()
    given = page.get_by_test_id("given")
    expect(given).to_contain_text("MYZ-2611")
    expect(given).to_contain_text(re.compile(r"180(\.0)? mg"))
    expect(page.get_by_test_id("dose-alert")).to_have_count(0)
