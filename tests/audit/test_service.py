import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from rarecare.audit import service as audit
from rarecare.audit.models import AuditEvent
from rarecare.context import request_id_var
from rarecare.errors import PermissionDenied
from tests.conftest import Cast


def test_it_records_who_did_what_to_which_object(db: Session, cast: Cast) -> None:
    token = request_id_var.set("req-123")
    try:
        event = audit.record(
            session=db,
            actor=cast.clinician_a,
            action="read",
            object_type="patient",
            object_id="P-1",
            centre_id=cast.centre_a,
        )
    finally:
        request_id_var.reset(token)
    stored = db.get(AuditEvent, event.id)
    assert stored is not None
    assert (stored.actor_username, stored.actor_role, stored.action) == (
        "clinician.a",
        "clinician",
        "read",
    )
    assert (stored.object_type, stored.object_id, stored.request_id) == (
        "patient",
        "P-1",
        "req-123",
    )
    assert stored.at.tzinfo is not None


def test_it_refuses_to_update_or_delete_audit_rows(db: Session, cast: Cast) -> None:
    event = audit.record(session=db, actor=cast.admin, action="create", object_type="x")
    for statement in (
        text("UPDATE audit_log SET action = 'tampered' WHERE id = :id"),
        text("DELETE FROM audit_log WHERE id = :id"),
    ):
        nested = db.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(statement, {"id": event.id})
        nested.rollback()


def test_it_shows_the_log_to_admins_only(db: Session, cast: Cast) -> None:
    audit.record(session=db, actor=cast.admin, action="create", object_type="thing")
    assert audit.list_events(session=db, principal=cast.admin, object_type="thing")
    with pytest.raises(PermissionDenied):
        audit.list_events(session=db, principal=cast.analyst)


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_reading_the_same_record_twice_in_one_transaction_is_audited_once(
    db: Session, cast: Cast
) -> None:
    before = _count(db)
    for _ in range(3):
        audit.record(
            session=db,
            actor=cast.clinician_a,
            action="read",
            object_type="patient",
            object_id="RC-X",
        )
    assert _count(db) == before + 1


def test_each_kind_of_read_of_a_record_is_audited_once_per_transaction(
    db: Session, cast: Cast
) -> None:
    before = _count(db)
    for action in ("read", "read_plans", "read", "read_plans", "read_plans"):
        audit.record(
            session=db,
            actor=cast.clinician_a,
            action=action,
            object_type="patient",
            object_id="RC-X",
        )
    assert _count(db) == before + 2


def test_other_readers_other_records_and_every_write_are_each_audited(
    db: Session, cast: Cast
) -> None:
    before = _count(db)
    for actor, action, pseudonym in (
        (cast.clinician_a, "read", "RC-X"),
        (cast.clinician_b, "read", "RC-X"),
        (cast.clinician_a, "read", "RC-Y"),
        (cast.clinician_a, "update", "RC-X"),
        (cast.clinician_a, "update", "RC-X"),
    ):
        audit.record(
            session=db, actor=actor, action=action, object_type="patient", object_id=pseudonym
        )
    for day in ("2027-01-04", "2027-01-05"):  # reads naming what they returned
        audit.record(
            session=db,
            actor=cast.clinician_a,
            action="read_schedule",
            object_type="centre",
            object_id=1,
            detail={"day": day},
        )
    assert _count(db) == before + 7
