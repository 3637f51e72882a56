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
:func:`rarecare.finance.coverage.yearly_cost`; a test holds both to the same figures.

The costs of each plan are worked out while the period's treated records are gathered
(``plan_costs``, in ``monitoring.treatment``'s one pass over the plans) and summed per patient
there; the prices, reimbursement and km are read from two small lookups joined by key
(``DRUGS``, ``KM``: VALUES lists on PostgreSQL, temporary tables on SQLite), and the
arithmetic stays in floating point. ``out_of_pocket`` then
takes the medians and rates from the treated records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause, Select
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import TherapyPlan
from rarecare.care.therapy import AT_CENTRE_ROUTES
from rarecare.centres.models import Centre
from rarecare.finance.coverage import COVERED_DRUG_STATUSES, CoverageRules
from rarecare.finance.models import PatientCoverage
from rarecare.finance.service import current_rules, price_in
from rarecare.lists.models import DrugEntry, ListKind
from rarecare.monitoring.definitions import BY_CODE
from rarecare.monitoring.lookups import approved_version, listed_diseases
from rarecare.monitoring.medians import grouped
from rarecare.monitoring.sqlparts import Value, flag, lookup, month_number, ratio

BREAKDOWNS = ("", "province", "centre", "disease")
KM = Table(  # the travel model's one-way km from each home province to each centre
    "monitoring_refresh_km",
    MetaData(),
    Column("province", String(16), primary_key=True),
    Column("centre_id", Integer, primary_key=True),
    Column("km", Float, nullable=False),
    prefixes=["TEMPORARY"],
)
DRUGS = Table(  # the approved drug list's price in force, reimbursed share, service fee factor
    "monitoring_refresh_drugs",
    MetaData(),
    Column("drug", String(200), primary_key=True),
    Column("price", Float, nullable=False),
    Column("reimbursed", Float, nullable=False),  # the share of the drug cost reimbursed
    Column("at_centre", Float, nullable=False),  # 1: given at a centre (a service fee), else 0
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


@dataclass(frozen=True)
class CostModel:
    """What a period's costs are worked out with: the rules in force on its first day, the
    approved drug list's prices (in force in the period), reimbursement and routes, the listed
    diseases."""

    start: date
    end: date
    rules: CoverageRules
    price: dict[str, float]
    reimbursed: dict[str, float]
    at_centre: dict[str, float]  # 1 for a drug given at a centre (a service fee), else 0
    listed: list[str]


def cost_model(session: Session, start: date, end: date) -> CostModel:
    _version, rules = current_rules(session=session, on=start)
    drugs_version = approved_version(session, ListKind.DRUGS)
    entries = (
        list(session.scalars(select(DrugEntry).where(DrugEntry.version_id == drugs_version)))
        if drugs_version
        else []
    )
    return CostModel(
        start=start,
        end=end,
        rules=rules,
        price={e.inn: price_in(e, start, end) or 0.0 for e in entries},
        reimbursed={
            e.inn: e.coverage_rate / 100 if e.reimbursement in COVERED_DRUG_STATUSES else 0.0
            for e in entries
        },
        at_centre={e.inn: float(e.route in AT_CENTRE_ROUTES) for e in entries},
        listed=sorted(listed_diseases(session)),
    )


@dataclass(frozen=True)
class PlanCosts:
    """A plan's out-of-pocket over the period's doses and its patient's catastrophic
    threshold, as SQL expressions over ``query`` (the plans joined to what they need)."""

    query: Select[Any]
    oop: ColumnElement[float]
    threshold: ColumnElement[Any]


def plan_costs(
    model: CostModel,
    query: Select[Any],
    keys: Any,
    visits: ColumnElement[int],
    vials: ColumnElement[int],
    lookups: tuple[Any, Any],
) -> PlanCosts:
    """The costs of each plan (``TherapyPlan``) of ``query`` given ``visits`` infusions and
    ``vials`` vials in the period; ``keys``: the patient's breakdown keys (province, disease,
    month of birth). The centre, the km from the home province and the drug's figures
    (``lookups``: KM and DRUGS) and the patient's coverage record are joined to ``query``."""
    rules, start, end = model.rules, model.start, model.end
    t, c = TherapyPlan, Centre
    km_of, drugs = lookups  # KM and DRUGS (see ``lookups``)
    coverage = select(
        PatientCoverage.patient_id,
        PatientCoverage.groups,
        PatientCoverage.has_referral,
        PatientCoverage.household_income_vnd,
        PatientCoverage.subsistence_vnd,
    ).subquery("coverage")
    level = cast(c.level, String)
    km = func.coalesce(km_of.c.km, literal(0.0, Float()))  # one-way, home province → centre
    trips = cast(visits, Float())
    # a drug not on the list: no price, nothing reimbursed, given at a centre
    drug_cost = cast(vials, Float()) * func.coalesce(drugs.c.price, literal(0.0, Float()))
    fee = _lookup(level, dict(rules.service_fee_vnd))
    service = trips * func.coalesce(drugs.c.at_centre, literal(1.0, Float())) * fee
    travel = trips * 2 * km * rules.travel_vnd_per_km
    rate = _rate(
        rules, level, coverage, keys.disease.in_(model.listed or [""]), keys.born, start.year
    )
    reimbursed = func.coalesce(drugs.c.reimbursed, literal(0.0, Float()))
    paid_share = rate * literal(0.01, Float())  # float arithmetic (``/ 100`` would be NUMERIC)
    insurer_drug = drug_cost * paid_share * reimbursed
    oop: Any = drug_cost + service + travel - insurer_drug - service * paid_share
    left: Any = drug_cost - insurer_drug
    # support programmes, in order: each pays its share of what is left, up to its cap
    for programme in rules.programmes:
        applies = t.drug.in_(programme.drugs) if programme.drugs else literal(True)
        amount: Any = left * literal(programme.share / 100, Float())
        if programme.cap_vnd is not None:
            amount = case((amount > programme.cap_vnd, programme.cap_vnd), else_=amount)
        paid = case((applies, amount), else_=literal(0.0, Float()))
        oop, left = oop - paid, left - paid
    share = (end - start).days + 1
    year_days = (date(start.year + 1, 1, 1) - date(start.year, 1, 1)).days
    income = coverage.c.household_income_vnd
    if rules.catastrophic_method == "capacity_to_pay":
        capacity = income - func.coalesce(coverage.c.subsistence_vnd, 0.0)
        threshold = case((capacity > 0, capacity), else_=0.0) * literal(
            rules.capacity_to_pay_share / 100, Float()
        )
    else:
        threshold = income * literal(rules.catastrophic_share / 100, Float())
    if share != year_days:  # a quarter or a month: its share of the year's threshold
        threshold = threshold * literal(share / year_days, Float())
    joined = (
        query.join(c, c.id == t.centre_id)
        .outerjoin(km_of, and_(km_of.c.province == keys.province, km_of.c.centre_id == t.centre_id))
        .outerjoin(drugs, drugs.c.drug == t.drug)
        .outerjoin(coverage, coverage.c.patient_id == t.patient_id)
    )
    return PlanCosts(joined, oop, threshold)


@contextmanager
def lookups(
    session: Session, model: CostModel, distances: dict[tuple[str, str], tuple[float, int]]
) -> Iterator[tuple[FromClause, FromClause]]:
    """The travel model's one-way km (``KM``) and the drug list's figures (``DRUGS``), to be
    joined by key, for the length of the block (``sqlparts.lookup``)."""
    km = [
        {"province": province, "centre_id": int(centre), "km": one_way}
        for (province, centre), (one_way, _away) in distances.items()
    ]
    drugs = [
        {
            "drug": drug,
            "price": price,
            "reimbursed": model.reimbursed[drug],
            "at_centre": model.at_centre[drug],
        }
        for drug, price in model.price.items()
    ]
    with lookup(session, KM, km) as km_of, lookup(session, DRUGS, drugs) as drugs_of:
        yield km_of, drugs_of


def out_of_pocket(session: Session, people: FromClause) -> Iterator[Value]:
    """Median out-of-pocket per treated patient and the catastrophic-spending rate of the
    period, by province, centre and disease, over the period's treated records with doses
    (``people``: their out-of-pocket and threshold summed and set per patient, see
    ``monitoring.treatment``)."""
    p = people
    has_income = p.c.threshold.is_not(None)
    rows = (
        select(
            p.c.province,
            p.c.centre,
            p.c.disease,
            p.c.oop,
            flag(has_income).label("known"),
            flag(and_(has_income, p.c.oop > p.c.threshold)).label("catastrophic"),
        )
        .where(p.c.oop.is_not(None))
        .subquery("costs")
    )
    catastrophic = BY_CODE["catastrophic_spending"]
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
