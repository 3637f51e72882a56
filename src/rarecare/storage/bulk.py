"""What bulk loads share: rows in PostgreSQL's binary COPY format, and chunks of rows prepared
(checked, encrypted, formatted) by forked worker processes while the parent writes the previous
chunk into the database."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Generic, TypeVar

from psycopg._copy_base import BinaryFormatter  # the formatter of psycopg's cursor.copy()
from psycopg.adapt import Transformer
from psycopg.postgres import types as pg_types
from psycopg.pq import Format
from sqlalchemy import text
from sqlalchemy.orm import Session

R = TypeVar("R")  # a row to prepare
C = TypeVar("C")  # what preparing needs (inherited by forked workers, never pickled)
P = TypeVar("P")  # a prepared chunk (pickled back to the parent)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class IdAllocator:
    """Ids for rows about to be written to ``table``: from the table's sequence on PostgreSQL;
    on SQLite counted on from the highest id (the import holds the database's single write
    lock)."""

    def __init__(self, session: Session, table: str = "registry_patients") -> None:
        self.session, self.table = session, table
        self._postgres = is_postgres(session)
        self._next = (
            0 if self._postgres else (session.scalar(text(f"SELECT max(id) FROM {table}")) or 0) + 1  # noqa: S608 - a table name of ours
        )

    def __call__(self, n: int) -> list[int]:
        if self._postgres:
            ids = self.session.scalar(
                text(
                    f"SELECT array_agg(nextval(pg_get_serial_sequence('{self.table}', 'id')))"  # noqa: S608
                    " FROM generate_series(1, :n)"
                ),
                {"n": n},
            )
            return list(ids)
        start, self._next = self._next, self._next + n
        return list(range(start, start + n))


def copy_binary(rows: list[tuple[Any, ...]], types: tuple[str, ...]) -> bytes:
    """Rows in PostgreSQL's binary COPY format, by psycopg's own formatter (a tenth of the
    cost of the text format, and cheaper for the server to read)."""
    transformer = Transformer()
    transformer.set_dumper_types([pg_types[t].oid for t in types], Format.BINARY)
    formatter = BinaryFormatter(transformer)
    parts = [formatter.write_row(row) for row in rows]
    parts.append(formatter.end())
    return b"".join(parts)


class Job(Generic[R, C, P]):
    """``work(chunk, ids, context)`` over ``rows``: set before forking, read by the workers."""

    def __init__(
        self,
        work: Callable[[Sequence[R], Sequence[int] | None, C], P],
        rows: Sequence[R],
        context: C,
    ) -> None:
        self.work, self.rows, self.context = work, rows, context


_JOB: Job[Any, Any, Any] | None = None


def _work(start: int, end: int, ids: list[int] | None) -> Any:
    assert _JOB is not None
    return _JOB.work(_JOB.rows[start:end], ids, _JOB.context)


def prepared_chunks(
    job: Job[R, C, P],
    *,
    allocate: Callable[[int], list[int]] | None,
    size: int,
    workers: int = 0,
) -> Iterator[P]:
    """Every chunk of ``size`` rows, prepared in order. ``allocate(n)`` gives n ids (None: a
    dry run). With ``workers`` > 1 and more than one chunk, the chunks are prepared by that
    many forked processes, at most ``workers + 1`` ahead of the consumer."""
    rows = job.rows
    bounds = [(i, min(i + size, len(rows))) for i in range(0, len(rows), size)]
    parallel = workers > 1 and len(bounds) > 1 and "fork" in multiprocessing.get_all_start_methods()
    if not parallel:
        for start, end in bounds:
            ids = allocate(end - start) if allocate else None
            yield job.work(rows[start:end], ids, job.context)
        return
    global _JOB
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from _in_order(pool, bounds, allocate, workers + 1)
    finally:
        _JOB = None


def _in_order(
    pool: Pool,
    bounds: list[tuple[int, int]],
    allocate: Callable[[int], list[int]] | None,
    ahead: int,
) -> Iterator[Any]:
    pending: deque[AsyncResult[Any]] = deque()
    for start, end in bounds:
        ids = allocate(end - start) if allocate else None
        pending.append(pool.apply_async(_work, (start, end, ids)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
