"""The doses given in a refresh's period, aggregated once for the three indicators that read
them — adherence (doses per plan), travel (trips per patient and centre) and out-of-pocket
costs (visits and vials per plan) — instead of one pass over the infusions each.

A temporary table of the refresh's connection (SQLite and PostgreSQL alike): one row per plan,
patient, centre and whether the doses were given after today (a running period's adherence
counts doses due up to today only). It is dropped when the refresh is done, or undone with
the refresh's transaction when it fails."""

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
    select,
    text,
)
from sqlalchemy.orm import Session

from rarecare.care.models import Administration
from rarecare.monitoring.sqlparts import as_day

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
def period_doses(session: Session, start: date, end: date, today: date) -> Iterator[Table]:
    """The period's doses per plan, patient and centre, for the length of the block."""
    a = Administration
    connection = session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS {DOSES.name}"))
    DOSES.create(connection)
    after_today = a.given_on > as_day(today)
    session.execute(
        insert(DOSES).from_select(
            [c.name for c in DOSES.columns],
            select(
                a.plan_id,
                a.patient_id,
                a.centre_id,
                after_today,
                func.count(),
                func.coalesce(func.sum(a.vials), 0),
            )
            .where(a.given_on >= as_day(start), a.given_on <= as_day(end))
            .group_by(a.plan_id, a.patient_id, a.centre_id, after_today),
        )
    )
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {DOSES.name}"))  # the planner's row counts
    yield DOSES
    # dropped when the block is done; after an error the transaction's rollback undoes it
    connection.execute(text(f"DROP TABLE {DOSES.name}"))
