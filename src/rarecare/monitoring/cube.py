"""The patient cube of the indicator engine: per group of every patient breakdown, the sums of
every per-record measure, from one pass over the patient table (SQLite and PostgreSQL alike).

How one pass serves every breakdown: each record is counted in two plain ``GROUP BY`` groups at
once (the record joined to a two-row table of "parts"): part 1 by (province, former province,
sex, age band), part 2 by (centre, disease). Both have at most a few thousand groups, and every
breakdown is a roll-up of one of them (the sums add up exactly): the nation, provinces, former
provinces, sexes and age bands of part 1; centres, diseases and a centre's diseases of part 2.
A plain GROUP BY (unlike GROUPING SETS) is aggregated in parallel by PostgreSQL's workers.

Facts of other tables (a diagnosis record, a genetic finding, a plan of a listed drug, doses
given on time) are first reduced to one row per patient that has any of them and joined once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import Administration, TherapyPlan
from rarecare.monitoring.definitions import AGE_BANDS
from rarecare.monitoring.lookups import listed_drugs
from rarecare.monitoring.sqlparts import add_months, as_day, as_moment, days_between, flag
from rarecare.registry.models import (
    AgeKind,
    DiagnosisRecord,
    DiagnosticStatus,
    Patient,
    VitalStatus,
)

Cube = dict[str, dict[str, dict[str, float]]]  # breakdown → group → measure → sum

# the breakdowns rolled up from each part, and where their key is in the part's columns
PART_1 = {"": (), "province": (0,), "former_province": (1,), "sex": (2,), "age_band": (3,)}
PART_2 = {"centre": (0,), "disease": (1,), "centre_disease": (0, 1)}


def patient_cube(session: Session, start: date, end: date) -> Cube:
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
    facts = _facts(session, start, end).subquery("facts")
    has = {n: func.coalesce(facts.c[n], 0) for n in ("recorded", "genetic", "on_drug", "adherent")}
    elements = sum((flag(c) for c in _elements(p)), start=has["recorded"])
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
    parts = union_all(
        select(literal(1, Integer()).label("part")), select(literal(2, Integer()).label("part"))
    ).subquery("parts")
    first = parts.c.part == 1
    keys = (
        case((first, p.province_code), else_=cast(p.centre_id, String)),
        case((first, func.coalesce(p.former_province_code, "")), else_=p.orpha_code),
        case((first, cast(p.sex, String)), else_=""),
        case((first, age_band), else_=""),
    )
    labelled = [key.label(f"k{n}") for n, key in enumerate(keys)]
    query = (
        select(
            parts.c.part,
            *labelled,
            *(func.sum(expr).label(name) for name, expr in measures.items()),
        )
        .select_from(p)
        .outerjoin(facts, facts.c.id == p.id)
        .join(parts, true())
        .where(p.created_at < after_end)
        .group_by(parts.c.part, *labelled)
    )
    cube: Cube = defaultdict(dict)
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in session.execute(query):
        values = row._mapping
        group = [str(values[f"k{n}"] or "") for n in range(len(keys))]
        for breakdown, columns in (PART_1 if values["part"] == 1 else PART_2).items():
            target = totals[(breakdown, "|".join(group[c] for c in columns))]
            for name in measures:
                target[name] += float(values[name] or 0)
    for (breakdown, name), sums in totals.items():
        cube[breakdown][name] = dict(sums)
    return cube


def _facts(session: Session, start: date, end: date) -> Any:
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
    adherent = _adherent_patients(start, min(end, date.today()), listed)
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


def _elements(p: type[Patient]) -> list[ColumnElement[bool]]:
    """15 of the 16 EU JRC common data elements, each filled in or not (the 16th, a diagnosis
    record, is a fact of another table). An element that does not apply — the date of death
    of a living patient, a biobank without a sample — counts as filled."""
    alive = p.vital_status != VitalStatus.DEAD
    return [
        p.pseudonym != "",
        p.birth_month.is_not(None),
        p.sex.is_not(None),
        p.vital_status.is_not(None),
        or_(alive, p.death_date.is_not(None)),
        p.first_contact_date.is_not(None),
        or_(p.onset_kind != AgeKind.UNDETERMINED, p.onset_date.is_not(None)),
        or_(p.diagnosis_kind != AgeKind.UNDETERMINED, p.diagnosis_date.is_not(None)),
        or_(p.orpha_code.is_not(None), p.diagnostic_status == DiagnosticStatus.UNDIAGNOSED),
        p.diagnostic_status.is_not(None),
        p.contact_for_research.is_not(None),
        p.consent_reuse.is_not(None),
        p.biosample.is_not(None),
        or_(p.biosample.is_(False), p.biobank != ""),
        p.icf_codes != "",
    ]


def _adherent_patients(start: date, end: date, listed: list[str]) -> Any:
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
    given = (
        select(Administration.plan_id, func.count().label("doses"))
        .where(Administration.given_on >= start_day, Administration.given_on <= end_day)
        .group_by(Administration.plan_id)
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
