"""Computes the indicators of :mod:`rarecare.monitoring.definitions` with set-based SQL, on SQLite
and PostgreSQL alike — no loop over patients in Python:

- one scan of the patient table yields, per finest group (province, former province, centre,
  disease, sex, age band), the sum of every per-record measure (registered, new, alive, child,
  died, died before 5, diagnosed within a year of first contact, genetic confirmation, on a listed
  drug, adherent, common data elements filled, updated in the period); every breakdown of every
  patient indicator is a roll-up of those sums (they add up exactly);
- medians of delays are computed per breakdown in the database (window functions; the median of
  an even count is the mean of the two middle values);
- national figures (lists, guidelines, plan) are small counts over their own tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
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
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import Administration, TherapyPlan
from rarecare.care.travel import road_km
from rarecare.centres.models import Centre
from rarecare.geo import current_provinces, populations
from rarecare.guidelines.models import Guideline, GuidelineStatus
from rarecare.lists.models import DiseaseEntry, DrugEntry, ListKind, ListVersion, VersionStatus
from rarecare.monitoring.definitions import (
    AGE_BANDS,
    BY_CODE,
    INDICATORS,
    PATIENT_BREAKDOWNS,
    Indicator,
)
from rarecare.monitoring.lookups import disease_groups, listed_drugs
from rarecare.monitoring.models import Activity, ActivityStatus
from rarecare.monitoring.sqlparts import (
    Value,
    add_months,
    as_day,
    as_moment,
    days_between,
    flag,
    period_range,
    ratio,
)
from rarecare.registry.models import (
    AgeKind,
    DiagnosisRecord,
    DiagnosticStatus,
    Patient,
    VitalStatus,
)


def _grouped_by(flags: int, names: Sequence[str]) -> str:
    """The one column of ``names`` a grouping-sets row is grouped by ("" for the grand total),
    from PostgreSQL's GROUPING() bits (first name = highest bit, 1 = aggregated over)."""
    everything = (1 << len(names)) - 1
    for bit, name in enumerate(names):
        if flags == everything ^ (1 << (len(names) - 1 - bit)):
            return name
    return ""


def _bit(dimension: str) -> int:
    """The bit of ``dimension`` in PostgreSQL's GROUPING() over DIMENSIONS (first = highest)."""
    return 1 << (len(DIMENSIONS) - 1 - DIMENSIONS.index(dimension))


DIMENSIONS = ("province", "former_province", "centre", "disease", "sex", "age_band")


