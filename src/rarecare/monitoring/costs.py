"""What families pay, as indicators: the cost model of :mod:`rarecare.finance.coverage` (the
rules in force, the drug list's prices and reimbursement, the centres' levels, the travel model)
written as set-based SQL over the infusions of a period, on SQLite and PostgreSQL alike.

For each therapy plan with doses given in the period (the doses given count; unlike a patient's
cost view, nothing planned is added):

- drug cost = vials given × the list price in force; service = infusions × the fee of the
  centre's level (drugs given at the centre); travel = infusions × a return trip × the rule's
  VND per km;
- the insurance rate of the patient (beneficiary groups — by age on 1 July of the period's year
  or recorded —, the national list at a specialised level, no referral) pays that rate of the
  service and of the drug cost times the drug's reimbursement; support programmes pay their
  share of what is left, up to their cap;
- out-of-pocket = total − insurance − programmes, summed over the patient's plans.

Catastrophic: the patient's out-of-pocket above the rule's threshold of household income (the
share of income, or the share of capacity to pay), prorated to the period's length. The rules
are those in force on the period's first day. Each step mirrors
:func:`rarecare.finance.coverage.yearly_cost`; a test holds both to the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from math import ceil
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import TherapyPlan
from rarecare.care.therapy import AT_CENTRE_ROUTES
from rarecare.centres.models import Centre
from rarecare.finance.coverage import COVERED_DRUG_STATUSES, CoverageRules
from rarecare.finance.models import PatientCoverage
from rarecare.finance.service import current_rules, price_in
from rarecare.lists.models import DrugEntry, ListKind
from rarecare.monitoring.definitions import BY_CODE
from rarecare.monitoring.doses import PEOPLE
from rarecare.monitoring.lookups import approved_version, listed_diseases
from rarecare.monitoring.medians import grouped
from rarecare.monitoring.sqlparts import Value, flag, month_number, ratio, temporary_tables

BREAKDOWNS = ("", "province", "centre", "disease")
KM = Table(  # the travel model's one-way km from each home province to each centre
    "monitoring_refresh_km",
    MetaData(),
    Column("province", String(16), primary_key=True),
    Column("centre_id", Integer, primary_key=True),
    Column("km", Float, nullable=False),
    prefixes=["TEMPORARY"],
)


def _lookup(key: Any, mapping: dict[Any, float], default: float = 0.0) -> Any:
    """``mapping[key]`` as a SQL CASE (``default`` when absent)."""
    if not mapping:
        return literal(default, Float())
    return case(
        *((key == k, literal(v, Float())) for k, v in mapping.items()),
        else_=literal(default, Float()),
    )


def _rate(
    rules: CoverageRules,
    level: ColumnElement[str],
    coverage: Any,
    on_list: ColumnElement[bool],
    born: Any,
    year: int,
) -> ColumnElement[float]:
    """The insurance rate (%) of :func:`rarecare.finance.coverage.insurance_rate` (``born``:
    the month of birth, year × 12 + month − 1)."""
    middle = date(year, 7, 1)
    groups_text = func.coalesce(cast(coverage.c.groups, String), "")
    members = []
    for group in sorted(rules.groups, key=lambda g: -g.rate):
        if group.rate <= rules.default_rate:
            continue
        member: ColumnElement[bool] = groups_text.like(f'%"{group.code}"%')
        if group.max_age_years is not None:  # (middle − birth).days / 365.25 < max age
            cutoff = middle - timedelta(days=ceil(group.max_age_years * 365.25) - 1)
            # born (the first of a month) on or after the cutoff, in months
            member = or_(member, born >= month_number(cutoff) + (cutoff.day != 1))
        members.append((member, literal(group.rate, Float())))
    default = literal(rules.default_rate, Float())
    base_rate = case(*members, else_=default) if members else default
    specialised = and_(on_list, level.in_(rules.national_list_levels))
    no_referral = coverage.c.has_referral.is_(False)
    factors = rules.no_referral_factors
    return case(
        (
            and_(specialised, base_rate <= rules.national_list_rate),
            literal(rules.national_list_rate, Float()),
        ),
        (
            and_(no_referral, level.in_(list(factors) or [""])),
            base_rate * _lookup(level, dict(factors), 1.0),
        ),
        else_=base_rate,
    )


def out_of_pocket(
    session: Session,
    start: date,
    end: date,
    distances: dict[tuple[str, str], tuple[float, int]],
    doses: Table,
) -> Iterator[Value]:
    """Median out-of-pocket per treated patient and the catastrophic-spending rate of the
    period, by province, centre and disease."""
    _version, rules = current_rules(session=session, on=start)
    drugs_version = approved_version(session, ListKind.DRUGS)
    entries = (
        list(session.scalars(select(DrugEntry).where(DrugEntry.version_id == drugs_version)))
        if drugs_version
        else []
    )
    price = {e.inn: price_in(e, start, end) or 0.0 for e in entries}
    reimbursed = {
        e.inn: e.coverage_rate / 100 if e.reimbursement in COVERED_DRUG_STATUSES else 0.0
        for e in entries
    }
    at_centre = {e.inn: 0.0 for e in entries if e.route not in AT_CENTRE_ROUTES}
    listed = listed_diseases(session)

    t, p, c = TherapyPlan, PEOPLE, Centre  # the period's treated records (monitoring.doses)
    given = (  # the period's doses (see monitoring.doses)
        select(
            doses.c.plan_id,
            func.sum(doses.c.visits).label("visits"),
            func.sum(doses.c.vials).label("vials"),
        )
        .group_by(doses.c.plan_id)
        .subquery("given")
    )
    coverage = select(
        PatientCoverage.patient_id,
        PatientCoverage.groups,
        PatientCoverage.has_referral,
        PatientCoverage.household_income_vnd,
        PatientCoverage.subsistence_vnd,
    ).subquery("coverage")
    level = cast(c.level, String)
    km = func.coalesce(KM.c.km, literal(0.0, Float()))  # one-way, home province → centre
    visits = cast(given.c.visits, Float())
    drug_cost = cast(given.c.vials, Float()) * _lookup(t.drug, price)
    service = visits * _lookup(t.drug, at_centre, 1.0) * _lookup(level, dict(rules.service_fee_vnd))
    travel = visits * 2 * km * rules.travel_vnd_per_km
    rate = _rate(rules, level, coverage, p.c.disease.in_(listed or [""]), p.c.born, start.year)
    insurer_drug = drug_cost * rate / 100 * _lookup(t.drug, reimbursed)
    share = (end - start).days + 1
    year_days = (date(start.year + 1, 1, 1) - date(start.year, 1, 1)).days
    income = coverage.c.household_income_vnd
    if rules.catastrophic_method == "capacity_to_pay":
        capacity = income - func.coalesce(coverage.c.subsistence_vnd, 0.0)
        threshold = case((capacity > 0, capacity), else_=0.0) * rules.capacity_to_pay_share / 100
    else:
        threshold = income * rules.catastrophic_share / 100
    if share != year_days:  # a quarter or a month: its share of the year's threshold
        threshold = threshold * share / year_days
    # the patient's breakdown keys and threshold ride along with each of their plans
    keys = ("province", "centre", "disease", "threshold")
    plans = (
        select(
            t.patient_id,
            p.c.province.label("province"),
            p.c.centre.label("centre"),
            p.c.disease.label("disease"),
            threshold.label("threshold"),
            t.drug,
            (drug_cost + service + travel - insurer_drug - service * rate / 100).label("oop"),
            (drug_cost - insurer_drug).label("left"),
        )
        .join(given, given.c.plan_id == t.id)
        .join(p, p.c.id == t.patient_id)
        .join(c, c.id == t.centre_id)
        .outerjoin(KM, and_(KM.c.province == p.c.province, KM.c.centre_id == t.centre_id))
        .outerjoin(coverage, coverage.c.patient_id == t.patient_id)
        .subquery("plan_costs")
    )
    # support programmes, in order: each pays its share of what is left, up to its cap
    for n, programme in enumerate(rules.programmes):
        applies = plans.c.drug.in_(programme.drugs) if programme.drugs else literal(True)
        amount: Any = plans.c.left * programme.share / 100
        if programme.cap_vnd is not None:
            amount = case((amount > programme.cap_vnd, programme.cap_vnd), else_=amount)
        paid = case((applies, amount), else_=literal(0.0, Float()))
        plans = select(
            plans.c.patient_id,
            *(plans.c[k] for k in keys),
            plans.c.drug,
            (plans.c.oop - paid).label("oop"),
            (plans.c.left - paid).label("left"),
        ).subquery(f"after_programme_{n}")
    per_patient = (
        select(*(plans.c[k] for k in keys), func.sum(plans.c.oop).label("oop"))
        .group_by(plans.c.patient_id, *(plans.c[k] for k in keys))
        .subquery("patient_costs")
    )
    has_income = per_patient.c.threshold.is_not(None)
    rows = select(
        *(per_patient.c[k] for k in keys[:3]),
        per_patient.c.oop,
        flag(has_income).label("known"),
        flag(and_(has_income, per_patient.c.oop > per_patient.c.threshold)).label("catastrophic"),
    ).subquery("costs")
    catastrophic = BY_CODE["catastrophic_spending"]
    with temporary_tables(session, KM):
        if distances:
            session.execute(
                insert(KM),
                [
                    {"province": province, "centre_id": int(centre), "km": one_way}
                    for (province, centre), (one_way, _away) in distances.items()
                ],
            )
        found = list(grouped(session, rows, BREAKDOWNS, ["oop"], ["catastrophic", "known"]))
    for breakdown, key, out in found:
        count, median = out["oop"]
        if median is not None:
            yield Value("out_of_pocket", breakdown, key, count, None, round(median))
        hit, known = out["catastrophic"][0], out["known"][0]
        if known:
            yield Value(
                catastrophic.code, breakdown, key, hit, known, ratio(catastrophic, hit, known)
            )
