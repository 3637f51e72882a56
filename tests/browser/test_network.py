"""Issue 18's acceptance in the browser, in Vietnamese: a provincial clinician refers a patient
with suspected Pompe disease to the National Children's Hospital; NCH accepts, orders a GAA
assay, records the result and the diagnosis, and refers the patient back for infusions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
CLINICIAN_PASSWORD = "demo-clinician-2025"


def _login(page: Page, username: str, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login?next={then}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(CLINICIAN_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_suspected_pompe_patient_is_referred_diagnosed_and_referred_back(page: Page) -> None:
    today = date.today()
    # the provincial clinician registers the child and refers her to NCH
    _login(page, "dr.cuong", "/registry/new")
    page.locator("input[name=full_name]").fill("Hồ Thị Ngọc Ánh")
    page.locator("input[name=birth_date]").fill((today - timedelta(days=150)).isoformat())
    page.locator("select[name=province_code]").select_option("40")
    page.locator("input[name=first_symptoms_date]").fill((today - timedelta(days=90)).isoformat())
    page.locator("input[name=first_contact_date]").fill((today - timedelta(days=10)).isoformat())
    page.locator("input[name=orpha_code]").fill("ORPHA:365")
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("pseudonym")).to_be_visible()
    page.get_by_test_id("network-tab").click()
    page.get_by_text("Chuyển tuyến đến cơ sở khác").click()
    form = page.get_by_test_id("refer-form")
    form.locator("select[name=to_centre_code]").select_option("NCH")
    form.locator("select[name=urgency]").select_option("urgent")
    form.locator("textarea[name=reason]").fill(
        "Trẻ 5 tháng giảm trương lực cơ, bệnh cơ tim phì đại: nghi bệnh Pompe."
    )
    page.get_by_test_id("send-referral").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("đã gửi")
    referral_url = page.url

    # NCH: the referral is on its worklist; it accepts and sees the child
    _login(page, "dr.an", "/network")
    incoming = page.get_by_test_id("incoming")
    expect(incoming).to_contain_text("Bệnh viện Sản Nhi Nghệ An")
    page.goto(referral_url)
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("đã tiếp nhận")
    page.get_by_test_id("seen").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("đã khám")

    # orders the GAA assay and records its result
    page.get_by_test_id("order-test-link").click()
    page.get_by_test_id("test-select").select_option("GAA-DBS")
    page.get_by_test_id("order-test").click()
    expect(page.get_by_test_id("samples")).to_contain_text("Hoạt độ enzym GAA")
    result = page.get_by_test_id("result-form")
    result.get_by_test_id("result-text").fill("GAA 0,4 µmol/L/giờ (bình thường > 2,5)")
    result.get_by_test_id("interpretation-select").select_option("abnormal")
    page.get_by_test_id("record-result").click()
    expect(page.get_by_test_id("interpretation")).to_have_text("bất thường")

    # records the diagnosis on the record
    page.goto(referral_url)
    page.get_by_test_id("record-diagnosis-link").click()
    page.get_by_text("Ghi nhận chẩn đoán").click()
    page.get_by_test_id("disease-search").fill("ORPHA:365")
    choices = page.get_by_test_id("disease-choices")
    expect(choices).to_contain_text("acid maltase deficiency")
    choices.locator("label.choice").first.locator("input").check()
    diagnosis = page.get_by_test_id("diagnosis-form")
    diagnosis.locator("select[name=status]").select_option("confirmed")
    diagnosis.locator("input[name=gene]").fill("GAA")
    page.get_by_test_id("record-diagnosis-submit").click()
    expect(page.get_by_test_id("diagnoses")).to_contain_text("ORPHA:365")

    # returns the diagnosis and refers the child back for infusions near home
    page.goto(referral_url)
    page.get_by_test_id("outcome-form").locator("input[name=outcome]").fill(
        "Bệnh Pompe khởi phát ở trẻ nhũ nhi, GAA giảm nặng"
    )
    page.get_by_test_id("return-outcome").click()
    expect(page.get_by_test_id("referral-status")).to_have_text("đã gửi lại chẩn đoán")
    back = page.get_by_test_id("back-form")
    back.locator("select[name=to_centre_code]").select_option("NASN")
    back.locator("input[name=drug]").fill("alglucosidase alfa")
    back.locator("input[name=reason]").fill("Truyền enzym mỗi 2 tuần tại tỉnh, tái khám 6 tháng.")
    page.get_by_test_id("back-refer").click()
    expect(page.get_by_test_id("to-centre")).to_have_text("Bệnh viện Sản Nhi Nghệ An")
    expect(page.get_by_test_id("travel-what-if")).to_be_visible()

    # the provincial centre is told, in its notifications
    _login(page, "dr.cuong", "/network")
    expect(page.get_by_test_id("notifications")).to_contain_text("Bệnh viện Nhi Trung ương")
    expect(page.get_by_test_id("incoming")).to_contain_text("chuyển về tuyến dưới")
