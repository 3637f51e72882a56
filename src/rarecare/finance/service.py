"""Finance services: versioned coverage rules, patient costs, budget impact."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare import outputs
from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.care import logistics, therapy
from rarecare.care import travel as tr
from rarecare.care.dosing import plan as dose_plan
from rarecare.care.dosing import vials as vials_for
from rarecare.care.models import PlanStatus
from rarecare.care.schedule import ideal_dates
from rarecare.centres import service as centres
from rarecare.errors import Conflict, FieldError, ValidationFailed
from rarecare.finance.budget import BudgetImpact, BudgetInputs, orphanet_prevalence, project
from rarecare.finance.coverage import CareYear, CoverageRules, PatientFacts, yearly_cost
from rarecare.finance.models import CoverageRuleSet, PatientCoverage
from rarecare.finance.schemas import BudgetIn, PatientCoverageIn, PlanCostOut, RuleSetIn
from rarecare.geo import get_province
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.lists.models import DrugEntry
from rarecare.outputs import OutputKind
from rarecare.registry import service as registry
from rarecare.storage.versioning import check_version

RULE_EDITORS = (Role.ADMIN, Role.MINISTRY)


# ------------------------------------------------------------------------- coverage rules
def current_rules(*, session: Session, on: date | None = None) -> tuple[int, CoverageRules]:
    """The rule set in force on a date (version 0: the built-in defaults)."""
    row = session.scalar(
        select(CoverageRuleSet)
        .where(CoverageRuleSet.effective_from <= (on or date.today()))
        .order_by(CoverageRuleSet.effective_from.desc(), CoverageRuleSet.version.desc())
        .limit(1)
    )
    if row is None:
        return 0, CoverageRules()
    return row.version, CoverageRules.model_validate(row.rules)


def rule_versions(*, session: Session) -> list[CoverageRuleSet]:
    return list(session.scalars(select(CoverageRuleSet).order_by(CoverageRuleSet.version.desc())))


def publish_rules(
    *, session: Session, principal: Principal | None, data: RuleSetIn
) -> CoverageRuleSet:
    """A new version of the coverage rules (earlier versions stay as they were)."""
    actor = require_role(principal, *RULE_EDITORS)
    latest = session.scalar(select(func.max(CoverageRuleSet.version))) or 0
    if data.based_on is not None and data.based_on != latest:
        raise Conflict(
            _(
                "The coverage rules were changed by someone else since you opened them "
                "(version %(yours)d, now %(now)d). Review the changes and save again."
            )
            % {"yours": data.based_on, "now": latest},
            [FieldError("based_on", N_("now %(value)s"), params={"value": latest})],
        )
    row = CoverageRuleSet(
        version=latest + 1,
        effective_from=data.effective_from,
        rules=data.rules.model_dump(mode="json"),
        note=data.note,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="publish",
        object_type="coverage_rules",
        object_id=row.version,
        detail={"effective_from": data.effective_from.isoformat()},
    )
    outputs.approved(
        session=session,
        kind=OutputKind.COVERAGE_RULES,
        ref=row.version,
        on=date.today(),
        by=actor.username,
    )
    return row


def note_referral(*, session: Session, patient_id: int, username: str) -> None:
    """A referral was made: the patient's care at the receiving centre is referred care (the
    coverage rules' "has referral" flag)."""
    row = coverage_of(session=session, patient_id=patient_id)
    if row is None:
        session.add(PatientCoverage(patient_id=patient_id, has_referral=True, updated_by=username))
    elif not row.has_referral:
        row.has_referral = True
        row.updated_by = username
    session.flush()


# ------------------------------------------------------------------------ patient costs
def coverage_of(*, session: Session, patient_id: int) -> PatientCoverage | None:
    return session.scalar(select(PatientCoverage).where(PatientCoverage.patient_id == patient_id))


