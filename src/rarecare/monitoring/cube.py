"""The patient cube of the indicator engine: per group of every patient breakdown, the sums of
every per-record measure of a period (SQLite and PostgreSQL alike).

The measures of the records themselves come from the maintained patient cells
(``monitoring.cells``: a few hundred thousand rows, whatever the number of records); the two
that depend on the period's therapy — on a listed drug, given at least 80% of the doses due —
are summed over the treated records only, in two groupings: (province, former province, sex,
age band) and (centre, disease). Every breakdown is an exact roll-up (the sums add up): the
nation, provinces, former provinces, sexes and age bands; centres, diseases and a centre's
diseases. PostgreSQL sums both groupings in one pass (GROUPING SETS); SQLite counts each record
in two plain GROUP BY groups at once (joined to two "parts")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    case,
    func,
    literal,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.elements import ColumnElement

from rarecare.monitoring import cells
from rarecare.monitoring.definitions import AGE_BANDS
from rarecare.monitoring.sqlparts import month_number

Cube = dict[str, dict[str, dict[str, float]]]  # breakdown → group → measure → sum

# the breakdowns rolled up from each part, and where their key is in the part's columns
PART_1 = {"": (), "province": (0,), "former_province": (1,), "sex": (2,), "age_band": (3,)}
PART_2 = {"centre": (0,), "disease": (1,), "centre_disease": (0, 1)}
CELL_PART_1 = {"": (), "province": (0,), "former_province": (1,), "sex": (2,)}
TREATED = ("on_drug", "adherent")  # the measures of the period's therapy
MEASURES = (*cells.STATES, "new", "updated", "elements_due", *TREATED)
BAND_YEARS = (5, 16, 40, 65)  # where each of AGE_BANDS but the last ends (age in whole years)


def patient_cube(session: Session, start: date, end: date, people: FromClause) -> Cube:
    """breakdown → group → the sums of every per-record measure of the period (the patient cells
    are brought up to date first: see ``monitoring.cells.sync``; ``people``: the period's
    treated records, ``monitoring.treatment.people``)."""
    last = month_number(end)
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(_no_sums)
    for part, group, sums in cells.period_sums(session, start, end):
        sums["elements_due"] = 16 * sums["registered"]
        if part == 3:  # month of birth → age band at the period's end
            age = last - int(group[0])
            sums["child"] = sums["alive"] if age < cells.CHILD_MONTHS else 0.0
            targets = [("age_band", _band(age))]
        else:
            keys = [str(value or "") for value in group]
            targets = [
                (breakdown, "|".join(keys[c] for c in columns))
                for breakdown, columns in (CELL_PART_1 if part == 1 else PART_2).items()
            ]
        for place in targets:
            for name, value in sums.items():
                totals[place][name] += value
    for part, raw, values in _treated(session, end, people):
        group = [str(value or "") for value in raw]
        for breakdown, columns in (PART_1 if part == 1 else PART_2).items():
            target = totals[(breakdown, "|".join(group[c] for c in columns))]
            for name in TREATED:
                target[name] += float(values[name] or 0)
    cube: Cube = defaultdict(dict)
    for (breakdown, key), measured in totals.items():
        cube[breakdown][key] = dict(measured)
    return cube


def _no_sums() -> dict[str, float]:
    return dict.fromkeys(MEASURES, 0.0)


def _band(months: int) -> str:
    """The age band of an age in months."""
    for years, band in zip(BAND_YEARS, AGE_BANDS, strict=False):
        if months < years * 12:
            return band
    return AGE_BANDS[-1]


def _treated(session: Session, end: date, people: FromClause) -> list[tuple[int, list[Any], Any]]:
    """(part, group, sums of TREATED) over the period's treated records."""
    p = people
    last = month_number(end)

    # "younger than N at the period's end" ⟺ born after the month N years before (whole
    # months, as the birth month is all the registry keeps)
    def younger_than(years: int) -> ColumnElement[bool]:
        return p.c.born > last - 12 * years

    age_band = case(
        *((younger_than(years), band) for years, band in zip(BAND_YEARS, AGE_BANDS, strict=False)),
        else_=AGE_BANDS[-1],
    )
    sums = [func.sum(p.c[name]).label(name) for name in TREATED]
    registered = p.c.registered <= last
    rows: list[tuple[int, list[Any], Any]] = []
    if session.get_bind().dialect.name == "postgresql":
        # one pass, two grouping sets (two hash tables of a few thousand groups each); the
        # keys computed in a subquery (a CASE with parameters is not the same expression twice)
        keys: dict[str, ColumnElement[Any]] = {
            "k0": p.c.province,
            "k1": p.c.former,
            "k2": p.c.sex,
            "k3": age_band,
            "c0": p.c.centre,
            "c1": p.c.disease,
        }
        inner = (
            select(
                *(expr.label(name) for name, expr in keys.items()),
                *(p.c[name] for name in TREATED),
            )
            .where(registered)
            .subquery("records")
        )
        first, second = ("k0", "k1", "k2", "k3"), ("c0", "c1")
        query = select(
            func.grouping(inner.c.k0).label("flag"),
            *(inner.c[k] for k in keys),
            *(func.sum(inner.c[name]).label(name) for name in TREATED),
        ).group_by(
            func.grouping_sets(
                tuple_(*(inner.c[k] for k in first)), tuple_(*(inner.c[k] for k in second))
            )
        )
        for row in session.execute(query):
            values = row._mapping
            if values["flag"] == 0:
                rows.append((1, [values[f"k{n}"] for n in range(4)], values))
            else:
                rows.append((2, [values[f"c{n}"] for n in range(2)], values))
    else:
        # each record counted in two plain GROUP BY groups at once (joined to two "parts")
        parts = union_all(
            select(literal(1, Integer()).label("part")),
            select(literal(2, Integer()).label("part")),
        ).subquery("parts")
        one = parts.c.part == 1
        labelled = [
            case((one, p.c.province), else_=p.c.centre).label("k0"),
            case((one, p.c.former), else_=p.c.disease).label("k1"),
            case((one, p.c.sex), else_="").label("k2"),
            case((one, age_band), else_="").label("k3"),
        ]
        query = (
            select(parts.c.part, *labelled, *sums)
            .select_from(p)
            .join(parts, true())
            .where(registered)
            .group_by(parts.c.part, *labelled)
        )
        for row in session.execute(query):
            values = row._mapping
            rows.append((values["part"], [values[f"k{n}"] for n in range(4)], values))
    return rows
