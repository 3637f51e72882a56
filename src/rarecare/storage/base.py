"""The declarative base shared by every feature package's ``models.py``."""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import DateTime, MetaData, Table
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def table_of(model: type[Any]) -> Table:
    """A model's table, typed as one (for Core statements: bulk inserts, updates, upserts)."""
    return typing.cast(Table, model.__table__)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


T = TypeVar("T")
IN_LIST = 5_000  # values per IN (...) list: well under SQLite's bound-parameter limit


def in_chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, for queries filtering on a long IN list."""
    values = list(items)
    for i in range(0, len(values), size):
        yield values[i : i + size]