def set_patient_coverage(
    *, session: Session, principal: Principal | None, patient_id: int, data: PatientCoverageIn
) -> PatientCoverage:
    actor = require_role(principal, Role.CLINICIAN, Role.DATA_MANAGER)
    patient = registry.get(
        session=session, principal=actor, patient_id=patient_id, action="set_coverage"
    )
    rules = current_rules(session=session)[1]
    known = {g.code for g in rules.groups}
    unknown = [g for g in data.groups if g not in known]
    if unknown:
        raise ValidationFailed(
            _("Invalid coverage."),
            [
                FieldError(
                    "groups",
                    N_("%(group)s is not a beneficiary group of the rules"),
                    params={"group": g},
                )
                for g in unknown
            ],
        )
    row = coverage_of(session=session, patient_id=patient.id)
    if row is None:
        row = PatientCoverage(patient_id=patient.id, updated_by=actor.username)
        session.add(row)
    else:
        check_version(row, data.version, data.model_dump(exclude={"version"}))
    for key, value in data.model_dump(exclude={"version"}).items():
        setattr(row, key, value)
    row.updated_by = actor.username
    session.flush()
    return row


def price_in(entry: DrugEntry | None, first: date, last: date) -> float | None:
    """The list price per vial if it is in force during [first, last] (its effective dates)."""
    if entry is None or entry.price_vnd is None:
        return None
    if entry.price_effective_from is not None and entry.price_effective_from > last:
        return None
    if entry.price_effective_to is not None and entry.price_effective_to < first:
        return None
    return entry.price_vnd


def patient_costs(
    *,
    session: Session,
    principal: Principal | None,
    patient_id: int,
    year: int | None = None,
    today: date | None = None,
) -> list[PlanCostOut]:
    """Per plan for a calendar year: drug, service and travel costs and who pays them. Doses
    given that year count as given; the rest of the year counts as planned."""
    record = registry.open_record(
        session=session, principal=principal, patient_id=patient_id, action="read_costs"
    )
    return costs_of(session=session, record=record, year=year, today=today)


def costs_of(
    *,
    session: Session,
    record: registry.PatientRecord,
    year: int | None = None,
    today: date | None = None,
) -> list[PlanCostOut]:
    """:func:`patient_costs` of an opened (scoped, audited) patient record."""
    patient = record.patient
    now = today or date.today()
    year = year or now.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    version, rules = current_rules(session=session, on=first)
    cover = coverage_of(session=session, patient_id=patient.id)
    weight = registry.latest_weight(patient)
    drugs = therapy.current_drugs(session=session)
    age = (date(year, 7, 1) - patient.birth_month).days / 365.25
    facts = PatientFacts(
        age_years=age,
        groups=tuple(cover.groups) if cover else (),
        on_national_list=lists.on_national_list(session=session, orpha_code=patient.orpha_code),
        has_referral=cover.has_referral if cover else True,
        household_income_vnd=cover.household_income_vnd if cover else None,
        subsistence_vnd=cover.subsistence_vnd if cover else None,
    )
    home = get_province(patient.province_code)
    given_all = therapy.administrations_of(session=session, record=record)
    out: list[PlanCostOut] = []
    for plan in therapy.plans_of(session=session, record=record):
        entry = drugs.get(plan.drug)
        centre = centres.get_centre(session=session, centre_id=plan.centre_id)
        given = [a for a in given_all if a.plan_id == plan.id]
        in_year = [a for a in given if first <= a.given_on <= last]
        spec = therapy.spec_of(plan, patient.pseudonym, [a.given_on for a in given], entry)
        planned = 0
        if plan.status == PlanStatus.ACTIVE and last >= now:
            planned = sum(1 for _n, day, _o in ideal_dates(spec, max(now, first), last))
        visits = len(in_year) + planned
        dose = therapy.dose_of(plan, weight)
        each = vials_for(dose, entry.strength) if dose is not None and entry else 0
        vials = sum(a.vials for a in in_year) + planned * spec.doses_per_visit * each
        price = price_in(entry, first, last)
        place = logistics.places([centre]).get(centre.code)
        km = 0.0
        if home is not None and place is not None:  # a return trip per visit
            traveller = tr.Traveller(
                patient.pseudonym, home.code, home.lat, home.lon, plan.drug, centre.code, visits
            )
            km = tr.km_per_year(traveller, place)
        cost = yearly_cost(
            rules,
            facts,
            CareYear(
                drug=plan.drug,
                drug_reimbursement=entry.reimbursement if entry else "not_covered",
                drug_coverage_rate=entry.coverage_rate if entry else 0.0,
                level=centre.level.value,
                drug_cost=vials * (price or 0.0),
                administrations=visits if therapy.at_centre(entry) else 0,
                km=km,
            ),
        )
        out.append(
            PlanCostOut(
                plan_id=plan.id,
                drug=plan.drug,
                year=year,
                rules_version=version,
                price_vnd=price,
                administrations=visits * spec.doses_per_visit,
                vials=vials,
                km=km,
                **asdict(cost),
            )
        )
    return out


