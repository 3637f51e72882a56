"""The action plan: every change kept as history and audited, linked outputs complete their
activity on approval, and each role sees and changes only what it may."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rarecare.guidelines import service as guidelines
from rarecare.guidelines.models import GuidelineStatus
from rarecare.guidelines.schemas import GuidelineIn
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind
from rarecare.lists.schemas import VersionIn
from rarecare.monitoring import service
from rarecare.monitoring.models import ActivityStatus
from rarecare.monitoring.schemas import ActivityChangeIn, ActivityIn
from rarecare.outputs import OutputKind
from rarecare.registry import service as registry
from tests.lists.test_service import GOOD as LIST_FILE

from .conftest import TODAY, PlanWorld


def test_a_change_is_kept_as_history_with_who_when_old_and_new_and_audited(
    db: Session, world: PlanWorld
) -> None:
    service.update_activity(
        session=db,
        principal=world.committee,
        activity_id=world.led_by_a.id,
        data=ActivityChangeIn(status=ActivityStatus.AT_RISK, comment="Thiếu chuyên gia"),
    )
    [change] = service.history(session=db, principal=world.committee, activity_id=world.led_by_a.id)
    assert (change.by, change.field, change.old, change.new, change.comment) == (
        "secretary",
        "status",
        "on_track",
        "at_risk",
        "Thiếu chuyên gia",
    )
    assert world.led_by_a.comment == "Thiếu chuyên gia"
    audited = db.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "plan_activity", AuditEvent.action == "update"
        )
    ).all()
    assert [e.detail for e in audited] == [{"status": "at_risk", "comment": True}]


def test_marking_done_stamps_the_day_and_reopening_clears_it(db: Session, world: PlanWorld) -> None:
    def set_status(status: ActivityStatus) -> None:
        service.update_activity(
            session=db,
            principal=world.committee,
            activity_id=world.led_by_a.id,
            data=ActivityChangeIn(status=status),
            today=TODAY,
        )

    set_status(ActivityStatus.DONE)
    assert (world.led_by_a.done_on, world.led_by_a.percent_done) == (TODAY, 100)
    set_status(ActivityStatus.ON_TRACK)
    assert world.led_by_a.done_on is None


def test_approving_the_linked_output_completes_the_activity_with_the_link_as_evidence(
    db: Session, world: PlanWorld, kb: KnowledgeBase
) -> None:
    version = lists.create_version(
        session=db,
        principal=world.cast.analyst,
        kind=ListKind.DISEASES,
        data=VersionIn(
            title="Danh mục bệnh hiếm", decision_number="1/QĐ-BYT", effective_from=date(2026, 1, 1)
        ),
    )
    lists.import_file(
        session=db,
        principal=world.cast.analyst,
        kb=kb,
        version_id=version.id,
        content=LIST_FILE.encode(),
        filename="list.csv",
    )
    assert world.list_activity.status is ActivityStatus.NOT_STARTED
    lists.approve(session=db, principal=world.cast.admin, version_id=version.id)  # four eyes
    activity = world.list_activity
    assert activity.status is ActivityStatus.DONE and activity.percent_done == 100
    assert version.approved_at is not None and activity.done_on == version.approved_at.date()
    assert activity.output_ref == version.id
    db.refresh(activity)
    assert [e.url for e in activity.evidence] == [f"/lists/versions/{version.id}"]
    assert {c.by for c in activity.history} == {"system"}
    assert world.led_by_a.status is ActivityStatus.ON_TRACK  # others untouched


def test_a_centre_user_updates_only_what_their_organisation_leads(
    db: Session, world: PlanWorld
) -> None:
    clinician_a = world.cast.clinician_a
    seen = service.activities(session=db, principal=clinician_a)
    assert [a.code for a in seen] == ["2.2"]
    service.update_activity(
        session=db,
        principal=clinician_a,
        activity_id=world.led_by_a.id,
        data=ActivityChangeIn(percent_done=55, comment="Đã tập huấn 2 tỉnh"),
    )
    assert world.led_by_a.percent_done == 55
    with pytest.raises(NotFound):  # another organisation's activity is not even seen
        service.update_activity(
            session=db,
            principal=clinician_a,
            activity_id=world.led_by_b.id,
            data=ActivityChangeIn(percent_done=90),
        )
    with pytest.raises(PermissionDenied):  # and their own deadline is the committee's
        service.update_activity(
            session=db,
            principal=clinician_a,
            activity_id=world.led_by_a.id,
            data=ActivityChangeIn(deadline=date(2027, 1, 1)),
        )


def test_the_ministry_reads_the_whole_plan_but_changes_nothing(
    db: Session, world: PlanWorld
) -> None:
    assert len(service.activities(session=db, principal=world.cast.analyst)) == 3
    with pytest.raises(PermissionDenied):
        service.update_activity(
            session=db,
            principal=world.cast.analyst,
            activity_id=world.led_by_a.id,
            data=ActivityChangeIn(status=ActivityStatus.DONE),
        )


def test_the_committee_never_reaches_patient_records(db: Session, world: PlanWorld) -> None:
    with pytest.raises(PermissionDenied):
        registry.search(session=db, principal=world.committee, limit=10)


def test_a_stale_save_is_refused(db: Session, world: PlanWorld) -> None:
    read_at = world.led_by_a.version
    service.update_activity(
        session=db,
        principal=world.committee,
        activity_id=world.led_by_a.id,
        data=ActivityChangeIn(status=ActivityStatus.DELAYED, version=read_at),
    )
    db.flush()
    with pytest.raises(Conflict):
        service.update_activity(
            session=db,
            principal=world.cast.clinician_a,
            activity_id=world.led_by_a.id,
            data=ActivityChangeIn(status=ActivityStatus.ON_TRACK, version=read_at),
        )


def test_a_deadline_before_the_start_is_refused_naming_the_field(
    db: Session, world: PlanWorld
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.update_activity(
            session=db,
            principal=world.committee,
            activity_id=world.led_by_a.id,
            data=ActivityChangeIn(deadline=date(2025, 1, 1)),
        )
    assert caught.value.details[0].field == "deadline"


def test_the_status_counts_overdue_activities_per_task(db: Session, world: PlanWorld) -> None:
    status = service.status(session=db, principal=world.committee, today=TODAY)
    assert status.by_state == {"on_track": 1, "overdue": 1, "not_started": 1}
    [task] = status.tasks
    assert (task.activities, task.percent) == (3, 13)
    mine = service.status(session=db, principal=world.cast.clinician_a, today=TODAY)
    assert mine.activities == 1


def test_an_approved_guideline_completes_the_activity_waiting_for_the_next_one(
    db: Session, world: PlanWorld, kb: KnowledgeBase
) -> None:
    waiting = service.create_activity(
        session=db,
        principal=world.committee,
        data=ActivityIn(
            task_id=world.led_by_a.task_id,
            code="3.1",
            title="Cập nhật hướng dẫn bệnh Pompe",
            lead_code="HOSP-A",
            start_date=date(2025, 11, 1),
            deadline=date(2026, 10, 31),
            output_kind=OutputKind.GUIDELINE,
        ),
    )
    guideline = guidelines.create(
        session=db,
        principal=world.cast.analyst,
        kb=kb,
        data=GuidelineIn(orpha_code="365", title="Hướng dẫn chẩn đoán và điều trị bệnh Pompe"),
    )
    assert waiting.status is ActivityStatus.NOT_STARTED  # a draft is not the output
    guidelines.set_status(
        session=db,
        principal=world.cast.analyst,
        guideline_id=guideline.id,
        status=GuidelineStatus.APPROVED,
    )
    assert (waiting.status, waiting.output_ref) == (ActivityStatus.DONE, guideline.id)
