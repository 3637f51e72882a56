"""The SQL pieces of the indicator engine: DHIS2 period ids, day arithmetic that compiles on
SQLite and PostgreSQL alike, dates bound with their types, a computed value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    case,
    column,
    insert,
    literal,
    select,
    text,
    values,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring.definitions import Indicator
from rarecare.storage.base import UTCDateTime

PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|(0[1-9]|1[0-2]))?$")


def period_range(period: str) -> tuple[date, date]:
    """DHIS2-style period ids: ``2026`` (year), ``2026Q1`` (quarter), ``202603`` (month)."""
    match = PERIOD.match(period.strip().upper())
    if not match:
        raise ValidationFailed(
            _("Invalid period."),
            [
                FieldError(
                    "period",
                    N_("%(period)s: expected 2026, 2026Q1 or 202603"),
                    params={"period": period},
                )
            ],
        )
    year = int(match[1])
    if match[2]:
        first_month, months = 3 * int(match[2]) - 2, 3
    elif match[3]:
        first_month, months = int(match[3]), 1
    else:
        first_month, months = 1, 12
    start = date(year, first_month, 1)
    after = first_month + months
    end = date(year + (after > 12), (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


class days_between(FunctionElement[int]):  # noqa: N801 - a SQL function's name
    """``later - earlier`` in whole days (PostgreSQL date arithmetic, SQLite julianday)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between)
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class add_months(FunctionElement[date]):  # noqa: N801 - a SQL function's name
    """``day`` plus ``months`` calendar months."""

    type = Date()
    inherit_cache = True


@compiles(add_months, "postgresql")
def _add_months_pg(element: add_months, compiler: Any, **kw: Any) -> str:
    day, months = list(element.clauses)
    return (
        f"CAST({compiler.process(day, **kw)} + make_interval(months => "
        f"{compiler.process(months, **kw)}) AS DATE)"
    )


@compiles(add_months)
def _add_months_sqlite(element: add_months, compiler: Any, **kw: Any) -> str:
    day, months = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, '+' || {compiler.process(months, **kw)} || ' months')"
    )


class month_of(FunctionElement[int]):  # noqa: N801 - a SQL function's name
    """The month of a date or a UTC timestamp as one number: year × 12 + month − 1."""

    type = Integer()
    inherit_cache = True


@compiles(month_of, "postgresql")
def _month_pg(element: month_of, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    value = compiler.process(day, **kw)
    if isinstance(day.type, DateTime | UTCDateTime):  # a timestamp: its month in UTC
        value = f"({value} AT TIME ZONE 'UTC')"
    return (
        f"(CAST(EXTRACT(YEAR FROM {value}) AS INTEGER) * 12 "
        f"+ CAST(EXTRACT(MONTH FROM {value}) AS INTEGER) - 1)"
    )


@compiles(month_of)
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    value = compiler.process(day, **kw)  # SQLite keeps UTC timestamps as text without a zone
    return (
        f"(CAST(strftime('%Y', {value}) AS INTEGER) * 12 "
        f"+ CAST(strftime('%m', {value}) AS INTEGER) - 1)"
    )


def month_number(day: date) -> int:
    """``month_of`` in Python."""
    return day.year * 12 + day.month - 1


class add_days(FunctionElement[date]):  # noqa: N801 - a SQL function's name
    """``day`` plus ``days`` days."""

    type = Date()
    inherit_cache = True


@compiles(add_days, "postgresql")
def _add_days_pg(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"


@compiles(add_days)
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+' || {compiler.process(days, **kw)} || ' days')"


@contextmanager
def temporary_tables(session: Session, *tables: Table) -> Iterator[None]:
    """``tables`` (declared TEMPORARY) created afresh on the session's connection for the length
    of the block, and dropped when it is done; after an error the transaction's rollback undoes
    them (a DROP in a failed PostgreSQL transaction would hide the error)."""
    connection = session.connection()
    for table in tables:
        connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
        table.create(connection)
    yield
    for table in tables:
        connection.execute(text(f"DROP TABLE {table.name}"))


MARKS_READ = Table(  # the marks one refresh step reads (removed when it is done)
    "monitoring_marks_read",
    MetaData(),
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("patient_id", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


@contextmanager
def marks_read(session: Session, marks: Table) -> Iterator[Table]:
    """The rows of ``marks`` (``id``, ``patient_id``: records marked by the writers, who only
    ever insert them, so that no write waits for a refresh) as they are now, in a temporary
    table for the length of the block; then the marks read, and only those, are removed: a
    write since has its own mark."""
    with temporary_tables(session, MARKS_READ):
        session.execute(
            insert(MARKS_READ).from_select(
                ["id", "patient_id"], select(marks.c.id, marks.c.patient_id)
            )
        )
        yield MARKS_READ
        session.execute(marks.delete().where(marks.c.id.in_(select(MARKS_READ.c.id))))


@contextmanager
def lookup(session: Session, table: Table, rows: list[dict[str, Any]]) -> Iterator[FromClause]:
    """A small lookup joined by key, with ``table``'s name and columns: a VALUES list on
    PostgreSQL (a query reading it may use parallel workers, which a temporary table forbids),
    a temporary table elsewhere (SQLite names no columns of a VALUES list)."""
    if rows and session.get_bind().dialect.name == "postgresql":
        names = [c.name for c in table.columns]
        listed = values(*(column(c.name, c.type) for c in table.columns), name=table.name)
        yield listed.data([tuple(row[name] for name in names) for row in rows])
        return
    with temporary_tables(session, table):
        if rows:
            session.execute(insert(table), rows)
        yield table


@dataclass(frozen=True)
class Value:
    indicator: str
    breakdown: str  # "" for the whole country
    key: str  # the group (province code, centre id, ORPHA code, ...); "" for the country
    numerator: float
    denominator: float | None
    value: float | None


def as_day(value: date) -> ColumnElement[Any]:
    """A date bound as a parameter of the DATE type (compared with DATE columns)."""
    return literal(value, Date())


def as_moment(value: date) -> ColumnElement[Any]:
    """Midnight UTC of a day, bound as the timestamp type (compared with created/updated)."""
    return literal(datetime.combine(value, time.min, tzinfo=UTC), UTCDateTime())


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def ratio(indicator: Indicator, num: float, den: float | None) -> float | None:
    if indicator.denominator is None:
        return num
    if not den:
        return None
    scale = 100_000 if indicator.unit == "per_100k" else 100
    return round(num / den * scale, 4)
