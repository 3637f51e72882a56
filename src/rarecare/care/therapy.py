"""Therapy plans, schedules, administrations, alerts and adherence (services).

Plans belong to a patient (scoped and audited through the registry service) and a centre.
Schedules are computed, not stored: from every active plan of a centre, its administrations and
the centre's calendar (``rarecare.care.schedule``); doses follow the patient's latest weight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, centre_scope, ensure_centre_access, require_role
from rarecare.audit import service as audit
from rarecare.care import indications
from rarecare.care.demand import DoseNeed
from rarecare.care.dosing import Regimen, vials
from rarecare.care.models import Administration, PlanStatus, TherapyPlan
from rarecare.care.schedule import (
    Appointment,
    CentreCalendar,
    PlanSpec,
    build,
    parse_opening_days,
)
from rarecare.care.schemas import AdministrationIn, PlanChangeIn, PlanIn
from rarecare.centres import service as centres
from rarecare.centres.models import Centre
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.lists.models import DrugEntry, ListKind
from rarecare.registry import service as registry
from rarecare.registry.models import Patient
from rarecare.registry.schemas import EncounterIn
from rarecare.registry.service import PatientRecord
from rarecare.storage import in_chunks
from rarecare.storage.versioning import check_version

WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)
AT_CENTRE_ROUTES = ("IV", "intrathecal", "SC", "IM")  # given at the centre, taking a slot
DISPENSE_DAYS = 28  # home therapies: one dispensing visit every four weeks


# ------------------------------------------------------------------------------ plans
def drug_entry(*, session: Session, name: str) -> DrugEntry:
    entry = lists.approved_drug(session=session, name=name)
    if entry is None:
        raise ValidationFailed(
            _("Invalid therapy plan."),
            [
                FieldError(
                    "drug",
                    N_("%(drug)s is not on the approved rare drug list"),
                    params={"drug": name},
                )
            ],
        )
    return entry


def current_drugs(*, session: Session) -> dict[str, DrugEntry]:
    version = lists.current_version(session=session, kind=ListKind.DRUGS)
    return {d.inn: d for d in version.drug_entries} if version else {}


def create_plan(
    *,
    session: Session,
    principal: Principal | None,
    patient_id: int,
    data: PlanIn,
    kb: KnowledgeBase | None = None,
    today: date | None = None,
    check_indication: bool = True,
) -> TherapyPlan:
    """A long-term therapy for a patient at a centre that gives the drug, for one of its listed
    indications (with ``kb``, their subtypes too) or off-label with a reason."""
    actor = require_role(principal, *WRITERS)
    patient = registry.get(
        session=session, principal=actor, patient_id=patient_id, action="create_therapy_plan"
    )
    entry = drug_entry(session=session, name=data.drug)
    centre_id = centre_scope(actor) or data.centre_id or patient.centre_id
    centre = centres.get_centre(session=session, centre_id=centre_id)
    errors: list[FieldError] = []
    if entry.inn not in centre.therapies:
        errors.append(
            FieldError(
                "drug",
                N_("%(centre)s does not give %(drug)s"),
                params={"centre": centre.name, "drug": entry.inn},
            )
        )
    if data.end_date is not None and data.end_date < data.start_date:
        errors.append(FieldError("end_date", N_("is before the start date")))
    if data.start_date < patient.birth_month:  # the birth month is all the record keeps
        errors.append(FieldError("start_date", N_("is before the patient's birth")))
    if patient.death_date is not None and data.start_date > patient.death_date:
        errors.append(FieldError("start_date", N_("is after the patient's death")))
    off_label = check_indication and not indications.is_indicated(entry, patient, kb)
    if off_label and (problem := indications.unexplained(entry, data.indication_override)):
        errors.append(problem)
    weighed = data.weight_kg is not None or registry.latest_weight(patient) is not None
    if entry.dose_basis == "per_kg" and not weighed:
        errors.append(FieldError("weight_kg", N_("a weight is needed for a per-kilogram dose")))
    if errors:
        raise ValidationFailed(_("Invalid therapy plan."), errors)
    active = session.scalar(
        select(TherapyPlan.id).where(
            TherapyPlan.patient_id == patient.id,
            TherapyPlan.drug == entry.inn,
            TherapyPlan.status == PlanStatus.ACTIVE,
        )
    )
    if active is not None:
        raise Conflict(_("The patient already has an active plan for this drug."))
    if data.weight_kg is not None:
        registry.add_encounter(
            session=session,
            principal=actor,
            patient_id=patient.id,
            data=EncounterIn(date=today or date.today(), kind="weight", weight_kg=data.weight_kg),
            today=today,
        )
    plan = TherapyPlan(
        patient_id=patient.id,
        centre_id=centre.id,
        drug=entry.inn,
        per_kg=entry.dose_basis == "per_kg",
        dose=data.dose or entry.dose,
        dose_unit=entry.dose_unit,
        interval_days=data.interval_days or entry.interval_days,
        loading_days=list(entry.loading_days),
        start_date=data.start_date,
        end_date=data.end_date,
        note=data.note,
        created_by=actor.username,
    )
    session.add(plan)
    session.flush()
    detail: dict[str, object] = {"plan": plan.id, "drug": plan.drug}
    if off_label:
        detail["off_label"] = data.indication_override.strip()
    _audit(session, actor, "create_therapy_plan", patient, detail)
    return plan


def stop_plan(
    *,
    session: Session,
    principal: Principal | None,
    plan_id: int,
    on: date | None = None,
    version: int | None = None,
    reason: str = "",
    today: date | None = None,
) -> TherapyPlan:
    """Stop a plan (``version``: the plan's version it was read at; changed since: 409) on
    ``on`` (default today), not before it started nor in the future; ``reason`` joins the
    plan's note and the audit trail."""
    actor = require_role(principal, *WRITERS)
    plan, patient = _plan(session, actor, plan_id, "stop_therapy_plan")
    check_version(plan, version, {"status": PlanStatus.STOPPED})
    when = on or today or date.today()
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict(_("This plan is no longer active."))
    if when < plan.start_date:
        raise ValidationFailed(
            _("Invalid therapy plan."), [FieldError("end_date", N_("is before the start date"))]
        )
    if when > (today or date.today()):
        raise ValidationFailed(
            _("Invalid therapy plan."), [FieldError("end_date", N_("is in the future"))]
        )
    plan.status = PlanStatus.STOPPED
    plan.end_date = when
    if reason.strip():
        stopped = _("Stopped: %(reason)s") % {"reason": reason.strip()}
        plan.note = f"{plan.note}\n{stopped}".strip()[:2000]
    _audit(session, actor, "stop_therapy_plan", patient, {"plan": plan.id, "reason": reason})
    return plan


def change_plan(
    *,
    session: Session,
    principal: Principal | None,
    plan_id: int,
    data: PlanChangeIn,
    today: date | None = None,
) -> TherapyPlan:
    """A new dose or interval from a date: the plan stops the day before and a new plan of the
    same drug at the same centre starts that day (the history of what was planned stays)."""
    actor = require_role(principal, *WRITERS)
    plan, _patient = _plan(session, actor, plan_id, "change_therapy_plan")
    if data.from_date <= plan.start_date or data.from_date > (today or date.today()):
        problem = (
            "is in the future"
            if data.from_date > plan.start_date
            else "is not after the plan's start"
        )
        raise ValidationFailed(_("Invalid therapy plan."), [FieldError("from_date", problem)])
    stop_plan(
        session=session,
        principal=actor,
        plan_id=plan.id,
        on=data.from_date - timedelta(days=1),
        version=data.version,
        reason=data.reason,
        today=today,
    )
    session.flush()
    return create_plan(
        session=session,
        principal=actor,
        patient_id=plan.patient_id,
        data=PlanIn(
            drug=plan.drug,
            start_date=data.from_date,
            centre_id=plan.centre_id,
            dose=data.dose or plan.dose,
            interval_days=data.interval_days or plan.interval_days,
            weight_kg=data.weight_kg,
            note=(_("Replaces plan #%(id)s.") % {"id": plan.id} + " " + data.reason).strip(),
        ),
        today=today,
        check_indication=False,  # decided (and audited) when the plan began
    )


def plans_of(*, session: Session, record: PatientRecord) -> list[TherapyPlan]:
    """The therapy plans of an opened (scoped, audited) patient record."""
    return list(
        session.scalars(
            select(TherapyPlan)
            .where(TherapyPlan.patient_id == record.id)
            .order_by(TherapyPlan.status, TherapyPlan.start_date)
        )
    )


def administrations_of(*, session: Session, record: PatientRecord) -> list[Administration]:
    """The doses given to an opened (scoped, audited) patient record, newest first."""
    return list(
        session.scalars(
            select(Administration)
            .where(Administration.patient_id == record.id)
            .order_by(Administration.given_on.desc(), Administration.id.desc())
        )
    )


def _plan(
    session: Session, actor: Principal, plan_id: int, action: str
) -> tuple[TherapyPlan, Patient]:
    plan = session.get(TherapyPlan, plan_id)
    if plan is None:
        raise NotFound(_("No such therapy plan."))
    patient = registry.get(
        session=session, principal=actor, patient_id=plan.patient_id, action=action
    )
    return plan, patient


def _audit(
    session: Session, actor: Principal, action: str, patient: Patient, detail: dict[str, object]
) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="patient",
        object_id=patient.pseudonym,
        centre_id=patient.centre_id,
        detail=detail,
    )


