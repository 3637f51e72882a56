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
from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import (
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from rarecare.care.models import TherapyPlan
from rarecare.geo import populations
from rarecare.guidelines.models import Guideline, GuidelineStatus
from rarecare.lists.models import DrugEntry, ListKind
from rarecare.monitoring import cells
from rarecare.monitoring.costs import out_of_pocket
from rarecare.monitoring.cube import patient_cube
from rarecare.monitoring.definitions import (
    BY_CODE,
    INDICATORS,
    PATIENT_BREAKDOWNS,
)
from rarecare.monitoring.doses import counted
from rarecare.monitoring.lookups import approved_version, disease_groups, listed_diseases
from rarecare.monitoring.medians import grouped, weighted_median
from rarecare.monitoring.models import Activity, ActivityStatus, PatientFacts
from rarecare.monitoring.network_values import network_values
from rarecare.monitoring.sqlparts import (
    Value,
    month_number,
    period_range,
    ratio,
)
from rarecare.monitoring.treatment import Treatment, period_treatment


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
    """The median delays to a diagnosis made in the period, every indicator and breakdown from
    one pass over the patients diagnosed in the period — read from the records' facts (the
    month of a confirmed diagnosis is indexed there, and the facts are current: a refresh
    brings them up to date first), not from every record."""
    f = PatientFacts
    since = {
        "symptoms_to_diagnosis": f.since_symptoms,
        "contact_to_diagnosis": f.since_contact,
    }
    dims = {
        "province": f.province,
        "former_province": f.former,
        "centre": f.centre,
        "disease": f.disease,
        "sex": f.sex,
    }
    wanted = [i for i in INDICATORS if i.kind == "median"]
    rows = (
        select(
            *(column.label(name) for name, column in dims.items()),
            *(since[i.numerator].label(i.code) for i in wanted),
        )
        .where(f.diagnosed >= month_number(start), f.diagnosed <= month_number(end))
        .subquery("delays")
    )
    breakdowns = sorted({b for i in wanted for b in i.breakdowns}, key=PATIENT_BREAKDOWNS.index)
    for breakdown, key, out in grouped(session, rows, breakdowns, [i.code for i in wanted]):
        for indicator in wanted:
            count, median = out[indicator.code]
            if breakdown in indicator.breakdowns and median is not None:
                yield Value(indicator.code, breakdown, key, count, None, round(median, 1))


def _travel(session: Session, treatment: Treatment) -> Iterator[Value]:
    """Median return-trip km per treated patient in the period (each infusion a return trip
    from the home province to the treating centre) and the share of trips out of the home
    province, by the patient's province and treating centre.

    The km of a patient's treatment at a centre are its trips × the distance from the home
    province, so the database only counts patients per (province, centre, trips) — a small
    histogram — from which the medians and shares are exact."""
    p, distances = treatment.people, treatment.distances
    # the records treated at one centre: their trips are in the treated records
    one_centre = (
        select(p.c.province, p.c.trip_centre, p.c.trips, func.count())
        .where(p.c.trip_centre.is_not(None))
        .group_by(p.c.province, p.c.trip_centre, p.c.trips)
    )
    # the others (a few): their trips per centre from their plans' dose counts
    doses, t = counted(treatment.period), TherapyPlan
    visits = (
        select(p.c.province, doses.c.centre_id, func.sum(doses.c.visits).label("trips"))
        .join(t, t.patient_id == p.c.id)
        .join(doses, doses.c.plan_id == t.id)
        .where(p.c.trips.is_not(None), p.c.trip_centre.is_(None))
        .group_by(p.c.id, p.c.province, doses.c.centre_id)
        .subquery("visits")
    )
    several = select(visits.c.province, visits.c.centre_id, visits.c.trips, func.count()).group_by(
        visits.c.province, visits.c.centre_id, visits.c.trips
    )
    km: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    trips: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    rows = [*session.execute(one_centre), *session.execute(several)]
    for province, centre_id, count, patients in rows:
        centre = str(centre_id)
        if (province, centre) not in distances:
            continue
        one_way, away = distances[(province, centre)]
        for group in (("", ""), ("province", province), ("centre", centre)):
            km[group].append((count * one_way * 2, float(patients)))
            trips[group][0] += away * count * patients
            trips[group][1] += count * patients
    share = BY_CODE["out_of_province_trips"]
    for (breakdown, key), (out, total) in sorted(trips.items()):
        yield Value(share.code, breakdown, key, out, total, ratio(share, out, total))
        median = weighted_median(km[(breakdown, key)])
        if median is not None:
            patients = sum(count for _value, count in km[(breakdown, key)])
            yield Value("km_per_treated", breakdown, key, patients, None, round(median, 1))


def _national(session: Session, start: date, end: date) -> dict[str, float]:
    figures: dict[str, float] = {}
    codes = listed_diseases(session)
    figures["listed"] = len(codes)
    guided = set(
        session.scalars(
            select(Guideline.orpha_code).where(Guideline.status == GuidelineStatus.APPROVED)
        )
    )
    figures["listed_with_guideline"] = len({c for c in codes if c in guided})
    drugs_version = approved_version(session, ListKind.DRUGS)
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
    if session.get_bind().dialect.name == "postgresql":
        # a batch job: its aggregates stay in memory, and compiling them (JIT) costs more than
        # it saves (for this transaction only)
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))
    today = date.today()  # one day for the whole refresh: doses counted and doses due
    cells.sync(session)  # the records written since the last refresh counted again
    with period_treatment(session, period, today) as treatment:
        return _compute(session, start, end, treatment, progress)


def _compute(
    session: Session,
    start: date,
    end: date,
    treatment: Treatment,
    progress: Callable[[int, int], None] | None,
) -> list[Value]:
    steps = 3
    cube = patient_cube(session, start, end, treatment.people)
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
    values += list(_travel(session, treatment))
    values += list(out_of_pocket(session, treatment.people))
    values += list(network_values(session, start, end))
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
