"""The doses given in a refresh's period, gathered once for the indicators that read them —
adherence and out-of-pocket costs (doses and vials per plan, see ``monitoring.treatment``) and
travel (trips per patient and centre) — from the doses counted per plan and period as the
infusions are recorded (migration 0017's triggers), not from the infusions.

A temporary table of the refresh's connection (SQLite and PostgreSQL alike): rows of doses per
plan, patient, centre and whether they were given after today (a running period's adherence
counts doses due up to today only; the sums per plan, patient or centre are what counts). It
lives for the length of the block (``sqlparts.temporary_tables``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from rarecare.care.models import Administration
from rarecare.monitoring.models import DoseCount
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
    with temporary_tables(session, DOSES):
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
        if session.get_bind().dialect.name == "postgresql":  # row counts (join columns only)
            session.execute(text(f"ANALYZE {DOSES.name} (plan_id, patient_id)"))
        yield DOSES