# ------------------------------------------------------------------------- dose and vials
def regimen_of_entry(entry: DrugEntry) -> Regimen:
    """The list's own regimen of a drug."""
    return Regimen(
        drug=entry.inn,
        dose=entry.dose,
        dose_unit=entry.dose_unit,
        per_kg=entry.dose_basis == "per_kg",
        interval_days=entry.interval_days,
        strength=entry.strength,
        strength_unit=entry.strength_unit,
        loading_days=tuple(entry.loading_days),
        price_per_vial=entry.price_vnd,
    )


def dose_of(plan: TherapyPlan, weight_kg: float | None) -> float | None:
    """The planned dose at this weight (None: per-kg without a weight)."""
    if not plan.per_kg:
        return plan.dose
    return None if weight_kg is None else round(plan.dose * weight_kg, 3)


def at_centre(entry: DrugEntry | None) -> bool:
    return entry is None or entry.route in AT_CENTRE_ROUTES


def visit_days(plan: TherapyPlan, entry: DrugEntry | None) -> int:
    """Days between visits: the dosing interval at the centre; home therapies are dispensed
    every ``DISPENSE_DAYS`` (or their interval, if longer)."""
    return plan.interval_days if at_centre(entry) else max(plan.interval_days, DISPENSE_DAYS)


