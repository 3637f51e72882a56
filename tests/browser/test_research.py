"""Issue 19's acceptance in the browser, in Vietnamese: a researcher writes a data access
request for a Pompe cohort and sees its suppressed feasibility count; the data access
committee approves it and releases the extract; the researcher downloads it."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n% a study document\n%%EOF\n"


def _login(page: Page, username: str, password: str, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login?next={then}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_researcher_requests_data_the_committee_approves_and_the_extract_is_downloaded(
    page: Page,
) -> None:
    _login(page, "researcher", "demo-research-2025", "/research")
    page.get_by_test_id("new-request").click()
    form = page.get_by_test_id("request-form")
    form.get_by_test_id("organisation").select_option("HMU")
    form.get_by_test_id("title").fill("Thời gian chẩn đoán bệnh Pompe")
    form.get_by_test_id("purpose").fill(
        "Đo thời gian từ triệu chứng đầu tiên đến chẩn đoán bệnh Pompe ở Việt Nam."
    )
    form.get_by_test_id("orpha-codes").fill("ORPHA:365")
    form.get_by_test_id("variable-diagnostic_delay_days").check()
    form.get_by_test_id("variable-province").check()
    page.get_by_test_id("save-request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Dự thảo")
    # a handful of demo Pompe patients consent: the count is suppressed
    expect(page.get_by_test_id("feasibility")).to_contain_text("<5")
    for kind in ("protocol", "ethics"):
        documents = page.get_by_test_id("document-form")
        documents.get_by_test_id("document-kind").select_option(kind)
        documents.get_by_test_id("document-file").set_input_files(
            {"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_test_id("upload-document").click()
    expect(page.get_by_test_id("documents")).to_contain_text("ethics.pdf")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Đã gửi")
    request_url = page.url
    request_path = "/" + request_url.split("/", 3)[3]

    # the steering committee's secretary sits on the data access committee
    _login(page, "committee", "demo-committee-2025", "/research")
    expect(page.get_by_test_id("queue")).to_contain_text("Thời gian chẩn đoán bệnh Pompe")
    page.goto(request_url)
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Đang xem xét")
    page.get_by_test_id("handling-month").check()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("request-status")).to_have_text("Đã phê duyệt")
    expect(page.get_by_test_id("conditions")).to_contain_text("không tìm cách định danh lại")
    page.get_by_test_id("release").click()  # a background job, followed on the page
    expect(page.get_by_test_id("job")).to_have_attribute("data-status", "done", timeout=60_000)
    page.reload()
    expect(page.get_by_test_id("request-status")).to_have_text("Đã cấp dữ liệu trích xuất")
    expect(page.get_by_test_id("download-extract")).to_have_count(0)  # not theirs

    # the researcher downloads the extract: requested columns only, a manifest
    _login(page, "researcher", "demo-research-2025", request_path)
    with page.expect_download() as download:
        page.get_by_test_id("download-extract").click()
    archive = zipfile.ZipFile(download.value.path())
    header = archive.read("extract.csv").decode().splitlines()[0]
    assert header == "subject_id,sex,province,diagnostic_delay_days"  # sex: ticked by default
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["date_handling"] == "month"
    assert manifest["consents_required"] == ["research"]
    page.reload()
    expect(page.get_by_test_id("extract-facts")).to_contain_text("đã tải 1 lần")
