"""The period's treatment, kept between refreshes for the indicators that read it: the cube's
"on a listed drug" and "adherent" (``monitoring.cube``), what families pay
(``monitoring.costs``) and the trips (``engine._travel``, with the travel model's distances
kept here).

One row per record and period (``monitoring_treatment_rows``) for the records with doses in
the period or a plan of a listed drug active in it: the keys the indicators break it down by
(kept apart for the records with a plan, ``monitoring_treated_patients``), whether it is on a
listed drug, the days it counts as adherent, its out-of-pocket over the period's doses (NULL
when none was given) with its catastrophic threshold, and its infusions with the centre they
were given at when it is one centre (the trips of the others are counted from their plans'
dose counts) — worked out in one pass over the plans, their doses (``monitoring.doses``) and
their patients' keys, summed per patient.

Kept, like the patient cells, so that a refresh works out again only what changed:

- the writers mark a record whose treatment may have changed (``monitoring_treatment_marks``:
  triggers on the infusions and the coverage records, migration 0022; a record counted again
  by ``cells.sync`` — its keys, diagnoses or plans written — is marked there); a refresh hands
  the marks it read on to every period kept and removes them;
- a period's refresh works out again its marked records, and all of them when what the rows
  were worked out with changed (``basis``: the cost model — rules, prices, reimbursement,
  listed diseases —, the listed drugs, the centres' levels and the travel model) or the day
  went back;
- adherence does not wait for a refresh to follow the days: a record with one plan of a
  listed drug keeps the days it counts as adherent, from the plan's start through the last
  day its doses cover (80% of those due: the doses × 10 × interval ≥ the days × 8, up to the
  day or the plan's end) — read against the refresh's day. A record with several such plans
  or with doses recorded after the day it was worked out for is worked out at every refresh.

A period not refreshed for ``KEEP_DAYS`` days is no longer kept (worked out whole next time)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause, Select

from rarecare.care.models import TherapyPlan
from rarecare.care.travel import road_km
from rarecare.centres.models import Centre
from rarecare.geo import current_provinces
from rarecare.monitoring.costs import CostModel, cost_model, lookups, plan_costs
from rarecare.monitoring.doses import plan_doses
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.models import (
    TreatedPatient,
    TreatmentDirty,
    TreatmentMark,
    TreatmentRow,
    TreatmentState,
)
from rarecare.monitoring.sqlparts import (
    as_day,
    days_between,
    marks_read,
    period_range,
    temporary_tables,
)
from rarecare.storage.base import table_of

Distances = dict[tuple[str, str], tuple[float, int]]

BASIS_VERSION = 1  # raised when the way a row is worked out changes: every period anew
KEEP_DAYS = 62
FOREVER = 1_000_000  # adherent through: no last day (the plan ended covered)
ROWS = table_of(TreatmentRow)
# the records a refresh works out again (their ids, for the length of the refresh)
AGAIN = Table(
    "monitoring_refresh_again",
    MetaData(),
    Column("patient_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class Treatment:
    """What a refresh's indicators of treatment read, for the length of the block."""

    period: str
    people: FromClause  # one row per treated record: the keys, measures and ``id``
    distances: Distances  # (home province, centre id) → (one-way km, 1 if out of province)


def distances(session: Session) -> Distances:
    """(patient's province, centre id) → (one-way road km, 1 if outside the province) for every
    province and centre: the travel model of ``rarecare.care.travel``."""
    provinces = {p.code: p for p in current_provinces()}
    out: Distances = {}
    for centre_id, centre_province in session.execute(select(Centre.id, Centre.province_code)):
        there = provinces.get(centre_province)
        if there is None:
            continue
        for code, home in provinces.items():
            km = road_km(home.lat, home.lon, there.lat, there.lon, same_province=code == there.code)
            out[(code, str(centre_id))] = (km, int(code != there.code))
    return out


@contextmanager
def period_treatment(session: Session, period: str, today: date) -> Iterator[Treatment]:
    """The period's treated records, brought up to date, for the length of the block."""
    name = period.strip().upper()
    start, end = period_range(name)
    day = min(today, end)
    km = distances(session)
    model = cost_model(session, start, end)
    drugs = listed_drugs(session)
    levels = sorted(
        (str(i), str(level)) for i, level in session.execute(select(Centre.id, Centre.level))
    )
    basis = _basis(model, drugs, km, levels)
    with lookups(session, model, km) as tables:
        _keep(session, name, model, drugs, basis, day, tables)
    yield Treatment(name, people(name, start, day), km)