def doses_per_visit(plan: TherapyPlan, entry: DrugEntry | None) -> int:
    return max(1, visit_days(plan, entry) // plan.interval_days)


def spec_of(
    plan: TherapyPlan, pseudonym: str, given: Iterable[date], entry: DrugEntry | None
) -> PlanSpec:
    home = not at_centre(entry)
    return PlanSpec(
        plan.id,
        pseudonym,
        plan.centre_id,
        plan.drug,
        visit_days(plan, entry),
        plan.start_date,
        plan.end_date,
        () if home else tuple(plan.loading_days),
        not home,
        doses_per_visit(plan, entry),
        tuple(given),
    )


def need_of(
    plan: TherapyPlan, weight: float | None, entry: DrugEntry | None, centre: Centre
) -> DoseNeed | None:
    dose = dose_of(plan, weight)
    if dose is None or entry is None:
        return None
    return DoseNeed(
        dose=dose,
        strength=entry.strength,
        shareable=entry.vial_sharing and centre.vial_sharing and at_centre(entry),
        doses_per_visit=doses_per_visit(plan, entry),
    )


def calendar_of(centre: Centre) -> CentreCalendar:
    return CentreCalendar(
        centre.id,
        parse_opening_days(centre.opening_days),
        centre.chairs,
        centre.infusions_per_chair,
    )


# ---------------------------------------------------------------------------- bulk loading
@dataclass
class CarePicture:
    """Everything needed to schedule a set of active plans, loaded in a few queries."""

    plans: list[TherapyPlan]
    patients: dict[int, tuple[str, str]]  # id → (pseudonym, province code)
    weights: dict[int, float]
    given: dict[int, list[date]]  # plan id → administration dates
    drugs: dict[str, DrugEntry]
    centres: dict[int, Centre]

    def specs(self) -> list[PlanSpec]:
        return [
            spec_of(
                p, self.patients[p.patient_id][0], self.given.get(p.id, ()), self.drugs.get(p.drug)
            )
            for p in self.plans
        ]

    def calendars(self) -> dict[int, CentreCalendar]:
        return {c.id: calendar_of(c) for c in self.centres.values()}

    def needs(self) -> dict[int, DoseNeed]:
        out: dict[int, DoseNeed] = {}
        for p in self.plans:
            need = need_of(
                p, self.weights.get(p.patient_id), self.drugs.get(p.drug), self.centres[p.centre_id]
            )
            if need is not None:
                out[p.id] = need
        return out


def centres_in_scope(actor: Principal, centre_id: int | None) -> list[int] | None:
    """The centres whose plans ``actor`` asked for and may see (None: every centre). Centre
    staff get their own centre; another centre's id answers "not found"."""
    scope = centre_scope(actor)
    if scope is not None:
        if centre_id is not None and centre_id != scope:
            ensure_centre_access(actor, {centre_id})
        return [scope]
    return None if centre_id is None else [centre_id]


def load_picture(
    session: Session, *, centre_ids: Sequence[int] | None, patient_id: int | None = None
) -> CarePicture:
    query = select(TherapyPlan).where(TherapyPlan.status == PlanStatus.ACTIVE)
    if centre_ids is not None:
        query = query.where(TherapyPlan.centre_id.in_(centre_ids))
    if patient_id is not None:
        query = query.where(TherapyPlan.patient_id == patient_id)
    plans = list(session.scalars(query.order_by(TherapyPlan.id)))
    patient_ids = sorted({p.patient_id for p in plans})
    patients = registry.places(session=session, patient_ids=patient_ids)
    weights = registry.latest_weights(session=session, patient_ids=patient_ids)
    given: dict[int, list[date]] = defaultdict(list)
    for chunk in in_chunks(patient_ids):
        for plan_id, day in session.execute(
            select(Administration.plan_id, Administration.given_on).where(
                Administration.patient_id.in_(chunk)
            )
        ):
            given[plan_id].append(day)
    return CarePicture(
        plans=plans,
        patients=patients,
        weights=weights,
        given=dict(given),
        drugs=current_drugs(session=session),
        centres={c.id: c for c in centres.list_centres(session=session)},
    )


# ------------------------------------------------------------------------------ schedules
@dataclass(slots=True)
class Scheduled:
    appointment: Appointment
    patient_id: int
    dose: float | None
    dose_unit: str
    vials: int | None


def schedule_picture(
    picture: CarePicture, *, today: date, until: date, alternatives_until: date | None = None
) -> list[Scheduled]:
    # dose and vials once per plan (at the patient's latest weight)
    per_plan: dict[int, tuple[int, float | None, str, int | None]] = {}
    for plan in picture.plans:
        entry = picture.drugs.get(plan.drug)
        dose = dose_of(plan, picture.weights.get(plan.patient_id))
        count = vials(dose, entry.strength) if dose is not None and entry else None
        per_plan[plan.id] = (plan.patient_id, dose, plan.dose_unit, count)
    appointments = build(
        picture.specs(),
        picture.calendars(),
        today=today,
        until=until,
        alternatives_until=alternatives_until,
    )
    return [Scheduled(a, *per_plan[a.plan_id]) for a in appointments]


def centre_schedule(
    *,
    session: Session,
    principal: Principal | None,
    centre_id: int,
    start: date,
    days: int = 28,
    today: date | None = None,
) -> list[Scheduled]:
    """Appointments at a centre from ``start`` for ``days`` (its staff and national roles)."""
    actor = require_role(principal, *Role)
    ensure_centre_access(actor, {centre_id})
    centres.get_centre(session=session, centre_id=centre_id)
    picture = load_picture(session, centre_ids=[centre_id])
    now = today or date.today()
    end = start + timedelta(days=days - 1)
    rows = schedule_picture(picture, today=now, until=end, alternatives_until=end)
    rows = [r for r in rows if r.appointment.date is None or r.appointment.date >= start]
    audit.record(
        session=session,
        actor=actor,
        action="read_schedule",
        object_type="centre",
        object_id=centre_id,
        centre_id=centre_id,
        detail={"patients": sorted({r.appointment.patient_key for r in rows})},
    )
    return rows


def patient_schedule(
    *,
    session: Session,
    record: PatientRecord,
    days: int = 120,
    today: date | None = None,
) -> list[Scheduled]:
    """The next appointments of an opened patient record, placed among every plan of the
    centres involved."""
    patient_id = record.id
    now = today or date.today()
    mine = load_picture(session, centre_ids=None, patient_id=patient_id)
    involved = sorted({p.centre_id for p in mine.plans})
    if not involved:
        return []
    picture = load_picture(session, centre_ids=involved)
    rows = schedule_picture(picture, today=now, until=now + timedelta(days=days))
    return [r for r in rows if r.patient_id == patient_id]


def record_administration(
    *,
    session: Session,
    principal: Principal | None,
    plan_id: int,
    data: AdministrationIn,
    today: date | None = None,
) -> Administration:
    """A dose given: by default the planned dose at the latest weight, in whole vials."""
    actor = require_role(principal, *WRITERS)
    plan, patient = _plan(session, actor, plan_id, "record_administration")
    ensure_centre_access(actor, {plan.centre_id})
    errors: list[FieldError] = []
    if data.given_on > (today or date.today()):
        errors.append(FieldError("given_on", N_("is in the future")))
    if data.given_on < plan.start_date:
        errors.append(FieldError("given_on", N_("is before the start of the plan")))
    if patient.death_date is not None and data.given_on > patient.death_date:
        errors.append(FieldError("given_on", N_("is after the patient's death")))
    weight = registry.latest_weight(patient)
    dose: float | None = data.dose or dose_of(plan, weight)
    if dose is None:
        errors.append(FieldError("dose", N_("no weight recorded: enter the dose given")))
    if errors:
        raise ValidationFailed(_("Invalid administration."), errors)
    assert dose is not None
    entry = current_drugs(session=session).get(plan.drug)
    per_visit = doses_per_visit(plan, entry)
    count = (
        data.vials
        if data.vials is not None
        else (vials(dose, entry.strength) * per_visit if entry else 0)
    )
    given = Administration(
        plan_id=plan.id,
        patient_id=patient.id,
        centre_id=plan.centre_id,
        given_on=data.given_on,
        dose=dose,
        dose_unit=plan.dose_unit,
        vials=count,
        lot=data.lot,
        reactions=data.reactions,
        weight_kg=weight,
        recorded_by=actor.username,
    )
    session.add(given)
    session.flush()
    _audit(session, actor, "record_administration", patient, {"plan": plan.id, "id": given.id})
    return given
