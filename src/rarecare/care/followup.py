"""Follow-up of therapy plans: missed and late doses, and adherence (PDC) per plan and centre."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.care import adherence as adh
from rarecare.care.models import TherapyPlan
from rarecare.care.therapy import CarePicture, centres_in_scope, load_picture
from rarecare.registry.service import PatientRecord


def _picture(
    session: Session,
    principal: Principal | None,
    centre_id: int | None,
    record: PatientRecord | None,
) -> tuple[Principal, CarePicture]:
    """The active plans the principal may see: of one opened (scoped, audited) patient record,
    or of the centres in scope."""
    actor = require_role(principal, *Role)
    picture = load_picture(
        session,
        centre_ids=centres_in_scope(actor, centre_id),
        patient_id=record.id if record is not None else None,
    )
    return actor, picture


def alerts(
    *,
    session: Session,
    principal: Principal | None,
    centre_id: int | None = None,
    record: PatientRecord | None = None,
    today: date | None = None,
) -> list[adh.DoseAlert]:
    """Missed and late doses of active plans the principal may see."""
    actor, picture = _picture(session, principal, centre_id, record)
    now = today or date.today()
    found = [a for spec in picture.specs() if spec.uses_slot for a in adh.dose_alerts(spec, now)]
    audit.record(
        session=session,
        actor=actor,
        action="read_alerts",
        object_type="patient",
        centre_id=centre_id,
        detail={"patients": sorted({a.patient_key for a in found})},
    )
    return sorted(found, key=lambda a: (a.kind != "missed", -a.days))


@dataclass(frozen=True)
class Adherence:
    plan: TherapyPlan
    pseudonym: str
    period_start: date
    period_end: date
    administrations: int
    pdc: float | None


def adherence(
    *,
    session: Session,
    principal: Principal | None,
    centre_id: int | None = None,
    record: PatientRecord | None = None,
    days: int = 365,
    today: date | None = None,
) -> list[Adherence]:
    """PDC of each active plan over the last ``days`` (or since its start)."""
    actor, picture = _picture(session, principal, centre_id, record)
    end = today or date.today()
    cover = {spec.plan_id: spec.interval_days for spec in picture.specs()}
    out: list[Adherence] = []
    for plan in picture.plans:
        start = max(plan.start_date, end - timedelta(days=days - 1))
        given = picture.given.get(plan.id, [])
        out.append(
            Adherence(
                plan,
                picture.patients[plan.patient_id][0],
                start,
                end,
                sum(1 for d in given if start <= d <= end),
                adh.pdc(given, cover[plan.id], start, end),
            )
        )
    audit.record(
        session=session,
        actor=actor,
        action="read_adherence",
        object_type="patient",
        centre_id=centre_id,
        detail={"patients": sorted({a.pseudonym for a in out})},
    )
    return out


@dataclass(frozen=True)
class CentreAdherence:
    centre_id: int
    plans: int  # plans with a PDC in the period
    mean_pdc: float
    adherent_share: float  # of those plans, PDC ≥ 0.8


def centre_summary(rows: Sequence[Adherence]) -> list[CentreAdherence]:
    """Per centre: how many plans, their mean PDC and the share that is adherent."""
    by_centre: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        if row.pdc is not None:
            by_centre[row.plan.centre_id].append(row.pdc)
    return [
        CentreAdherence(
            centre_id=centre_id,
            plans=len(values),
            mean_pdc=round(sum(values) / len(values), 3),
            adherent_share=round(sum(v >= adh.ADHERENT_PDC for v in values) / len(values), 3),
        )
        for centre_id, values in sorted(by_centre.items())
    ]
