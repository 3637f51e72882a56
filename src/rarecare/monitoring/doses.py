"""The doses given in a refresh's period, gathered once for the three indicators that read
them — adherence (doses per plan), travel (trips per patient and centre) and out-of-pocket
costs (visits and vials per plan) — from the doses counted per plan and period as the infusions
are recorded (migration 0017's triggers), not from the infusions.

A temporary table of the refresh's connection (SQLite and PostgreSQL alike): one row per plan,
patient, centre and whether the doses were given after today (a running period's adherence
counts doses due up to today only). Beside it, ``PEOPLE``: the period's treated records with
their breakdown keys, so that the cube's treatment measures, the travel and the costs read
the patient table once between them. Both live for the length of the block
(``sqlparts.temporary_tables``)."""

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
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from rarecare.care.models import Administration, TherapyPlan
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.models import DoseCount, PatientFacts
from rarecare.monitoring.sqlparts import as_day, period_range, temporary_tables
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
    rows = union_all(
        select(*(counts.c[c] for c in columns), counts.c.visits, counts.c.vials).where(
            counts.c.period == period, counts.c.visits != 0
        ),
        select(*(later.c[c] for c in columns), -later.c.visits, -later.c.vials),
    ).subquery("rows")
    given = (
        select(
            *(rows.c[c] for c in columns),
            literal(False),
            func.sum(rows.c.visits),
            func.sum(rows.c.vials),
        )
        .group_by(*(rows.c[c] for c in columns))
        .having(func.sum(rows.c.visits) != 0)
    )
    with temporary_tables(session, DOSES, PEOPLE):
        names = [c.name for c in DOSES.columns]
        session.execute(insert(DOSES).from_select(names, given))
        session.execute(
            insert(DOSES).from_select(
                names,
                select(
                    *(later.c[c] for c in columns), literal(True), later.c.visits, later.c.vials
                ),
            )
        )
        session.execute(
            insert(PEOPLE).from_select(
                [c.name for c in PEOPLE.columns], _people(start, end, session)
            )
        )
        if session.get_bind().dialect.name == "postgresql":  # row counts (join columns only)
            session.execute(text(f"ANALYZE {DOSES.name} (plan_id, patient_id)"))
            session.execute(text(f"ANALYZE {PEOPLE.name} (id)"))
        yield DOSES


def _people(start: date, end: date, session: Session) -> Any:
    """The records with doses in the period or a plan of a listed drug active in it, with the
    keys the indicators break them down by: one pass over the records' facts (narrower than
    the patient table, and current: a refresh brings them up to date first) for every
    indicator of the period's treatment."""
    f, t = PatientFacts, TherapyPlan  # the records' facts, as counted into the cells
    treated = union(
        select(DOSES.c.patient_id),
        select(t.patient_id).where(
            t.drug.in_(listed_drugs(session) or [""]),
            t.start_date <= as_day(end),
            or_(t.end_date.is_(None), t.end_date >= as_day(start)),
        ),
    )
    return select(
        f.patient_id,
        f.province,
        f.former,
        f.sex,
        f.centre,
        f.disease,
        f.born,
        f.registered,
    ).where(f.patient_id.in_(treated))
