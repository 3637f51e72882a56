"""The patient cube of the indicator engine: per group of every patient breakdown, the sums of
every per-record measure, from one pass over the patient table (SQLite and PostgreSQL alike).

How one pass serves every breakdown: the records are summed in two groupings, (province, former
province, sex, age band) and (centre, disease). Both have at most a few thousand groups, and
every breakdown is a roll-up of one of them (the sums add up exactly): the nation, provinces,
former provinces, sexes and age bands of the first; centres, diseases and a centre's diseases of
the second. PostgreSQL aggregates both in one pass (GROUPING SETS: two small hash tables);
SQLite counts each record in two plain GROUP BY groups at once (joined to two "parts").

Facts of other tables (a diagnosis record, a genetic finding, a plan of a listed drug, doses
given on time) are first reduced to one row per patient that has any of them and joined once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import TherapyPlan
from rarecare.monitoring.definitions import AGE_BANDS
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.sqlparts import add_months, as_day, as_moment, days_between, flag
from rarecare.registry.models import (
    DiagnosisRecord,
    DiagnosticStatus,
    Patient,
)
from rarecare.registry.quality import jrc_elements

Cube = dict[str, dict[str, dict[str, float]]]  # breakdown → group → measure → sum

# the breakdowns rolled up from each part, and where their key is in the part's columns
PART_1 = {"": (), "province": (0,), "former_province": (1,), "sex": (2,), "age_band": (3,)}
PART_2 = {"centre": (0,), "disease": (1,), "centre_disease": (0, 1)}


def patient_cube(session: Session, start: date, end: date, doses: Table, today: date) -> Cube:
    """breakdown → group → the sums of every per-record measure of the period."""
    p = Patient
    end_day = as_day(end)
    after_end = as_moment(end + timedelta(days=1))
    start_moment = as_moment(start)

    # "younger than N at the period's end" ⟺ born after the first of the month N years before
    # (whole months, as the birth month is all the registry keeps): plain date comparisons
    def younger_than(years: int) -> ColumnElement[bool]:
        index = end.year * 12 + end.month - 1 - 12 * years
        return p.birth_month > as_day(date(index // 12, index % 12 + 1, 1))

    age_band = case(
        (younger_than(5), AGE_BANDS[0]),
        (younger_than(16), AGE_BANDS[1]),
        (younger_than(40), AGE_BANDS[2]),
        (younger_than(65), AGE_BANDS[3]),
        else_=AGE_BANDS[4],
    )
    alive = or_(p.death_date.is_(None), p.death_date > end_day)
    dead = and_(p.death_date.is_not(None), p.death_date <= end_day)
    contact_due = as_day(end - timedelta(days=365))
    contact_12m = and_(p.first_contact_date.is_not(None), p.first_contact_date <= contact_due)
    diagnosed_in_year = and_(
        p.diagnostic_status == DiagnosticStatus.CONFIRMED,
        p.diagnosis_date.is_not(None),
        days_between(p.diagnosis_date, p.first_contact_date) <= 365,
    )
    facts = _facts(session, start, end, doses, today).subquery("facts")
    has = {n: func.coalesce(facts.c[n], 0) for n in ("recorded", "genetic", "on_drug", "adherent")}
    elements = sum((flag(c) for c in jrc_elements(p, record=False)), start=has["recorded"])
    measures: dict[str, ColumnElement[Any]] = {
        "registered": literal(1),
        "new": flag(p.created_at >= start_moment),
        "alive": flag(alive),
        "child": flag(and_(alive, younger_than(16))),
        "dead": flag(dead),
        "dead_under_5": flag(and_(dead, p.death_date < add_months(p.birth_month, 60))),
        "contact_12m": flag(contact_12m),
        "undiagnosed_12m": flag(and_(contact_12m, ~diagnosed_in_year)),
        "genetic": has["genetic"],
        "on_drug": has["on_drug"],
        "adherent": has["adherent"],
        "elements": elements,
        "elements_due": literal(16),
        "updated": flag(or_(p.updated_at >= start_moment, p.created_at >= start_moment)),
    }
    sums = [func.sum(expr).label(name) for name, expr in measures.items()]
    rows: list[tuple[int, list[str], Any]] = []
    if session.get_bind().dialect.name == "postgresql":
        # one pass, two grouping sets (two hash tables of a few thousand groups each)
        keys: dict[str, Any] = {
            "k0": p.province_code,
            "k1": func.coalesce(p.former_province_code, ""),
            "k2": cast(p.sex, String),
            "k3": age_band,
            "c0": cast(p.centre_id, String),
            "c1": func.coalesce(p.orpha_code, ""),
        }
        inner = (
            select(
                *(expr.label(name) for name, expr in keys.items()),
                *(expr.label(name) for name, expr in measures.items()),
            )
            .select_from(p)
            .outerjoin(facts, facts.c.id == p.id)
            .where(p.created_at < after_end)
            .subquery("records")
        )
        first, second = ("k0", "k1", "k2", "k3"), ("c0", "c1")
        query = select(
            func.grouping(inner.c.k0).label("flag"),
            *(inner.c[k] for k in keys),
            *(func.sum(inner.c[name]).label(name) for name in measures),
        ).group_by(
            func.grouping_sets(
                tuple_(*(inner.c[k] for k in first)), tuple_(*(inner.c[k] for k in second))
            )
        )
        for row in session.execute(query):
            values = row._mapping
            names = first if values["flag"] == 0 else second
            rows.append((1 if values["flag"] == 0 else 2, [values[k] for k in names], values))
    else:
        # each record counted in two plain GROUP BY groups at once (joined to two "parts")
        parts = union_all(
            select(literal(1, Integer()).label("part")),
            select(literal(2, Integer()).label("part")),
        ).subquery("parts")
        one = parts.c.part == 1
        labelled = [
            case((one, p.province_code), else_=cast(p.centre_id, String)).label("k0"),
            case((one, func.coalesce(p.former_province_code, "")), else_=p.orpha_code).label("k1"),
            case((one, cast(p.sex, String)), else_="").label("k2"),
            case((one, age_band), else_="").label("k3"),
        ]
        query = (
            select(parts.c.part, *labelled, *sums)
            .select_from(p)
            .outerjoin(facts, facts.c.id == p.id)
            .join(parts, true())
            .where(p.created_at < after_end)
            .group_by(parts.c.part, *labelled)
        )
        for row in session.execute(query):
            values = row._mapping
            rows.append((values["part"], [values[f"k{n}"] for n in range(4)], values))
    cube: Cube = defaultdict(dict)
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for part, raw, values in rows:
        group = [str(value or "") for value in raw]
        for breakdown, columns in (PART_1 if part == 1 else PART_2).items():
            target = totals[(breakdown, "|".join(group[c] for c in columns))]
            for name in measures:
                target[name] += float(values[name] or 0)
    for (breakdown, key), measured in totals.items():
        cube[breakdown][key] = dict(measured)
    return cube


def _facts(session: Session, start: date, end: date, doses: Table, today: date) -> Any:
    """One row per patient with any fact of another table: a diagnosis record, a confirmed
    genetic finding, a plan of a listed drug active in the period, doses given on time (each
    0/1)."""
    listed = listed_drugs(session) or [""]
    start_day, end_day = as_day(start), as_day(end)
    zero = literal(0, Integer())
    genetic = flag(
        and_(DiagnosisRecord.status == DiagnosticStatus.CONFIRMED, DiagnosisRecord.gene != "")
    )
    # doses due up to the period's end, or up to today while the period runs
    adherent = _adherent_patients(start, min(end, today), listed, doses)
    rows = union_all(
        select(
            DiagnosisRecord.patient_id.label("id"),
            literal(1, Integer()).label("recorded"),
            genetic.label("genetic"),
            zero.label("on_drug"),
            zero.label("adherent"),
        ),
        select(TherapyPlan.patient_id, zero, zero, literal(1, Integer()), zero).where(
            TherapyPlan.drug.in_(listed),
            TherapyPlan.start_date <= end_day,
            or_(TherapyPlan.end_date.is_(None), TherapyPlan.end_date >= start_day),
        ),
        select(adherent.c.patient_id, zero, zero, zero, literal(1, Integer())),
    ).subquery("facts_rows")
    return select(
        rows.c.id,
        *(func.max(rows.c[name]).label(name) for name in ("recorded", "genetic", "on_drug")),
        func.max(rows.c.adherent).label("adherent"),
    ).group_by(rows.c.id)


def _adherent_patients(start: date, end: date, listed: list[str], doses: Table) -> Any:
    """Patients with a plan of a listed drug active in the period whose doses given reach 80%
    of those due (days on the plan within the period ÷ its interval)."""
    start_day, end_day = as_day(start), as_day(end)
    first = case((TherapyPlan.start_date > start_day, TherapyPlan.start_date), else_=start_day)
    last = case(
        (
            and_(TherapyPlan.end_date.is_not(None), TherapyPlan.end_date < end_day),
            TherapyPlan.end_date,
        ),
        else_=end_day,
    )
    given = (  # doses given up to today (see monitoring.doses)
        select(doses.c.plan_id, func.sum(doses.c.visits).label("doses"))
        .where(doses.c.after_today.is_(False))
        .group_by(doses.c.plan_id)
        .subquery("given")
    )
    due = (days_between(last, first) + 1) / cast(TherapyPlan.interval_days, Integer)
    return (
        select(TherapyPlan.patient_id)
        .join(given, given.c.plan_id == TherapyPlan.id)
        .where(
            TherapyPlan.drug.in_(listed),
            TherapyPlan.start_date <= end_day,
            or_(TherapyPlan.end_date.is_(None), TherapyPlan.end_date >= start_day),
            given.c.doses * 10 >= due * 8,
        )
        .distinct()
        .subquery("adherent")
    )
