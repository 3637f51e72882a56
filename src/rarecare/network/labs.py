"""The laboratory test directory (public) and the samples sent for tests (per patient):
ordered → sent → received → resulted, overdue once the test's turnaround time has passed
without a result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rarecare import attachments as files
from rarecare.access import Principal, Role, centre_scope, require_role
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed
from rarecare.geo import get_province
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.network.models import (
    LAB_LABELS,
    Laboratory,
    LabTest,
    Sample,
    SampleStatus,
)
from rarecare.network.orpha import orpha_codes
from rarecare.network.schemas import LaboratoryIn, LabTestIn, SampleIn, SampleResultIn
from rarecare.registry import service as registry
from rarecare.storage.versioning import check_version

WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)
# the steps a sample takes, and the date column each stamps
NEXT: dict[SampleStatus, tuple[SampleStatus, ...]] = {
    SampleStatus.ORDERED: (SampleStatus.SENT, SampleStatus.RESULTED, SampleStatus.CANCELLED),
    SampleStatus.SENT: (SampleStatus.RECEIVED, SampleStatus.RESULTED, SampleStatus.CANCELLED),
    SampleStatus.RECEIVED: (SampleStatus.RESULTED, SampleStatus.CANCELLED),
    SampleStatus.RESULTED: (),
    SampleStatus.CANCELLED: (),
}
STAMPS = {SampleStatus.SENT: "sent_on", SampleStatus.RECEIVED: "received_on"}


# ------------------------------------------------------------------------------ directory
def laboratories(*, session: Session) -> list[Laboratory]:
    """Every laboratory with its tests (public information)."""
    return list(
        session.scalars(
            select(Laboratory).options(selectinload(Laboratory.tests)).order_by(Laboratory.name)
        )
    )


def lab_tests(
    *, session: Session, orpha_code: str | None = None, active_only: bool = True
) -> list[LabTest]:
    """The test directory, optionally the tests that support one disease."""
    query = select(LabTest).options(selectinload(LabTest.laboratory)).order_by(LabTest.name)
    if active_only:
        query = query.where(LabTest.active.is_(True))
    found = list(session.scalars(query))
    if orpha_code:
        found = [t for t in found if orpha_code in t.orpha_codes]
    return found


def get_test(*, session: Session, code: str, field: str = "test_code") -> LabTest:
    test = session.scalar(select(LabTest).where(LabTest.code == code))
    if test is None:
        raise ValidationFailed(
            _("No such test."),
            [
                FieldError(
                    field, N_("%(code)s is not a test of the directory"), params={"code": code}
                )
            ],
        )
    return test


def add_laboratory(
    *, session: Session, principal: Principal | None, data: LaboratoryIn
) -> Laboratory:
    actor = require_role(principal, Role.ADMIN)
    if get_province(data.province_code) is None:
        raise ValidationFailed(
            _("The laboratory was not saved."),
            [
                FieldError(
                    "province_code",
                    N_("%(code)s is not one of the 34 province codes"),
                    params={"code": data.province_code},
                )
            ],
        )
    if session.scalar(select(Laboratory.id).where(Laboratory.code == data.code)) is not None:
        raise Conflict(
            _("A laboratory with the code %(code)s exists already.") % {"code": data.code}
        )
    centre_id = (
        centres.get_centre_by_code(session=session, code=data.centre_code).id
        if data.centre_code
        else None
    )
    lab = Laboratory(
        code=data.code,
        name=data.name.strip(),
        province_code=data.province_code,
        centre_id=centre_id,
        contact=data.contact.strip(),
    )
    session.add(lab)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="laboratory", object_id=lab.id
    )
    return lab


def add_test(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase, data: LabTestIn
) -> LabTest:
    actor = require_role(principal, Role.ADMIN)
    lab = session.scalar(select(Laboratory).where(Laboratory.code == data.laboratory_code))
    problems: list[FieldError] = []
    if lab is None:
        problems.append(
            FieldError(
                "laboratory_code",
                N_("%(code)s is not a laboratory"),
                params={"code": data.laboratory_code},
            )
        )
    codes, unknown = orpha_codes(kb, data.orpha_codes, field="orpha_codes")
    problems += unknown
    if problems:
        raise ValidationFailed(_("The test was not saved."), problems)
    assert lab is not None
    if session.scalar(select(LabTest.id).where(LabTest.code == data.code)) is not None:
        raise Conflict(_("A test with the code %(code)s exists already.") % {"code": data.code})
    test = LabTest(
        laboratory_id=lab.id,
        code=data.code,
        name=data.name.strip(),
        kind=data.kind,
        orpha_codes=codes,
        sample_type=data.sample_type.strip(),
        turnaround_days=data.turnaround_days,
        price_vnd=data.price_vnd,
        insurance_covered=data.insurance_covered,
    )
    session.add(test)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="lab_test", object_id=test.id
    )
    return test


# -------------------------------------------------------------------------------- samples
@dataclass(frozen=True)
class Due:
    """When a sample's result is due, and whether that is past."""

    due_on: date | None
    overdue: bool


def due(sample: Sample, today: date | None = None) -> Due:
    if sample.status in (SampleStatus.RESULTED, SampleStatus.CANCELLED):
        return Due(None, False)
    start = sample.sent_on or sample.ordered_on
    due_on = start + timedelta(days=sample.test.turnaround_days)
    return Due(due_on, (today or date.today()) > due_on)


