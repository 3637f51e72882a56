"""The doses given in a refresh's period, gathered once for the three indicators that read
them — adherence (doses per plan), travel (trips per patient and centre) and out-of-pocket
costs (visits and vials per plan) — from the doses counted per plan and period as the infusions
are recorded (migration 0017's triggers), not from the infusions.

A temporary table of the refresh's connection (SQLite and PostgreSQL alike): rows of doses per
plan, patient, centre and whether they were given after today (a running period's adherence
counts doses due up to today only; the sums per plan, patient or centre are what counts).
Beside it, ``PEOPLE``: the period's treated records with their breakdown keys (kept for the
records with a plan, ``monitoring_treated_patients``), whether they are on a listed drug and
adherent, so that the cube's treatment measures, the travel and the costs read them once
between them. Both live for the length of the block (``sqlparts.temporary_tables``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from rarecare.care.models import Administration, TherapyPlan
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.models import DoseCount, TreatedPatient
from rarecare.monitoring.sqlparts import as_day, days_between, period_range, temporary_tables
from rarecare.storage.base import table_of

DOSES = Table(
    "monitoring_refresh_doses",
    MetaData(),
    Column("plan_id", Integer, nullable=False),
    Column("patient_id", Integer, nullable=False),
    Column("centre_id", Integer, nullable=False),
    Column("after_today", Boolean, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("vials", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
PEOPLE = Table(  # the period's treated records: their breakdown keys, read once
    "monitoring_refresh_people",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("province", String(16), nullable=False),
    Column("former", String(16), nullable=False),
    Column("sex", String(16), nullable=False),
    Column("centre", String(16), nullable=False),
    Column("disease", String(16), nullable=False),
    Column("born", Integer, nullable=False),  # month (year × 12 + month − 1)
    Column("registered", Integer, nullable=False),  # month
    Column("on_drug", Integer, nullable=False),  # a plan of a listed drug active in the period
    Column("adherent", Integer, nullable=False),  # such a plan given ≥ 80% of its doses due
    prefixes=["TEMPORARY"],
)


@contextmanager
def period_doses(session: Session, period: str, today: date) -> Iterator[Table]:
    """The period's doses per plan, patient and centre, for the length of the block.

    Read from the doses counted per period as they are recorded (``monitoring_dose_counts``,
    kept by triggers on the infusions), not from the infusions themselves; the few given after
    today (recorded ahead) are read from the infusions and set apart."""
    a = Administration
    counts = table_of(DoseCount)
    start, end = period_range(period)
    period = period.strip().upper()  # as the counts name it (2026Q1)
    later = (
        select(
            a.plan_id,
            a.patient_id,
            a.centre_id,
            func.count().label("visits"),
            func.coalesce(func.sum(a.vials), 0).label("vials"),
        )
        .where(a.given_on > as_day(today), a.given_on >= as_day(start), a.given_on <= as_day(end))
        .group_by(a.plan_id, a.patient_id, a.centre_id)
        .subquery("later")
    )
    columns = ("plan_id", "patient_id", "centre_id")
    with temporary_tables(session, DOSES, PEOPLE):
        names = [c.name for c in DOSES.columns]
        # every dose counted in the period, as given up to today; those given after today
        # (read from the infusions once) added apart and taken back from them (the sums per
        # plan, patient or centre add up)
        session.execute(
            insert(DOSES).from_select(
                names,
                select(
                    *(counts.c[c] for c in columns),
                    literal(False),
                    counts.c.visits,
                    counts.c.vials,
                ).where(counts.c.period == period, counts.c.visits != 0),
            )
        )
        session.execute(
            insert(DOSES).from_select(
                names,
                select(
                    *(later.c[c] for c in columns), literal(True), later.c.visits, later.c.vials
                ),
            )
        )
        session.execute(
            insert(DOSES).from_select(
                names,
                select(
                    *(DOSES.c[c] for c in columns),
                    literal(False),
                    -DOSES.c.visits,
                    -DOSES.c.vials,
                ).where(DOSES.c.after_today.is_(True)),
            )
        )
        session.execute(
            insert(PEOPLE).from_select(
                [c.name for c in PEOPLE.columns], _people(start, end, today, session)
            )
        )
        if session.get_bind().dialect.name == "postgresql":  # row counts (join columns only)
            session.execute(text(f"ANALYZE {DOSES.name} (plan_id, patient_id)"))
            session.execute(text(f"ANALYZE {PEOPLE.name} (id)"))
        yield DOSES


def _people(start: date, end: date, today: date, session: Session) -> Any:
    """The records with doses in the period or a plan of a listed drug active in it, with the
    keys the indicators break them down by (kept apart for the records with a plan: see
    ``monitoring.cells``), whether they are on a listed drug and whether such a plan was given
    at least 80% of its doses due (days on the plan within the period, up to today while it
    runs, ÷ its interval): one pass for every indicator of the period's treatment."""
    t, k = TherapyPlan, TreatedPatient
    start_day, end_day = as_day(start), as_day(end)
    until = min(end, today)
    given = (  # doses given in the period, up to today, per plan
        select(
            DOSES.c.plan_id,
            func.sum(case((DOSES.c.after_today.is_(False), DOSES.c.visits), else_=0)).label(
                "doses"
            ),
        )
        .group_by(DOSES.c.plan_id)
        .subquery("given")
    )
    first = case((t.start_date > start_day, t.start_date), else_=start_day)
    last = case(
        (and_(t.end_date.is_not(None), t.end_date < as_day(until)), t.end_date),
        else_=as_day(until),
    )
    due = (days_between(last, first) + 1) / cast(t.interval_days, Integer)
    on_drug = and_(
        t.drug.in_(listed_drugs(session) or [""]),
        t.start_date <= end_day,
        or_(t.end_date.is_(None), t.end_date >= start_day),
    )
    adherent = and_(on_drug, t.start_date <= as_day(until), given.c.doses * 10 >= due * 8)
    # one row per plan with doses in the period or of a listed drug active in it (an infusion
    # belongs to a plan, and to the plan's patient)
    treated = (
        select(
            t.patient_id.label("id"),
            func.max(case((on_drug, 1), else_=0)).label("on_drug"),
            func.max(case((adherent, 1), else_=0)).label("adherent"),
        )
        .outerjoin(given, given.c.plan_id == t.id)
        .where(or_(on_drug, given.c.plan_id.is_not(None)))
        .group_by(t.patient_id)
        .subquery("treated")
    )
    return select(
        k.patient_id,
        k.province,
        k.former,
        k.sex,
        k.centre,
        k.disease,
        k.born,
        k.registered,
        treated.c.on_drug,
        treated.c.adherent,
    ).join(treated, treated.c.id == k.patient_id)
