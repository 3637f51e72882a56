"""Medians and sums per breakdown, in one pass where the database allows: PostgreSQL's
GROUPING SETS with ``percentile_cont``, SQLite's window functions; and the median of a
histogram (values with their counts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session


def grouped_by(flags: int, names: Sequence[str]) -> str:
    """The one column of ``names`` a grouping-sets row is grouped by ("" for the grand total),
    from PostgreSQL's GROUPING() bits (first name = highest bit, 1 = aggregated over)."""
    everything = (1 << len(names)) - 1
    for bit, name in enumerate(names):
        if flags == everything ^ (1 << (len(names) - 1 - bit)):
            return name
    return ""


def grouped(
    session: Session,
    rows: Any,
    breakdowns: Sequence[str],
    medians: Sequence[str],
    sums: Sequence[str] = (),
) -> Iterator[tuple[str, str, dict[str, tuple[float, float | None]]]]:
    """Per breakdown and group of ``rows`` (a subquery with a column per breakdown but ""):
    (breakdown, key, {column: (count, median)} for ``medians`` and {column: (sum, None)} for
    ``sums``). The median of an even count is the mean of the two middle values; NULLs are
    left out. PostgreSQL: one pass for every breakdown (GROUPING SETS); SQLite: one GROUP BY
    (window functions for the medians) per breakdown."""
    names = [b for b in breakdowns if b]
    if session.get_bind().dialect.name == "postgresql":
        aggregates = [
            *(
                func.percentile_cont(0.5).within_group(rows.c[m]).label(f"median_{m}")
                for m in medians
            ),
            *(func.count(rows.c[m]).label(f"n_{m}") for m in medians),
            *(func.sum(rows.c[s]).label(f"sum_{s}") for s in sums),
        ]
        flags = func.grouping(*(rows.c[b] for b in names)).label("flags") if names else literal(0)
        query = select(flags, *(rows.c[b] for b in names), *aggregates).group_by(
            func.grouping_sets(tuple_(), *(tuple_(rows.c[b]) for b in names))
        )
        for row in session.execute(query):
            values = row._mapping
            breakdown = grouped_by(values["flags"], names) if names else ""
            out: dict[str, tuple[float, float | None]] = {
                m: (float(values[f"n_{m}"]), as_number(values[f"median_{m}"])) for m in medians
            }
            out.update({s: (float(values[f"sum_{s}"] or 0), None) for s in sums})
            yield breakdown, str(values[breakdown] or "") if breakdown else "", out
        return
    for breakdown in ("", *names):
        key = rows.c[breakdown] if breakdown else literal("")
        found: dict[str, dict[str, tuple[float, float | None]]] = defaultdict(dict)
        for column in medians:
            ranked = select(key.label("key"), rows.c[column].label("value")).where(
                rows.c[column].is_not(None)
            )
            for group, median, count in session.execute(window_medians(ranked.subquery())):
                found[str(group or "")][column] = (float(count), as_number(median))
        if sums:
            query = select(key, *(func.sum(rows.c[s]) for s in sums)).group_by(key)
            for group, *totals in session.execute(query):
                found[str(group or "")].update(
                    {s: (float(t or 0), None) for s, t in zip(sums, totals, strict=True)}
                )
        for group, out in found.items():
            yield (
                breakdown,
                group,
                {
                    **dict.fromkeys(medians, (0.0, None)),
                    **dict.fromkeys(sums, (0.0, None)),
                    **out,
                },
            )


def as_number(value: Any) -> float | None:
    return None if value is None else float(value)


def window_medians(rows: Any) -> Any:
    """(key, median of value, count) per key of ``rows`` (columns ``key``, ``value``) by window
    functions: the middle value, or the mean of the two middle values of an even count."""
    ranked = select(
        rows.c.key,
        rows.c.value,
        func.row_number().over(partition_by=rows.c.key, order_by=rows.c.value).label("rn"),
        func.count().over(partition_by=rows.c.key).label("n"),
    ).subquery()
    return (
        select(ranked.c.key, func.avg(ranked.c.value), func.max(ranked.c.n))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
        .group_by(ranked.c.key)
    )


def weighted_median(counts: Sequence[tuple[float, float]]) -> float | None:
    """The median of values given with their counts: the middle value, or the mean of the two
    middle values of an even total count."""
    ordered = sorted((value, count) for value, count in counts if count > 0)
    total = sum(count for _value, count in ordered)
    if not total:
        return None
    low, high = (total + 1) // 2, (total + 2) // 2  # the ranks of the middle values
    middle: list[float] = []
    seen = 0.0
    for value, count in ordered:
        seen += count
        while len(middle) < 2 and seen >= (low, high)[len(middle)]:
            middle.append(value)
        if len(middle) == 2:
            break
    return sum(middle) / 2
