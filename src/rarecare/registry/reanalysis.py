"""Re-analysis: re-rank every undiagnosed, suspected or probable patient with the current
knowledge base, record the top suggestions and what changed since the last run, and raise an
alert for clinicians when a new disease enters the top 5 or a probability jumps."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.diagnosis import DiagnosisEngine
from rarecare.errors import NotFound, RareCareError
from rarecare.gcpause import paused_gc
from rarecare.i18n import N_, format_quantity, gettext
from rarecare.registry import service, suggest
from rarecare.registry.models import DiagnosticStatus, Patient, PhenotypeObservation, Reanalysis
from rarecare.storage import utcnow

log = logging.getLogger("rarecare.registry")

OPEN_STATUSES = (
    DiagnosticStatus.UNDIAGNOSED,
    DiagnosticStatus.SUSPECTED,
    DiagnosticStatus.PROBABLE,
)
TOP = 10
JUMP = 0.2  # an absolute rise in post-test probability worth an alert
FIRST_RUN_ALERT = 0.3  # on a first run, alert when the best suggestion is this likely


def compare(
    previous: list[dict[str, Any]] | None, current: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], bool]:
    """What changed between two runs (lists of {code, name, probability}), as records that
    :func:`describe` puts into words in the reader's language; whether to alert."""
    if previous is None:
        best = current[0] if current else None
        if best is not None and float(best["probability"]) >= FIRST_RUN_ALERT:
            first = {"kind": "first", "name": best["name"], "to": float(best["probability"])}
            return [first], True
        return [{"kind": "first"}], False
    changes: list[dict[str, Any]] = []
    before = {r["code"]: float(r["probability"]) for r in previous}
    top5_before = {r["code"] for r in previous[:5]}
    for r in current[:5]:
        if r["code"] not in top5_before:
            changes.append({"kind": "top5", "name": r["name"], "to": float(r["probability"])})
    for r in current:
        old = before.get(r["code"], 0.0)
        if float(r["probability"]) - old >= JUMP:
            changes.append(
                {"kind": "rose", "name": r["name"], "from": old, "to": float(r["probability"])}
            )
    return changes, bool(changes)


_CHANGES = {
    "first": N_("first analysis: %(name)s (%(to)s)"),
    "top5": N_("new in the top 5: %(name)s (%(to)s)"),
    "rose": N_("probability of %(name)s rose from %(from)s to %(to)s"),
}


def describe(changes: Sequence[dict[str, Any] | str]) -> list[str]:
    """The changes of a run in the reader's language (runs stored before changes were
    records hold English sentences, shown as they are)."""
    out = []
    for change in changes:
        if isinstance(change, str):
            out.append(change)
        elif "name" not in change:
            out.append(gettext(N_("first analysis")))
        else:
            values: dict[str, str] = {"name": str(change["name"])}
            values.update({k: _percent(change[k]) for k in ("from", "to") if k in change})
            sentence = _CHANGES[change["kind"]]
            out.append(gettext(sentence) % values)
    return out


def _percent(probability: float) -> str:
    return format_quantity(probability * 100, 0) + "%"