def _patient_cube(
    session: Session, start: date, end: date
) -> dict[str, dict[str, dict[str, float]]]:
    """breakdown → group → the sums of every per-record measure (one scan on PostgreSQL)."""
    p = Patient
    end_day, start_day = as_day(end), as_day(start)
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
    registered = p.created_at < after_end
    alive = and_(registered, or_(p.death_date.is_(None), p.death_date > end_day))
    dead = and_(registered, p.death_date.is_not(None), p.death_date <= end_day)
    contact_due = as_day(end - timedelta(days=365))
    contact_12m = and_(
        registered, p.first_contact_date.is_not(None), p.first_contact_date <= contact_due
    )
    diagnosed_in_year = and_(
        p.diagnostic_status == DiagnosticStatus.CONFIRMED,
        p.diagnosis_date.is_not(None),
        days_between(p.diagnosis_date, p.first_contact_date) <= 365,
    )
    # per-patient facts of other tables, each aggregated once and joined (hash joins, not a
    # lookup per record)
    listed = listed_drugs(session)
    recorded = select(DiagnosisRecord.patient_id).distinct().subquery("recorded")
    genetic_ids = (
        select(DiagnosisRecord.patient_id)
        .where(DiagnosisRecord.status == DiagnosticStatus.CONFIRMED, DiagnosisRecord.gene != "")
        .distinct()
        .subquery("genetic")
    )
    treated_ids = (
        select(TherapyPlan.patient_id)
        .where(
            TherapyPlan.drug.in_(listed or [""]),
            TherapyPlan.start_date <= end_day,
            or_(TherapyPlan.end_date.is_(None), TherapyPlan.end_date >= start_day),
        )
        .distinct()
        .subquery("treated")
    )
    # doses due up to the period's end, or up to today while the period runs
    adherent_ids = _adherent_patients(start, min(end, date.today()), listed).subquery("adherent")
    genetic = genetic_ids.c.patient_id.is_not(None)
    on_drug = treated_ids.c.patient_id.is_not(None)
    adherent = adherent_ids.c.patient_id.is_not(None)
    elements = sum(
        (flag(c) for c in _elements(p, recorded.c.patient_id.is_not(None))),
        start=literal(0),
    )
    updated = and_(registered, or_(p.updated_at >= start_moment, p.created_at >= start_moment))
    measures = {
        "registered": flag(registered),
        "new": flag(and_(p.created_at >= start_moment, registered)),
        "alive": flag(alive),
        "child": flag(and_(alive, younger_than(16))),
        "dead": flag(dead),
        "dead_under_5": flag(and_(dead, p.death_date < add_months(p.birth_month, 60))),
        "contact_12m": flag(contact_12m),
        "undiagnosed_12m": flag(and_(contact_12m, ~diagnosed_in_year)),
        "genetic": flag(and_(registered, genetic)),
        "on_drug": flag(and_(registered, on_drug)),
        "adherent": flag(and_(registered, adherent)),
        "elements": case((registered, elements), else_=0),
        "elements_due": flag(registered) * 16,
        "updated": flag(updated),
    }
    dims = {
        "province": p.province_code,
        "former_province": func.coalesce(p.former_province_code, ""),
        "centre": cast(p.centre_id, String),
        "disease": func.coalesce(p.orpha_code, ""),
        "sex": cast(p.sex, String),
        "age_band": age_band,
    }
    inner = (
        select(
            *(expr.label(name) for name, expr in dims.items()),
            *(expr.label(name) for name, expr in measures.items()),
        )
        .select_from(p)
        .outerjoin(recorded, recorded.c.patient_id == p.id)
        .outerjoin(genetic_ids, genetic_ids.c.patient_id == p.id)
        .outerjoin(treated_ids, treated_ids.c.patient_id == p.id)
        .outerjoin(adherent_ids, adherent_ids.c.patient_id == p.id)
        .where(registered)
        .subquery()
    )
    sums = [func.sum(inner.c[name]).label(name) for name in measures]
    out: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    if session.get_bind().dialect.name == "postgresql":
        # one pass: PostgreSQL aggregates every breakdown at once (GROUPING SETS)
        flags = func.grouping(*(inner.c[name] for name in DIMENSIONS)).label("flags")
        query = select(flags, *(inner.c[name] for name in DIMENSIONS), *sums).group_by(
            func.grouping_sets(
                tuple_(),
                *(tuple_(inner.c[name]) for name in DIMENSIONS),
                tuple_(inner.c.centre, inner.c.disease),  # a centre's diseases (drill-down)
            )
        )
        both = ((1 << len(DIMENSIONS)) - 1) ^ _bit("centre") ^ _bit("disease")

        for row in session.execute(query):
            values = row._mapping
            if values["flags"] == both:
                key = f"{values['centre']}|{values['disease'] or ''}"
                out["centre_disease"][key] = {m: float(values[m] or 0) for m in measures}
                continue
            breakdown = _grouped_by(values["flags"], DIMENSIONS)
            key = str(values[breakdown] or "") if breakdown else ""
            out[breakdown][key] = {m: float(values[m] or 0) for m in measures}
        return out
    # SQLite: one GROUP BY per breakdown over the same per-record rows
    for breakdown in ("", *DIMENSIONS):
        group = [inner.c[breakdown]] if breakdown else []
        query = select(*group, *sums).group_by(*group)
        for row in session.execute(query):
            values = row._mapping
            key = str(values[breakdown] or "") if breakdown else ""
            out[breakdown][key] = {m: float(values[m] or 0) for m in measures}
    pair = [inner.c.centre, inner.c.disease]
    for row in session.execute(select(*pair, *sums).group_by(*pair)):
        values = row._mapping
        key = f"{values['centre']}|{values['disease'] or ''}"
        out["centre_disease"][key] = {m: float(values[m] or 0) for m in measures}
    return out


def _elements(p: type[Patient], has_record: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """The 16 EU JRC common data elements, each filled in or not (an element that does not
    apply — the date of death of a living patient, a biobank without a sample — counts as
    filled)."""
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
        has_record,
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
            TherapyPlan.drug.in_(listed or [""]),
            TherapyPlan.start_date <= end_day,
            or_(TherapyPlan.end_date.is_(None), TherapyPlan.end_date >= start_day),
            given.c.doses * 10 >= due * 8,
        )
        .distinct()
    )


