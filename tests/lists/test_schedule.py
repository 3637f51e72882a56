from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.errors import Conflict
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import schedule, service
from rarecare.lists.models import ListKind, VersionStatus
from rarecare.lists.schemas import VersionIn
from tests.conftest import Cast, login
from tests.lists.test_service import GOOD, _draft, _import

TODAY = date(2026, 6, 1)
LATER = date(2026, 7, 1)


def _in_force_and_scheduled(db: Session, cast: Cast, kb: KnowledgeBase) -> tuple[int, int]:
    first = _draft(db, cast, "version 1")
    _import(db, cast, kb, first, GOOD)
    service.approve(session=db, principal=cast.admin, version_id=first, today=TODAY)
    second = service.create_version(
        session=db,
        principal=cast.analyst,
        kind=ListKind.DISEASES,
        copy_from=first,
        data=VersionIn(title="version 2", decision_number="2/QĐ-BYT", effective_from=LATER),
    ).id
    service.approve(session=db, principal=cast.admin, version_id=second, today=TODAY)
    return first, second


def test_a_version_effective_later_is_scheduled_and_the_list_in_force_stays(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    first, second = _in_force_and_scheduled(db, cast, kb)
    old = service.get_version(session=db, principal=None, version_id=first)
    new = service.get_version(session=db, principal=None, version_id=second)
    assert (old.status, old.effective_to) == (VersionStatus.APPROVED, date(2026, 6, 30))
    assert new.status == VersionStatus.SCHEDULED
    in_force = service.current_version(session=db, kind=ListKind.DISEASES, on=TODAY)
    assert in_force is not None and in_force.id == first
    # from its date every reader sees the new list, before the scheduler has run
    on_the_day = service.current_version(session=db, kind=ListKind.DISEASES, on=LATER)
    assert on_the_day is not None and on_the_day.id == second


def test_the_scheduler_marks_the_new_version_in_force_on_its_date(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    first, second = _in_force_and_scheduled(db, cast, kb)
    assert schedule.activate_due(session=db, today=TODAY) == []
    [done] = schedule.activate_due(session=db, today=LATER)
    assert done.id == second and done.status == VersionStatus.APPROVED
    old = service.get_version(session=db, principal=None, version_id=first)
    assert old.status == VersionStatus.SUPERSEDED
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "activate")).one()
    assert (event.actor_username, event.object_id) == ("system", str(second))


def test_one_version_is_scheduled_at_a_time_and_it_can_be_withdrawn(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    first, second = _in_force_and_scheduled(db, cast, kb)
    third = _draft(db, cast, "version 3")
    _import(db, cast, kb, third, GOOD)
    with pytest.raises(Conflict, match="already scheduled"):
        service.approve(session=db, principal=cast.admin, version_id=third, today=TODAY)
    withdrawn = service.withdraw_schedule(
        session=db, principal=cast.analyst, version_id=second, reason="decision postponed"
    )
    assert withdrawn.status == VersionStatus.DRAFT
    old = service.get_version(session=db, principal=None, version_id=first)
    assert (old.status, old.effective_to) == (VersionStatus.APPROVED, None)


def test_the_version_page_says_when_a_scheduled_list_takes_effect(
    client: TestClient, db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    _first, second = _in_force_and_scheduled(db, cast, kb)
    db.flush()
    login(client, "analyst")
    page = client.get(f"/lists/diseases/{second}")
    assert 'data-testid="scheduled"' in page.text
    assert "01/07/2026" in page.text and "Đã phê duyệt" in page.text