def people(period: str, start: date, day: date) -> FromClause:
    """The kept rows of the period, adherence read against ``day``."""
    r, offset = ROWS, (day - start).days
    adherent = case((and_(r.c.adherent_from <= offset, r.c.adherent_through >= offset), 1), else_=0)
    return (
        select(
            r.c.patient_id.label("id"),
            *(r.c[n] for n in ("province", "former", "sex", "centre", "disease")),
            r.c.born,
            r.c.registered,
            r.c.on_drug,
            adherent.label("adherent"),
            r.c.oop,
            r.c.threshold,
            r.c.trips,
            r.c.trip_centre,
        )
        .where(r.c.period == period)
        .subquery("people")
    )


def _basis(model: CostModel, drugs: list[str], km: Distances, levels: list[Any]) -> str:
    facts = {
        "version": BASIS_VERSION,
        "model": asdict(model),
        "drugs": sorted(drugs),
        "km": sorted((k[0], k[1], round(v[0], 6), v[1]) for k, v in km.items()),
        "levels": levels,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def _keep(
    session: Session,
    period: str,
    model: CostModel,
    drugs: list[str],
    basis: str,
    day: date,
    tables: tuple[Any, Any],
) -> None:
    """The period's rows brought up to date (see the module)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    states, dirty = table_of(TreatmentState), table_of(TreatmentDirty)
    if postgres:  # one refresh at a time keeps the rows; readers are not held up
        session.execute(text("LOCK TABLE monitoring_treatment_states IN SHARE ROW EXCLUSIVE MODE"))
    today = date.today()  # the calendar's: how long since a period was refreshed
    _forget(session, today - timedelta(days=KEEP_DAYS))
    _hand_on_marks(session, postgres)
    state = session.execute(
        select(states.c.basis, states.c.day).where(states.c.period == period)
    ).first()
    whole = state is None or state.basis != basis or state.day > day

    def rows(patients: Any) -> Any:
        query = _rows(period, model, drugs, day, tables, patients)
        return insert(ROWS).from_select([c.name for c in ROWS.columns], query)

    if whole:
        session.execute(delete(ROWS).where(ROWS.c.period == period))
        session.execute(delete(dirty).where(dirty.c.period == period))
        session.execute(rows(None))
        if postgres:  # the planner's row counts for the readers
            session.execute(text(f"ANALYZE {ROWS.name}"))
    else:
        with temporary_tables(session, AGAIN):
            again = union(
                select(dirty.c.patient_id).where(dirty.c.period == period),
                select(ROWS.c.patient_id).where(ROWS.c.period == period, ROWS.c.volatile == 1),
            )
            session.execute(insert(AGAIN).from_select(["patient_id"], again))
            ids = select(AGAIN.c.patient_id)
            if session.execute(ids.limit(1)).first() is not None:
                if postgres:
                    session.execute(text(f"ANALYZE {AGAIN.name}"))
                session.execute(
                    delete(ROWS).where(ROWS.c.period == period, ROWS.c.patient_id.in_(ids))
                )
                session.execute(rows(ids))
                session.execute(
                    delete(dirty).where(dirty.c.period == period, dirty.c.patient_id.in_(ids))
                )
    session.execute(delete(states).where(states.c.period == period))
    session.execute(insert(states).values(period=period, basis=basis, day=day, refreshed_on=today))


def _forget(session: Session, before: date) -> None:
    """The periods not refreshed since ``before`` are no longer kept."""
    states, dirty = table_of(TreatmentState), table_of(TreatmentDirty)
    old = select(states.c.period).where(states.c.refreshed_on < before)
    if session.execute(old.limit(1)).first() is None:
        return
    session.execute(delete(ROWS).where(ROWS.c.period.in_(old)))
    session.execute(delete(dirty).where(dirty.c.period.in_(old)))
    session.execute(delete(states).where(states.c.refreshed_on < before))


def _hand_on_marks(session: Session, postgres: bool) -> None:
    """The marks written since the last refresh handed on to every period kept, and removed
    (those read only: a write since has its own mark)."""
    marks, states, dirty = (
        table_of(TreatmentMark),
        table_of(TreatmentState),
        table_of(TreatmentDirty),
    )
    if session.execute(select(marks.c.id).limit(1)).first() is None:
        return
    with marks_read(session, marks) as read:
        handed = (
            select(states.c.period, read.c.patient_id)
            .select_from(read)
            .join(states, true())
            .distinct()
        )
        upsert = (postgresql.insert if postgres else sqlite.insert)(dirty).from_select(
            ["period", "patient_id"], handed
        )
        session.execute(upsert.on_conflict_do_nothing())


def _rows(
    period: str,
    model: CostModel,
    drugs: list[str],
    day: date,
    tables: tuple[Any, Any],
    patients: Any,
) -> Select[Any]:
    """The period's rows (of ``patients`` only, a query of their ids, if given): per record
    with doses in the period or a plan of a listed drug active in it, its keys, whether it is
    on a listed drug, the days it counts as adherent, its out-of-pocket over the period's
    doses and its threshold, its trips — one pass over the plans (the period's doses per plan:
    ``monitoring.doses.plan_doses``)."""
    t, k = TherapyPlan, TreatedPatient
    given = plan_doses(period, day, patients)
    start, end = model.start, model.end
    start_day, end_day = as_day(start), as_day(end)
    offset = (day - start).days  # the day, in days from the period's first
    on_drug = and_(
        t.drug.in_(drugs or [""]),
        t.start_date <= end_day,
        or_(t.end_date.is_(None), t.end_date >= start_day),
    )
    drug_plan = case((on_drug, 1), else_=0)
    with_doses = given.c.plan_id.is_not(None)
    interval = cast(t.interval_days, Integer)
    # days from the period's first: the plan's start, its first day in the period, its end
    begins = days_between(t.start_date, start_day)
    first = case((t.start_date > start_day, begins), else_=0)
    ends = days_between(t.end_date, start_day)
    # the last day the doses given cover (≥ 80% of those due: doses × 10 × interval ≥ days × 8)
    covered = first - 1 + (given.c.visits * 10 * interval) // 8
    given_drug = and_(on_drug, with_doses)
    adherent_from = case((given_drug, begins))
    adherent_through = case(
        (and_(given_drug, t.end_date.is_not(None), ends <= covered), FOREVER),
        (given_drug, covered),
    )
    # at the day itself (the records worked out at every refresh): up to the day or the end
    last = case((and_(t.end_date.is_not(None), ends < offset), ends), else_=offset)
    now = and_(
        on_drug,
        begins <= offset,
        given.c.doses * 10 * interval >= (last - first + 1) * 8,
    )
    volatile = or_(
        func.sum(drug_plan) > 1,
        func.max(case((given.c.visits > given.c.doses, 1), else_=0)) == 1,
    )
    adherent_now = func.max(case((now, 1), else_=0)) == 1
    # an infusion belongs to a plan, and to the plan's patient; a plan's keys are its patient's
    plans = (
        select(t.id)
        .join(k, k.patient_id == t.patient_id)
        .outerjoin(given, given.c.plan_id == t.id)
        .where(or_(on_drug, with_doses))
    )
    if patients is not None:
        plans = plans.where(k.patient_id.in_(patients))
    costs = plan_costs(model, plans, k, given.c.visits, given.c.vials, tables)
    first_centre, last_centre = func.min(given.c.first_centre), func.max(given.c.last_centre)
    today_only = case((adherent_now, offset))
    # grouped by the keys' primary key: the keys are the record's (one row per record)
    return costs.query.with_only_columns(
        literal(period).label("period"),
        k.patient_id,
        *(c for c in table_of(k).c if not c.primary_key),  # the keys (``PatientKeys``)
        func.max(drug_plan).label("on_drug"),
        case((volatile, today_only), else_=func.max(adherent_from)).label("adherent_from"),
        case((volatile, today_only), else_=func.max(adherent_through)).label("adherent_through"),
        case((volatile, 1), else_=0).label("volatile"),
        func.sum(case((with_doses, costs.oop))).label("oop"),
        func.max(costs.threshold).label("threshold"),
        cast(func.sum(given.c.visits), Integer).label("trips"),  # (PostgreSQL: not NUMERIC)
        case((first_centre == last_centre, first_centre)).label("trip_centre"),
    ).group_by(k.patient_id)