def _by_group(
    sums_by_key: dict[str, dict[str, float]], group_of: Callable[[str], str]
) -> dict[str, dict[str, float]]:
    """Sums regrouped (they add up exactly): diseases into the list's groups (a disease not on
    the list counts under "")."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, sums in sums_by_key.items():
        target = out[group_of(key)]
        for name, value in sums.items():
            target[name] += value
    return {group: dict(sums) for group, sums in out.items()}


def _patients(cube: dict[str, dict[str, dict[str, float]]]) -> Iterator[Value]:
    population = {code: float(p.population) for code, p in populations().items()}
    for breakdown in PATIENT_BREAKDOWNS:
        sums = cube.get(breakdown, {})
        for indicator in INDICATORS:
            if indicator.kind != "patients" or breakdown not in indicator.breakdowns:
                continue
            for key, values in sums.items():
                num = values[indicator.numerator]
                if indicator.denominator == "population":
                    den: float | None = (
                        sum(population.values()) if not breakdown else population.get(key)
                    )
                else:
                    den = values[indicator.denominator] if indicator.denominator else None
                if indicator.denominator and not den and not num:
                    continue
                yield Value(indicator.code, breakdown, key, num, den, ratio(indicator, num, den))


def _medians(session: Session, start: date, end: date) -> Iterator[Value]:
    p = Patient
    values = {
        "symptoms_to_diagnosis": (
            p.first_symptoms_date,
            days_between(p.diagnosis_date, p.first_symptoms_date),
        ),
        "contact_to_diagnosis": (
            p.first_contact_date,
            days_between(p.diagnosis_date, p.first_contact_date),
        ),
    }
    dims: dict[str, ColumnElement[Any]] = {
        "": literal(""),
        "province": func.coalesce(p.province_code, ""),
        "former_province": func.coalesce(p.former_province_code, ""),
        "centre": cast(p.centre_id, String),
        "disease": func.coalesce(p.orpha_code, ""),
        "sex": cast(p.sex, String),
    }
    window = (
        p.diagnostic_status == DiagnosticStatus.CONFIRMED,
        p.diagnosis_date >= as_day(start),
        p.diagnosis_date <= as_day(end),
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    for indicator in INDICATORS:
        if indicator.kind != "median":
            continue
        since, days = values[indicator.numerator]
        where = (*window, since.is_not(None), since <= p.diagnosis_date)
        if postgres:  # one pass: every breakdown's median at once
            yield from _medians_pg(session, indicator, dims, days, where)
            continue
        for breakdown in indicator.breakdowns:
            rows = select(dims[breakdown].label("key"), days.label("value")).where(*where)
            for key, median, count in session.execute(_window_medians(rows.subquery())):
                yield Value(
                    indicator.code,
                    breakdown,
                    str(key or ""),
                    float(count),
                    None,
                    round(float(median), 1),
                )


def _window_medians(rows: Any) -> Any:
    """(key, median of value, count) per key of ``rows`` (columns ``key``, ``value``) by window
    functions, on SQLite and PostgreSQL alike: the middle value, or the mean of the two middle
    values of an even count."""
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


def _medians_pg(
    session: Session,
    indicator: Indicator,
    dims: dict[str, ColumnElement[Any]],
    days: ColumnElement[int],
    where: tuple[ColumnElement[bool], ...],
) -> Iterator[Value]:
    names = [b for b in indicator.breakdowns if b]
    rows = select(*(dims[b].label(b) for b in names), days.label("days")).where(*where).subquery()
    flags = func.grouping(*(rows.c[b] for b in names)).label("flags")
    query = select(
        flags,
        *(rows.c[b] for b in names),
        func.percentile_cont(0.5).within_group(rows.c.days).label("median"),
        func.count().label("n"),
    ).group_by(func.grouping_sets(tuple_(), *(tuple_(rows.c[b]) for b in names)))
    for row in session.execute(query):
        values = row._mapping
        if values["median"] is None:  # no diagnosis in the period
            continue
        breakdown = _grouped_by(values["flags"], names)
        key = str(values[breakdown] or "") if breakdown else ""
        yield Value(
            indicator.code,
            breakdown,
            key,
            float(values["n"]),
            None,
            round(float(values["median"]), 1),
        )


def _distances(session: Session) -> Any:
    """(patient's province, centre, one-way road km, outside the province 0/1) for every
    province and centre: the travel model of ``rarecare.care.travel`` as a small table."""
    provinces = {p.code: p for p in current_provinces()}
    rows = []
    for centre_id, centre_province in session.execute(select(Centre.id, Centre.province_code)):
        there = provinces.get(centre_province)
        if there is None:
            continue
        for code, home in provinces.items():
            km = road_km(home.lat, home.lon, there.lat, there.lon, same_province=code == there.code)
            rows.append((code, centre_id, round(km, 1), int(code != there.code)))
    if not rows:
        rows.append(("", 0, 0.0, 0))
    return union_all(
        *(
            select(
                literal(code, String()).label("province"),
                literal(centre, Integer()).label("centre_id"),
                literal(km).label("km"),
                literal(away, Integer()).label("away"),
            )
            for code, centre, km, away in rows
        )
    ).subquery("distances")


def _travel(session: Session, start: date, end: date) -> Iterator[Value]:
    """Median return-trip km per treated patient in the period (each infusion a return trip
    from the home province to the treating centre) and the share of trips out of the home
    province, by the patient's province and treating centre."""
    distances = _distances(session)
    a, p = Administration, Patient
    trips = (
        select(
            p.province_code.label("province"),
            cast(a.centre_id, String).label("centre"),
            (func.sum(distances.c.km) * 2).label("km"),
            func.sum(distances.c.away).label("away"),
            func.count().label("trips"),
        )
        .join(p, p.id == a.patient_id)
        .join(
            distances,
            and_(distances.c.province == p.province_code, distances.c.centre_id == a.centre_id),
        )
        .where(a.given_on >= as_day(start), a.given_on <= as_day(end))
        .group_by(a.patient_id, p.province_code, a.centre_id)
        .subquery("trips")
    )
    for breakdown in ("", "province", "centre"):
        key = trips.c[breakdown] if breakdown else literal("")
        shares = select(key.label("key"), func.sum(trips.c.away), func.sum(trips.c.trips)).group_by(
            key
        )
        for group, away, total in session.execute(shares):
            share = ratio(BY_CODE["out_of_province_trips"], float(away or 0), float(total or 0))
            yield Value(
                "out_of_province_trips",
                breakdown,
                str(group or ""),
                float(away or 0),
                float(total or 0),
                share,
            )
        per_patient = select(key.label("key"), trips.c.km.label("value")).subquery()
        for group, median, count in session.execute(_window_medians(per_patient)):
            yield Value(
                "km_per_treated",
                breakdown,
                str(group or ""),
                float(count),
                None,
                round(float(median), 1),
            )


def _national(session: Session, start: date, end: date) -> dict[str, float]:
    figures: dict[str, float] = {}
    version = session.scalar(
        select(ListVersion.id).where(
            ListVersion.kind == ListKind.DISEASES, ListVersion.status == VersionStatus.APPROVED
        )
    )
    codes = (
        list(
            session.scalars(
                select(DiseaseEntry.orpha_code).where(DiseaseEntry.version_id == version)
            )
        )
        if version
        else []
    )
    figures["listed"] = len(codes)
    guided = set(
        session.scalars(
            select(Guideline.orpha_code).where(Guideline.status == GuidelineStatus.APPROVED)
        )
    )
    figures["listed_with_guideline"] = len({c for c in codes if c in guided})
    drugs_version = session.scalar(
        select(ListVersion.id).where(
            ListVersion.kind == ListKind.DRUGS, ListVersion.status == VersionStatus.APPROVED
        )
    )
    treated: set[str] = set()
    if drugs_version:
        for indications in session.scalars(
            select(DrugEntry.indications).where(DrugEntry.version_id == drugs_version)
        ):
            treated.update(str(code) for code in indications or [])
    figures["listed_with_drug"] = len({c for c in codes if c in treated})
    due = select(Activity.done_on, Activity.deadline, Activity.status).where(
        Activity.deadline >= start,
        Activity.deadline <= end,
        Activity.status != ActivityStatus.CANCELLED,
    )
    rows = session.execute(due).all()
    figures["activities_due"] = len(rows)
    figures["activities_on_time"] = sum(
        1
        for done_on, deadline, status in rows
        if status == ActivityStatus.DONE and done_on is not None and done_on <= deadline
    )
    return figures


def compute(
    session: Session,
    period: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[Value]:
    """Every indicator, every breakdown, for one period."""
    start, end = period_range(period)
    steps = 3
    cube = _patient_cube(session, start, end)
    groups = disease_groups(session)
    cube["disease_group"] = _by_group(cube.get("disease", {}), lambda code: groups.get(code, ""))
    cube["centre_disease_group"] = _by_group(
        cube.pop("centre_disease", {}),
        lambda key: key.split("|", 1)[0] + "|" + groups.get(key.split("|", 1)[1], ""),
    )
    if progress:
        progress(1, steps)
    values = list(_patients(cube))
    values += list(_medians(session, start, end))
    values += list(_travel(session, start, end))
    if progress:
        progress(2, steps)
    figures = _national(session, start, end)
    for indicator in INDICATORS:
        if indicator.kind == "national":
            num = figures[indicator.numerator]
            den = figures[indicator.denominator] if indicator.denominator else None
            values.append(Value(indicator.code, "", "", num, den, ratio(indicator, num, den)))
    if progress:
        progress(3, steps)
    return values
