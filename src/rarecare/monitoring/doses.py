"""The doses given in a refresh's period, as the indicators read them — adherence and
out-of-pocket costs (per plan, see ``monitoring.treatment``) and travel (trips per patient and
centre, ``engine._travel``) — from the doses counted per plan and period as the infusions are
recorded (migration 0017's triggers), not from the infusions.

Subqueries over permanent tables only (SQLite and PostgreSQL alike), so that PostgreSQL may
read them with parallel workers. A running period's adherence counts the doses due up to today
only: the few given after today (recorded ahead) are read from the infusions (indexed by day)
and taken back from the doses counted."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Subquery

from rarecare.care.models import Administration
from rarecare.monitoring.models import DoseCount
from rarecare.monitoring.sqlparts import as_day, period_range
from rarecare.storage.base import table_of


def counted(period: str, patients: Any = None) -> Subquery:
    """The doses counted in the period, per plan, patient and centre (of ``patients`` only, a
    query of their ids, if given)."""
    counts = table_of(DoseCount)
    name = period.strip().upper()  # as the counts name it (2026Q1)
    query = select(
        counts.c.plan_id,
        counts.c.patient_id,
        counts.c.centre_id,
        counts.c.visits,
        counts.c.vials,
    ).where(counts.c.period == name, counts.c.visits != 0)
    if patients is not None:
        query = query.where(counts.c.patient_id.in_(patients))
    return query.subquery("counted")


def plan_doses(period: str, today: date, patients: Any = None) -> Subquery:
    """Per plan with doses in the period: ``visits`` (infusions) and ``vials`` given in the
    period, ``doses`` given up to today, and the lowest and highest centre they were given at
    (the same for a plan given at one centre); of ``patients`` only, if given."""
    a = Administration
    start, end = period_range(period)
    rows = counted(period, patients)
    given = (
        select(
            rows.c.plan_id,
            func.sum(rows.c.visits).label("visits"),
            func.sum(rows.c.vials).label("vials"),
            func.min(rows.c.centre_id).label("first_centre"),
            func.max(rows.c.centre_id).label("last_centre"),
        )
        .group_by(rows.c.plan_id)
        .subquery("given")
    )
    later = (  # recorded ahead: given after today, within the period
        select(a.plan_id, func.count().label("visits"))
        .where(a.given_on > as_day(today), a.given_on >= as_day(start), a.given_on <= as_day(end))
        .group_by(a.plan_id)
        .subquery("later")
    )
    return (
        select(
            given.c.plan_id,
            given.c.visits,
            given.c.vials,
            (given.c.visits - func.coalesce(later.c.visits, 0)).label("doses"),
            given.c.first_centre,
            given.c.last_centre,
        )
        .outerjoin(later, later.c.plan_id == given.c.plan_id)
        .subquery("plan_doses")
    )
