import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_clinician_logs_in_switches_language_and_logs_out(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("lang-current")).to_have_text("VI")
    page.get_by_test_id("login-link").click()
    page.get_by_label("Tên đăng nhập").fill("dr.an")
    page.get_by_label("Mật khẩu").fill("demo-clinician-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("who")).to_have_text("BS. Nguyễn Văn An")

    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("lang-current")).to_have_text("EN")
    expect(page.get_by_role("navigation", name="Modules")).to_contain_text("Catalogue")

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-link")).to_have_text("Log in")
    page.goto("/account")
    assert "/login" in page.url


def test_a_wrong_password_is_explained(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill("dr.an")
    page.get_by_label("Mật khẩu").fill("wrong-password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("Sai tên đăng nhập")
