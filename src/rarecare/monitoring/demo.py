"""Illustrative demonstration content for the steering committee's workspace: the key tasks of
the National Action Plan on Rare Disease Management 2025–2026 (Decision 2885/QĐ-BYT,
12 Sep 2025) as the plan states them, with plausible activities, owners and deadlines (some
late), the committee set up by Decision 337/QĐ-BYT (25 Jan 2025), a meeting, the seminar of
16 Sep 2025 and the demo national disease list linked to "issue the list". Activities, members
and figures are illustrative, not the Ministry's records; every title says so."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.monitoring import committee, events, service
from rarecare.monitoring.models import (
    ActivityStatus,
    Audience,
    EventKind,
    MemberRole,
    OrgKind,
    Plan,
)
from rarecare.monitoring.schemas import (
    ActivityIn,
    EventIn,
    MeetingIn,
    MemberIn,
    OrganisationIn,
    PlanIn,
)
from rarecare.outputs import OutputKind

ILLUSTRATIVE = " (minh hoạ)"

ORGANISATIONS = (
    (
        "MSA",
        "Cục Quản lý Khám, chữa bệnh",
        "Medical Services Administration",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    ("HID", "Vụ Bảo hiểm y tế", "Health Insurance Department", OrgKind.MINISTRY_DEPARTMENT, None),
    (
        "DAV",
        "Cục Quản lý Dược",
        "Drug Administration of Vietnam",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    ("LEGAL", "Vụ Pháp chế", "Legal Department", OrgKind.MINISTRY_DEPARTMENT, None),
    (
        "PF",
        "Vụ Kế hoạch - Tài chính",
        "Department of Planning and Finance",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    (
        "COMM",
        "Vụ Truyền thông và Thi đua, khen thưởng",
        "Department of Communication and Emulation",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    (
        "ASTT",
        "Cục Khoa học công nghệ và Đào tạo",
        "Administration of Science, Technology and Training",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    (
        "ICD",
        "Vụ Hợp tác quốc tế",
        "Department of International Cooperation",
        OrgKind.MINISTRY_DEPARTMENT,
        None,
    ),
    ("VMA", "Tổng hội Y học Việt Nam", "Vietnam Medical Association", OrgKind.ASSOCIATION, None),
    (
        "NCH",
        "Bệnh viện Nhi Trung ương",
        "Vietnam National Children's Hospital",
        OrgKind.HOSPITAL,
        "NCH",
    ),
    ("CH1", "Bệnh viện Nhi Đồng 1", "Children's Hospital 1", OrgKind.HOSPITAL, "CH1"),
    ("HN-DOH", "Sở Y tế Hà Nội", "Hanoi Department of Health", OrgKind.PROVINCIAL_HEALTH, None),
    (
        "PATIENTS",
        "Mạng lưới gia đình người bệnh hiếm" + ILLUSTRATIVE,
        "Rare disease families network (illustrative)",
        OrgKind.PATIENT_ORGANISATION,
        None,
    ),
    ("WHO-VN", "Tổ chức Y tế Thế giới tại Việt Nam", "WHO Viet Nam", OrgKind.INTERNATIONAL, None),
)

# (key task, [(code, title, lead, partners, start, deadline, status, % done, output kind)])
OBJECTIVE = "Tăng cường quản lý bệnh hiếm giai đoạn 2025–2026"
Row = tuple[str, str, str, tuple[str, ...], date, date, ActivityStatus, int, OutputKind | None]
TASKS: tuple[tuple[str, str, tuple[Row, ...]], ...] = (
    (
        "1",
        "Hoàn thiện thể chế, rà soát văn bản quy phạm pháp luật",
        (
            (
                "1.1",
                "Rà soát văn bản quy phạm pháp luật liên quan đến bệnh hiếm",
                "LEGAL",
                ("MSA",),
                date(2025, 10, 1),
                date(2026, 3, 31),
                ActivityStatus.DONE,
                100,
                None,
            ),
            (
                "1.2",
                "Dự thảo quy chế phối hợp giữa các cơ sở chuyên sâu về bệnh hiếm",
                "MSA",
                ("NCH", "CH1"),
                date(2026, 1, 1),
                date(2026, 9, 30),
                ActivityStatus.AT_RISK,
                60,
                None,
            ),
        ),
    ),
    (
        "2",
        "Ban hành Danh mục bệnh hiếm",
        (
            (
                "2.1",
                "Ban hành Danh mục bệnh hiếm quốc gia",
                "MSA",
                ("VMA", "NCH"),
                date(2025, 9, 15),
                date(2026, 6, 30),
                ActivityStatus.ON_TRACK,
                70,
                OutputKind.DISEASE_LIST,
            ),
        ),
    ),
    (
        "3",
        "Cập nhật hướng dẫn chẩn đoán, điều trị và quản lý bệnh hiếm",
        (
            (
                "3.1",
                "Cập nhật hướng dẫn chẩn đoán và điều trị bệnh Pompe",
                "NCH",
                ("MSA",),
                date(2025, 11, 1),
                date(2026, 10, 31),
                ActivityStatus.ON_TRACK,
                50,
                OutputKind.GUIDELINE,
            ),
            (
                "3.2",
                "Xây dựng quy trình sàng lọc sơ sinh mở rộng",
                "CH1",
                ("MSA",),
                date(2026, 1, 15),
                date(2026, 12, 31),
                ActivityStatus.NOT_STARTED,
                0,
                None,
            ),
        ),
    ),
    (
        "4",
        "Thông tư sửa đổi Danh mục thuốc hiếm",
        (
            (
                "4.1",
                "Dự thảo Thông tư sửa đổi, bổ sung Danh mục thuốc hiếm",
                "DAV",
                ("HID",),
                date(2025, 10, 1),
                date(2026, 6, 30),
                ActivityStatus.DELAYED,
                40,
                OutputKind.DRUG_LIST,
            ),
        ),
    ),
    (
        "5",
        "Truyền thông nâng cao nhận thức của người dân và nhân viên y tế",
        (
            (
                "5.1",
                "Hội thảo về quản lý bệnh hiếm",
                "MSA",
                ("VMA", "WHO-VN"),
                date(2025, 9, 1),
                date(2025, 9, 30),
                ActivityStatus.DONE,
                100,
                None,
            ),
            (
                "5.2",
                "Tập huấn phát hiện sớm bệnh hiếm cho tuyến tỉnh",
                "NCH",
                ("HN-DOH",),
                date(2026, 3, 1),
                date(2026, 11, 30),
                ActivityStatus.ON_TRACK,
                80,
                None,
            ),
            (
                "5.3",
                "Chiến dịch truyền thông Ngày Bệnh hiếm 2026",
                "COMM",
                ("PATIENTS",),
                date(2026, 1, 15),
                date(2026, 2, 28),
                ActivityStatus.DONE,
                100,
                None,
            ),
        ),
    ),
    (
        "6",
        "Nghiên cứu khoa học và hợp tác quốc tế",
        (
            (
                "6.1",
                "Tham gia mạng lưới đăng ký bệnh hiếm quốc tế",
                "ICD",
                ("ASTT", "WHO-VN"),
                date(2026, 1, 1),
                date(2026, 12, 31),
                ActivityStatus.ON_TRACK,
                30,
                None,
            ),
        ),
    ),
    (
        "7",
        "Cơ chế tài chính cho thuốc điều trị bệnh hiếm",
        (
            (
                "7.1",
                "Đề xuất cơ chế chi trả bảo hiểm y tế cho thuốc hiếm",
                "HID",
                ("PF", "DAV"),
                date(2025, 12, 1),
                date(2026, 9, 30),
                ActivityStatus.AT_RISK,
                35,
                None,
            ),
        ),
    ),
)


def load(*, session: Session, disease_list_id: int | None) -> dict[str, int]:
    """Create the illustrative workspace once (running it again changes nothing)."""
    if session.scalar(select(Plan.id).where(Plan.code == "NAP-RD-2025-2026")):
        return {"plan activities": 0}
    known = {o.code for o in service.organisations(session=session)}
    for code, name, name_en, kind, centre in ORGANISATIONS:
        if code not in known:
            service.create_organisation(
                session=session,
                principal=SYSTEM,
                data=OrganisationIn(
                    code=code, name=name, name_en=name_en, kind=kind, centre_code=centre
                ),
            )
    plan = service.create_plan(
        session=session,
        principal=SYSTEM,
        data=PlanIn(
            code="NAP-RD-2025-2026",
            title="Kế hoạch hành động quốc gia về quản lý bệnh hiếm giai đoạn 2025–2026",
            decision_number="2885/QĐ-BYT",
            decision_date=date(2025, 9, 12),
            issuing_body="Bộ Y tế",
            period_start=date(2025, 9, 12),
            period_end=date(2026, 12, 31),
        ),
    )
    plan.is_demo = True
    objective = service.add_objective(
        session=session, principal=SYSTEM, plan_id=plan.id, title=OBJECTIVE
    )
    count = 0
    for task_code, task_title, rows in TASKS:
        task = service.add_task(
            session=session,
            principal=SYSTEM,
            objective_id=objective.id,
            code=task_code,
            title=task_title,
        )
        for code, title, lead, partners, start, deadline, status, percent, output in rows:
            service.create_activity(
                session=session,
                principal=SYSTEM,
                data=ActivityIn(
                    task_id=task.id,
                    code=code,
                    title=title + ILLUSTRATIVE,
                    lead_code=lead,
                    partner_codes=list(partners),
                    start_date=start,
                    deadline=deadline,
                    status=status,
                    percent_done=percent,
                    output_kind=output,
                    output_ref=disease_list_id if output is OutputKind.DISEASE_LIST else None,
                ),
            )
            count += 1
    if disease_list_id is not None:  # the demo list is approved already: its activity is done
        service.complete_linked(
            session=session,
            kind=OutputKind.DISEASE_LIST,
            ref=disease_list_id,
            on=date(2025, 12, 15),
            by="demo-data",
        )
    _committee(session)
    events.add_event(
        session=session,
        principal=SYSTEM,
        data=EventIn(
            kind=EventKind.SEMINAR,
            title="Hội thảo về quản lý bệnh hiếm tại Việt Nam",
            organiser_code="MSA",
            audience=Audience.MIXED,
            province_code="01",
            held_on=date(2025, 9, 16),
            participants=150,
            materials="Kế hoạch hành động 2025–2026; kinh nghiệm quốc tế" + ILLUSTRATIVE,
            activity_id=_activity_id(session, "5.1"),
        ),
    )
    events.add_event(
        session=session,
        principal=SYSTEM,
        data=EventIn(
            kind=EventKind.TRAINING,
            title="Tập huấn phát hiện sớm bệnh Pompe cho bác sĩ nhi tuyến tỉnh" + ILLUSTRATIVE,
            organiser_code="NCH",
            audience=Audience.CLINICIANS,
            province_code="40",
            held_on=date(2026, 5, 20),
            participants=45,
            activity_id=_activity_id(session, "5.2"),
        ),
    )
    events.add_event(
        session=session,
        principal=SYSTEM,
        data=EventIn(
            kind=EventKind.CAMPAIGN,
            title="Ngày Bệnh hiếm 2026: truyền thông cộng đồng" + ILLUSTRATIVE,
            organiser_code="COMM",
            audience=Audience.PUBLIC,
            held_on=date(2026, 2, 28),
            participants=0,
            activity_id=_activity_id(session, "5.3"),
        ),
    )
    return {"plan activities": count}


def _activity_id(session: Session, code: str) -> int | None:
    found = [a.id for a in service.activities(session=session, principal=SYSTEM) if a.code == code]
    return found[0] if found else None


def _committee(session: Session) -> None:
    members = [
        committee.add_member(
            session=session,
            principal=SYSTEM,
            data=MemberIn(
                name=name,
                title=title,
                organisation_code=org,
                role=role,
                term_start=date(2025, 1, 25),
            ),
        )
        for name, title, org, role in (
            ("Thứ trưởng Bộ Y tế" + ILLUSTRATIVE, "Trưởng ban", "MSA", MemberRole.CHAIR),
            (
                "Cục trưởng Cục Quản lý Khám, chữa bệnh" + ILLUSTRATIVE,
                "Phó trưởng ban",
                "MSA",
                MemberRole.VICE_CHAIR,
            ),
            ("Vụ trưởng Vụ Bảo hiểm y tế" + ILLUSTRATIVE, "Thành viên", "HID", MemberRole.MEMBER),
            ("Cục trưởng Cục Quản lý Dược" + ILLUSTRATIVE, "Thành viên", "DAV", MemberRole.MEMBER),
            (
                "Giám đốc Bệnh viện Nhi Trung ương" + ILLUSTRATIVE,
                "Thành viên",
                "NCH",
                MemberRole.MEMBER,
            ),
            (
                "Chuyên viên Cục Quản lý Khám, chữa bệnh" + ILLUSTRATIVE,
                "Thư ký",
                "MSA",
                MemberRole.SECRETARY,
            ),
        )
    ]
    meeting = committee.add_meeting(
        session=session,
        principal=SYSTEM,
        data=MeetingIn(
            held_on=date(2026, 4, 10),
            title="Họp Ban chỉ đạo quý I/2026" + ILLUSTRATIVE,
            agenda="1. Tiến độ Kế hoạch hành động\n2. Danh mục thuốc hiếm\n3. Cơ chế tài chính",
            attendance=[m.id for m in members[:5]],
            decisions=[
                "Đẩy nhanh dự thảo Thông tư sửa đổi Danh mục thuốc hiếm, trình trong quý III/2026",
                "Giao Vụ Bảo hiểm y tế đề xuất cơ chế chi trả cho thuốc hiếm",
            ],
        ),
    )
    follow = {"4.1": meeting.decisions[0].id, "7.1": meeting.decisions[1].id}
    for activity in service.activities(session=session, principal=SYSTEM):
        if activity.code in follow:
            activity.decision_id = follow[activity.code]
    session.flush()