def reanalyze(
    *,
    session: Session,
    principal: Principal | None,
    engine: DiagnosisEngine,
    batch: int = 500,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Re-rank every open patient (national scope; admins or the system), at most ``limit``."""
    actor = require_role(principal, Role.ADMIN)
    with paused_gc():  # rankings allocate many short-lived acyclic objects
        return _reanalyze(session, actor, engine, batch, limit, progress)


def _reanalyze(
    session: Session,
    actor: Principal,
    engine: DiagnosisEngine,
    batch: int,
    limit: int | None,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    counts = {"patients": 0, "alerts": 0, "skipped": 0, "failed": 0}
    with_phenotype = select(PhenotypeObservation.patient_id).where(
        PhenotypeObservation.excluded.is_(False)
    )
    last_id = 0
    while limit is None or counts["patients"] + counts["skipped"] + counts["failed"] < limit:
        patients = session.scalars(
            select(Patient)
            .where(
                Patient.diagnostic_status.in_(OPEN_STATUSES),
                Patient.id > last_id,
                Patient.id.in_(with_phenotype),
            )
            .order_by(Patient.id)
            .limit(batch)
            .options(selectinload(Patient.phenotypes))
        ).all()
        if not patients:
            break
        last_id = patients[-1].id
        previous = _latest(session, [p.id for p in patients])
        rows: list[dict[str, Any]] = []
        for patient in patients:
            query = suggest.patient_query(patient)
            if query is None:
                counts["skipped"] += 1
                continue
            try:
                ranking = engine.rank(query, top=TOP, explain=False)
            except Exception as exc:  # one unrankable record must not stop the others
                # the pseudonym and the kind of error only: no clinical values in the log
                log.warning(
                    "re-analysis could not rank %s: %s",
                    patient.pseudonym,
                    type(exc).__name__,
                    exc_info=not isinstance(exc, RareCareError),
                )
                counts["failed"] += 1
                continue
            top = [
                {
                    "code": r.code,
                    "codes": list(r.codes),
                    "name": r.name,
                    "probability": round(r.probability, 4),
                }
                for r in ranking.results
            ]
            changes, alert = compare(previous.get(patient.id), top)
            rows.append(
                {
                    "patient_id": patient.id,
                    "run_at": utcnow(),
                    "knowledge_version": ranking.knowledge_version,
                    "top": top,
                    "changes": changes,
                    "alert": alert,
                }
            )
            counts["patients"] += 1
            counts["alerts"] += alert
        if rows:
            done = {r["patient_id"] for r in rows}
            ranked = [p.pseudonym for p in patients if p.id in done]
            # one multi-row insert and one audit event per batch (naming every patient re-ranked)
            session.execute(insert(Reanalysis), rows)
            audit.record(
                session=session,
                actor=actor,
                action="reanalyze",
                object_type="patient",
                detail={"pseudonyms": ranked, "alerts": sum(bool(r["alert"]) for r in rows)},
            )
        session.flush()
        session.expunge_all()
        if progress:
            progress(len(patients))
    return counts


def _latest(session: Session, patient_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = session.execute(
        select(Reanalysis.patient_id, Reanalysis.top)
        .where(Reanalysis.patient_id.in_(patient_ids))
        .order_by(Reanalysis.patient_id, Reanalysis.id)
    )
    latest: dict[int, list[dict[str, Any]]] = {}
    for patient_id, top in rows:
        latest[patient_id] = top
    return latest


def latest_for(
    *, session: Session, principal: Principal | None, patient_id: int
) -> Reanalysis | None:
    patient = service.get(session=session, principal=principal, patient_id=patient_id)
    return session.scalars(
        select(Reanalysis)
        .where(Reanalysis.patient_id == patient.id)
        .order_by(Reanalysis.id.desc())
        .limit(1)
    ).first()


def alerts(
    *, session: Session, principal: Principal | None, limit: int = 200
) -> Sequence[tuple[Patient, Reanalysis]]:
    """Unacknowledged re-analysis alerts on the patients the user may see."""
    actor = require_authenticated(principal)
    query = service.scoped(select(Patient), actor).subquery()
    rows = session.execute(
        select(Patient, Reanalysis)
        .join(Reanalysis, Reanalysis.patient_id == Patient.id)
        .where(
            Patient.id.in_(select(query.c.id)),
            Reanalysis.alert,
            Reanalysis.acknowledged_by.is_(None),
        )
        .order_by(Reanalysis.id.desc())
        .limit(limit)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        action="alerts",
        object_type="patient",
        detail={"returned": [p.pseudonym for p, _r in rows]},
    )
    return [(p, r) for p, r in rows]


def acknowledge(*, session: Session, principal: Principal | None, reanalysis_id: int) -> Reanalysis:
    actor = require_role(principal, Role.CLINICIAN, Role.DATA_MANAGER)
    row = session.get(Reanalysis, reanalysis_id)
    if row is None:
        raise NotFound()
    service.get(
        session=session, principal=actor, patient_id=row.patient_id, action="acknowledge_alert"
    )
    row.acknowledged_by = actor.username
    return row