def order(
    *, session: Session, principal: Principal | None, patient_id: int, data: SampleIn
) -> Sample:
    """Order a test for a patient the actor's centre sees (the ordering centre tracks it)."""
    actor = require_role(principal, *WRITERS)
    record = registry.open_record(
        session=session, principal=actor, patient_id=patient_id, action="order_test"
    )
    assert actor.centre_id is not None  # a centre role, checked by open_record's scope
    test = get_test(session=session, code=data.test_code)
    ordered_on = data.ordered_on or date.today()
    if ordered_on > date.today():
        raise ValidationFailed(
            _("The test was not ordered."), [FieldError("ordered_on", N_("not in the future"))]
        )
    sample = Sample(
        patient_id=record.id,
        test_id=test.id,
        centre_id=actor.centre_id,
        referral_id=data.referral_id,
        status=SampleStatus.ORDERED,
        ordered_on=ordered_on,
        ordered_by=actor.username,
    )
    session.add(sample)
    session.flush()
    _audit(session, actor, sample, "order_test", test=test.code)
    return sample


def get_sample(
    *, session: Session, principal: Principal | None, sample_id: int, action: str = "read"
) -> Sample:
    """A sample of a patient the actor sees (through the registry's scoping); audited there."""
    sample = session.get(Sample, sample_id)
    if sample is None:
        raise NotFound(_("No such sample."))
    registry.open_record(
        session=session, principal=principal, patient_id=sample.patient_id, action=action
    )
    return sample


def step(
    *,
    session: Session,
    principal: Principal | None,
    sample_id: int,
    status: SampleStatus,
    on: date | None = None,
    version: int | None = None,
) -> Sample:
    """Mark a sample sent, received or cancelled."""
    actor = require_role(principal, *WRITERS)
    sample = get_sample(session=session, principal=actor, sample_id=sample_id, action="sample_step")
    check_version(sample, version, {"status": status})
    _allowed(sample, status)
    if status is SampleStatus.RESULTED:
        raise ValidationFailed(
            _("The sample was not updated."), [FieldError("status", N_("record the result"))]
        )
    day = on or date.today()
    if day < sample.ordered_on or day > date.today():
        raise ValidationFailed(
            _("The sample was not updated."),
            [FieldError("on", N_("between the order's date and today"))],
        )
    sample.status = status
    if status in STAMPS:
        setattr(sample, STAMPS[status], day)
    _audit(session, actor, sample, "sample_step", status=status.value)
    return sample


def record_result(
    *,
    session: Session,
    principal: Principal | None,
    sample_id: int,
    data: SampleResultIn,
    attachment: tuple[str, bytes] | None = None,
) -> Sample:
    """The laboratory's result: text, coded interpretation, optionally its report (PDF/image)."""
    actor = require_role(principal, *WRITERS)
    sample = get_sample(
        session=session, principal=actor, sample_id=sample_id, action="sample_result"
    )
    check_version(sample, data.version, {"result_text": data.result_text})
    _allowed(sample, SampleStatus.RESULTED)
    day = data.resulted_on or date.today()
    if day < sample.ordered_on or day > date.today():
        raise ValidationFailed(
            _("The result was not recorded."),
            [FieldError("resulted_on", N_("between the order's date and today"))],
        )
    if attachment is not None:
        name, media_type = files.checked(attachment[0], attachment[1])
        sample.attachment_name, sample.attachment_type = name, media_type
        sample.attachment = attachment[1]
    sample.status = SampleStatus.RESULTED
    sample.resulted_on = day
    sample.sent_on = sample.sent_on or sample.ordered_on
    sample.result_text = data.result_text.strip()
    sample.interpretation = data.interpretation
    _audit(session, actor, sample, "sample_result", interpretation=data.interpretation.value)
    return sample


def _allowed(sample: Sample, status: SampleStatus) -> None:
    if status not in NEXT[sample.status]:
        raise Conflict(
            _("This sample is %(status)s; it cannot become %(next)s.")
            % {
                "status": _(LAB_LABELS.get(sample.status.value, sample.status.value)),
                "next": _(LAB_LABELS.get(status.value, status.value)),
            }
        )


def samples_of(*, session: Session, record: registry.PatientRecord) -> list[Sample]:
    return list(
        session.scalars(
            select(Sample)
            .where(Sample.patient_id == record.id)
            .options(selectinload(Sample.test).selectinload(LabTest.laboratory))
            .order_by(Sample.ordered_on.desc(), Sample.id.desc())
        )
    )


def overdue(
    *, session: Session, principal: Principal | None, today: date | None = None
) -> list[tuple[Sample, Due]]:
    """The centre's samples without a result past their turnaround time (national roles:
    every centre's), oldest first."""
    actor = require_role(principal, *WRITERS, Role.ADMIN, Role.MINISTRY)
    scope = centre_scope(actor)
    query = (
        select(Sample)
        .where(Sample.status.in_((SampleStatus.ORDERED, SampleStatus.SENT, SampleStatus.RECEIVED)))
        .options(selectinload(Sample.test))
    )
    if scope is not None:
        query = query.where(Sample.centre_id == scope)
    late = [(s, due(s, today)) for s in session.scalars(query)]
    return sorted(((s, d) for s, d in late if d.overdue), key=lambda sd: sd[1].due_on or date.min)


def _audit(
    session: Session, actor: Principal, sample: Sample, action: str, **detail: object
) -> None:
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="sample",
        object_id=sample.id,
        centre_id=sample.centre_id,
        detail={"patient_id": sample.patient_id, **detail},
    )
