"""The period's treatment, worked out once per refresh for the indicators that read it: the
cube's "on a listed drug" and "adherent" (``monitoring.cube``) and what families pay
(``monitoring.costs``), and the trips (``engine._travel``) with the travel model's distances
kept here.

``PEOPLE``, a temporary table of the refresh's connection (SQLite and PostgreSQL alike): one
row per record with doses in the period or a plan of a listed drug active in it, with the keys
the indicators break it down by (kept apart for the records with a plan,
``monitoring_treated_patients``), whether it is on a listed drug, whether such a plan was given
at least 80% of its doses due, its out-of-pocket over the period's doses (NULL when none was
given) with its catastrophic threshold, and its infusions with the centre they were given at
when it is one centre (most records: the trips of the others are counted from their plans'
dose counts) — gathered in one pass over the plans, their doses
(``monitoring.doses``) and their patients' keys, and summed per patient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from rarecare.care.models import TherapyPlan
from rarecare.care.travel import road_km
from rarecare.centres.models import Centre
from rarecare.geo import current_provinces
from rarecare.monitoring.costs import CostModel, cost_model, lookups, plan_costs
from rarecare.monitoring.doses import plan_doses
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.models import TreatedPatient
from rarecare.monitoring.sqlparts import as_day, days_between, period_range, temporary_table_as
from rarecare.storage.base import table_of

Distances = dict[tuple[str, str], tuple[float, int]]

PEOPLE = Table(  # the period's treated records (created AS a query: its columns, to read them)
    "monitoring_refresh_people",
    MetaData(),
    Column("id", Integer, nullable=False),  # the record (no index: it is only hash-joined)
    Column("province", String(16), nullable=False),
    Column("former", String(16), nullable=False),
    Column("sex", String(16), nullable=False),
    Column("centre", String(16), nullable=False),
    Column("disease", String(16), nullable=False),
    Column("born", Integer, nullable=False),  # month (year × 12 + month − 1)
    Column("registered", Integer, nullable=False),  # month
    Column("on_drug", Integer, nullable=False),  # a plan of a listed drug active in the period
    Column("adherent", Integer, nullable=False),  # such a plan given ≥ 80% of its doses due
    Column("oop", Float),  # out-of-pocket over the period's doses (NULL: none given)
    Column("threshold", Float),  # catastrophic above this (NULL: household income unknown)
    Column("trips", Integer),  # infusions in the period (NULL: none given)
    Column("trip_centre", Integer),  # where, if all at one centre (NULL: several, or none)
)


@dataclass(frozen=True)
class Treatment:
    """What a refresh's indicators of treatment read, for the length of the block."""

    period: str
    people: Table  # PEOPLE
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
    """The period's treated records, for the length of the block."""
    start, end = period_range(period)
    km = distances(session)
    model = cost_model(session, start, end)
    with lookups(session, model, km) as tables:
        people = _people(session, model, plan_doses(period, today), today, tables)
        with temporary_table_as(session, PEOPLE, people):
            if session.get_bind().dialect.name == "postgresql":  # row counts (join column)
                session.execute(text(f"ANALYZE {PEOPLE.name} (id)"))
            yield Treatment(period, PEOPLE, km)


def _people(
    session: Session, model: CostModel, given: Any, today: date, tables: tuple[Any, Any]
) -> Select[Any]:
    """Per record with doses in the period or a plan of a listed drug active in it: its keys,
    whether it is on a listed drug and whether such a plan was given at least 80% of its doses
    due (days on the plan within the period, up to today while it runs, ÷ its interval), its
    out-of-pocket over the period's doses and its threshold — one pass over the plans
    (``given``: the period's doses per plan, ``monitoring.doses.plan_doses``)."""
    t, k = TherapyPlan, TreatedPatient
    start, end = model.start, model.end
    start_day, end_day = as_day(start), as_day(end)
    until = min(end, today)
    first = case((t.start_date > start_day, t.start_date), else_=start_day)
    last = case(
        (and_(t.end_date.is_not(None), t.end_date < as_day(until)), t.end_date),
        else_=as_day(until),
    )
    days = days_between(last, first) + 1  # on the plan within the period, up to today
    on_drug = and_(
        t.drug.in_(listed_drugs(session) or [""]),
        t.start_date <= end_day,
        or_(t.end_date.is_(None), t.end_date >= start_day),
    )
    # given ≥ 80% of the doses due (days ÷ interval), in whole numbers
    adherent = and_(
        on_drug,
        t.start_date <= as_day(until),
        given.c.doses * 10 * cast(t.interval_days, Integer) >= days * 8,
    )
    # an infusion belongs to a plan, and to the plan's patient; a plan's keys are its patient's
    plans = (
        select(t.id)
        .join(k, k.patient_id == t.patient_id)
        .outerjoin(given, given.c.plan_id == t.id)
        .where(or_(on_drug, given.c.plan_id.is_not(None)))
    )
    costs = plan_costs(model, plans, k, given.c.visits, given.c.vials, tables)
    with_doses = given.c.plan_id.is_not(None)
    first_centre, last_centre = func.min(given.c.first_centre), func.max(given.c.last_centre)
    # grouped by the keys' primary key: the keys are the record's (one row per record)
    return costs.query.with_only_columns(
        k.patient_id.label("id"),
        *(c for c in table_of(k).c if not c.primary_key),  # the keys (``PatientKeys``)
        func.max(case((on_drug, 1), else_=0)).label("on_drug"),
        func.max(case((adherent, 1), else_=0)).label("adherent"),
        func.sum(case((with_doses, costs.oop))).label("oop"),
        func.max(costs.threshold).label("threshold"),
        cast(func.sum(given.c.visits), Integer).label("trips"),  # (PostgreSQL: not NUMERIC)
        case((first_centre == last_centre, first_centre)).label("trip_centre"),
    ).group_by(k.patient_id)
