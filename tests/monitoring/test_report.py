"""The quarterly report: the plan's progress per key task, the quarter's changes, decisions
and events — as a PDF whose text (Vietnamese diacritics included) can be extracted, and as an
XLSX workbook with one sheet per section."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from rarecare.errors import PermissionDenied, ValidationFailed
from rarecare.monitoring import committee, events, report, service
from rarecare.monitoring.models import ActivityChange, ActivityStatus, Audience, EventKind
from rarecare.monitoring.schemas import ActivityChangeIn, EventIn, MeetingIn

from .conftest import PlanWorld


def test_a_quarter_is_its_three_months() -> None:
    assert report.quarter("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert report.quarter("2025q4") == (date(2025, 10, 1), date(2025, 12, 31))
    with pytest.raises(ValidationFailed):
        report.quarter("2026-03")


def _quarter_content(db: Session, world: PlanWorld) -> report.QuarterlyReport:
    service.update_activity(
        session=db,
        principal=world.committee,
        activity_id=world.led_by_a.id,
        data=ActivityChangeIn(status=ActivityStatus.AT_RISK, comment="Thiếu chuyên gia di truyền"),
    )
    for change in db.query(ActivityChange).all():  # the change happened in the quarter
        change.at = change.at.replace(year=2026, month=2, day=10)
    meeting = committee.add_meeting(
        session=db,
        principal=world.committee,
        data=MeetingIn(
            held_on=date(2026, 3, 20),
            title="Họp Ban chỉ đạo quý I",
            decisions=["Đẩy nhanh việc ban hành Danh mục bệnh hiếm"],
        ),
    )
    world.list_activity.decision_id = meeting.decisions[0].id
    events.add_event(
        session=db,
        principal=world.committee,
        data=EventIn(
            kind=EventKind.TRAINING,
            title="Tập huấn sàng lọc sơ sinh",
            organiser_code="HOSP-A",
            audience=Audience.NURSES,
            province_code="01",
            held_on=date(2026, 2, 28),
            participants=1250,
        ),
    )
    db.flush()
    return report.quarterly(
        session=db, principal=world.cast.analyst, period="2026Q1", today=date(2026, 5, 1)
    )


def test_the_pdf_reads_in_vietnamese_with_every_section(db: Session, world: PlanWorld) -> None:
    content = _quarter_content(db, world)
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(report.to_pdf(content, "vi"))).pages
    )
    for expected in (
        "Báo cáo quý của Ban chỉ đạo · 2026Q1",
        "Kế hoạch hành động quốc gia về quản lý bệnh hiếm",
        "Tiến độ Kế hoạch hành động theo nhiệm vụ trọng tâm",
        "2. Danh mục",
        "Thiếu chuyên gia di truyền",
        "Đẩy nhanh việc ban hành Danh mục bệnh hiếm",
        "Tập huấn sàng lọc sơ sinh",
        "1.250",
    ):
        assert expected in text, expected
    assert "Các chỉ số quốc gia so với mục tiêu" in text
    english = PdfReader(io.BytesIO(report.to_pdf(content, "en"))).pages[0].extract_text()
    assert "Quarterly report of the steering committee" in english


def test_the_xlsx_has_one_sheet_per_section(db: Session, world: PlanWorld) -> None:
    content = _quarter_content(db, world)
    book = load_workbook(io.BytesIO(report.to_xlsx(content, "vi")))
    assert book.sheetnames == ["Báo cáo", "Tiến độ", "Thay đổi", "Quyết định", "Chỉ số", "Sự kiện"]
    progress = list(book.worksheets[1].iter_rows(values_only=True))
    assert progress[0][:4] == ("Mã", "Nhiệm vụ trọng tâm", "Hoạt động", "Tỷ lệ hoàn thành")
    assert progress[1][:4] == ("2", "Danh mục", 3, 13)
    changes = list(book.worksheets[2].iter_rows(values_only=True))
    assert changes[1][3:5] == ("Đúng tiến độ", "Có nguy cơ chậm")
    decisions = list(book.worksheets[3].iter_rows(values_only=True))
    assert decisions[1][2] == "Đẩy nhanh việc ban hành Danh mục bệnh hiếm"
    assert decisions[1][3] == "2.1 Hoạt động 2.1"
    figures = {row[0]: row[1:] for row in book["Chỉ số"].iter_rows(values_only=True)}
    assert figures["Người bệnh được đăng ký"][0] is None  # not computed for the quarter
    assert figures["Hoạt động của kế hoạch hoàn thành đúng hạn"][2:4] == (80, 2026)
    events_sheet = list(book.worksheets[5].iter_rows(values_only=True))
    assert events_sheet[1][2:] == ("Tập huấn sàng lọc sơ sinh", "Điều dưỡng", "01", 1250)


def test_centre_staff_get_no_report(db: Session, world: PlanWorld) -> None:
    with pytest.raises(PermissionDenied):
        report.quarterly(session=db, principal=world.cast.clinician_a, period="2026Q1")