# ------------------------------------------------------------------------- budget impact
def mean_weight(*, session: Session, patient_ids: list[int]) -> float | None:
    """Mean of each patient's latest recorded weight."""
    weights = registry.latest_weights(session=session, patient_ids=patient_ids)
    return sum(weights.values()) / len(weights) if weights else None


def indication_prevalence(
    kb: KnowledgeBase | None, indications: list[str]
) -> tuple[float, list[str]]:
    """The prevalence per 100,000 of a drug's indications (the sum of Orphanet's figure for
    each, see ``budget.orphanet_prevalence``) and where each came from. Without a figure for
    any: 1 per 100,000, Europe's threshold for a rare disease divided by 50."""
    total, sources = 0.0, []
    for code in indications:
        disease = kb.disease(code) if kb else None
        found = orphanet_prevalence(
            [(p.kind, p.klass, p.geographic) for p in disease.prevalence] if disease else []
        )
        if found is not None:
            value, (kind, klass, place) = found
            total += value
            sources.append(f"{code}: {kind}, {klass} ({place})")
    return (total, sources) if sources else (1.0, [])


def budget_impact(
    *,
    session: Session,
    principal: Principal | None,
    data: BudgetIn,
    kb: KnowledgeBase | None = None,
) -> tuple[BudgetImpact, dict[str, object]]:
    """Yearly cost to the fund and to families of covering a drug (national roles). Returns the
    projection and how its inputs were derived (the prevalence, unless given, from Orphanet's
    figures for the drug's indications)."""
    actor = require_role(principal, Role.ADMIN, Role.MINISTRY)
    entry = therapy.drug_entry(session=session, name=data.drug)
    patients = registry.living_diagnosed(session=session, orpha_codes=entry.indications)
    weight = data.weight_kg or mean_weight(session=session, patient_ids=[p.id for p in patients])
    if entry.dose_basis == "per_kg" and weight is None:
        raise ValidationFailed(
            _("Invalid budget impact."),
            [
                FieldError(
                    "weight_kg", N_("no registered patient has a weight: enter a mean weight")
                )
            ],
        )
    _version, rules = current_rules(session=session, on=data.start)
    dose = dose_plan(therapy.regimen_of_entry(entry), weight)
    at_centre = therapy.at_centre(entry)
    fee = rules.service_fee_vnd.get("national", 0.0) if at_centre else 0.0
    per_year = (dose.yearly_cost or 0.0) + dose.administrations_per_year * fee
    prevalence, prevalence_sources = (
        (data.prevalence_per_100k, [])
        if data.prevalence_per_100k is not None
        else indication_prevalence(kb, list(entry.indications))
    )
    current = data.current_coverage
    if current is None:
        current = entry.coverage_rate if entry.reimbursement in ("covered", "partial") else 0.0
    inputs = BudgetInputs(
        drug=entry.inn,
        coverage=data.coverage,
        start=data.start,
        years=data.years,
        cost_per_patient_year=per_year,
        registered_patients=len(patients),
        current_coverage=current,
        prevalence_per_100k=prevalence,
        population=data.population,
        diagnosis_rate=data.diagnosis_rate,
        uptake=data.uptake,
        discontinuation=data.discontinuation,
    )
    problems = inputs.validate()
    if problems:
        raise ValidationFailed(_("Invalid budget impact."), [FieldError(f, m) for f, m in problems])
    audit.record(
        session=session,
        actor=actor,
        action="budget_impact",
        object_type="drug",
        object_id=entry.inn,
        detail={"registered_patients": len(patients)},
    )
    derived: dict[str, object] = {
        "mean_weight_kg": weight,
        "dose": dose.dose,
        "dose_unit": dose.dose_unit,
        "vials_per_year": dose.vials_per_year,
        "price_per_vial": dose.price_per_vial,
        "administrations_per_year": dose.administrations_per_year,
        "service_fee": fee,
        "drug_cost_per_year": dose.yearly_cost,
        "indications": list(entry.indications),
        "prevalence_per_100k": prevalence,
        "prevalence_sources": prevalence_sources,
    }
    return project(inputs), derived
