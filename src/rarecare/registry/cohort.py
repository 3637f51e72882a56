"""Cohorts released for a purpose: the registry's one query for "patients with these diseases,
phenotypes, sex, provinces, years and ages who currently consent to these purposes", used by
research extracts and feasibility counts and by the Beacon. Diseases match with their Orphanet
subtypes, phenotypes with their HPO descendants; excluded phenotypes never match. Callers audit
what they release."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, extract, func, select
from sqlalchemy.orm import Session, selectinload

from rarecare.knowledge import KnowledgeBase
from rarecare.registry.consent import current_clause
from rarecare.registry.models import ConsentPurpose, Patient, PhenotypeObservation, Sex


@dataclass(frozen=True)
class Cohort:
    """Who is in: every criterion given must hold (several values of one criterion: any)."""

    purposes: tuple[ConsentPurpose, ...] = (ConsentPurpose.RESEARCH,)
    orpha_codes: Sequence[str] = ()
    hpo_ids: Sequence[str] = ()  # every term listed must be observed (or a descendant of it)
    sexes: Sequence[Sex] = ()
    provinces: Sequence[str] = ()
    diagnosis_year_from: int | None = None
    diagnosis_year_to: int | None = None
    age_min: int | None = None  # age in whole years today, from the month of birth
    age_max: int | None = None
    today: date = field(default_factory=date.today)


def orpha_with_subtypes(kb: KnowledgeBase, code: str) -> set[str]:
    """An ORPHA entity and everything below it in the Orphanet classification."""
    found = {code}
    stack = [code]
    while stack:
        disease = kb.diseases.get(stack.pop())
        for child in disease.children if disease else ():
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def hpo_with_descendants(kb: KnowledgeBase, term: str) -> set[str]:
    return {term, *kb.ontology.descendants(term)}


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def conditions(kb: KnowledgeBase, cohort: Cohort) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [current_clause(p) for p in cohort.purposes]
    if cohort.orpha_codes:
        codes = set().union(*(orpha_with_subtypes(kb, c) for c in cohort.orpha_codes))
        where.append(Patient.orpha_code.in_(sorted(codes)))
    for term in cohort.hpo_ids:
        terms = sorted(hpo_with_descendants(kb, term))
        where.append(
            Patient.id.in_(
                select(PhenotypeObservation.patient_id).where(
                    PhenotypeObservation.hpo_id.in_(terms),
                    PhenotypeObservation.excluded.is_(False),
                )
            )
        )
    if cohort.sexes:
        where.append(Patient.sex.in_(list(cohort.sexes)))
    if cohort.provinces:
        where.append(Patient.province_code.in_(list(cohort.provinces)))
    if cohort.diagnosis_year_from is not None:
        where.append(extract("year", Patient.diagnosis_date) >= cohort.diagnosis_year_from)
    if cohort.diagnosis_year_to is not None:
        where.append(extract("year", Patient.diagnosis_date) <= cohort.diagnosis_year_to)
    if cohort.age_min is not None:  # born at least age_min years ago
        where.append(Patient.birth_month <= _shift_years(cohort.today, cohort.age_min))
    if cohort.age_max is not None:  # not yet age_max + 1
        latest = _shift_years(cohort.today, cohort.age_max + 1).replace(day=1)
        where.append(Patient.birth_month > latest)
    return where


def count(*, session: Session, kb: KnowledgeBase, cohort: Cohort) -> int:
    """How many patients the cohort holds (an aggregate: the caller suppresses small ones)."""
    return count_where(session=session, where=conditions(kb, cohort))


def count_where(*, session: Session, where: Sequence[ColumnElement[bool]]) -> int:
    """How many patients meet every condition (built with :func:`conditions`)."""
    query = select(func.count()).select_from(Patient).where(*where)
    return int(session.scalar(query) or 0)


def members(
    *, session: Session, kb: KnowledgeBase, cohort: Cohort, batch: int = 2000
) -> Iterator[list[Patient]]:
    """The cohort's records in id order, a batch at a time with their phenotypes loaded; each
    batch leaves the session once the caller has it."""
    where = conditions(kb, cohort)
    last_id = 0
    while True:
        query: Select[Patient] = (
            select(Patient)
            .where(Patient.id > last_id, *where)
            .order_by(Patient.id)
            .limit(batch)
            .options(selectinload(Patient.phenotypes), selectinload(Patient.diagnoses))
        )
        patients = list(session.scalars(query))
        if not patients:
            return
        last_id = patients[-1].id
        yield patients
        for patient in patients:
            session.expunge(patient)


def present_terms(
    *, session: Session, purposes: Sequence[ConsentPurpose]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], list[tuple[str, int]]]:
    """What the consenting records hold: (ORPHA codes, observed HPO terms, sexes), each with
    its number of patients — the Beacon's filtering terms."""
    where = [current_clause(p) for p in purposes]
    diseases = session.execute(
        select(Patient.orpha_code, func.count())
        .where(Patient.orpha_code.is_not(None), *where)
        .group_by(Patient.orpha_code)
        .order_by(Patient.orpha_code)
    ).all()
    terms = session.execute(
        select(
            PhenotypeObservation.hpo_id, func.count(func.distinct(PhenotypeObservation.patient_id))
        )
        .where(
            PhenotypeObservation.excluded.is_(False),
            *(current_clause(p, PhenotypeObservation.patient_id) for p in purposes),
        )
        .group_by(PhenotypeObservation.hpo_id)
        .order_by(PhenotypeObservation.hpo_id)
    ).all()
    sexes = session.execute(
        select(Patient.sex, func.count()).where(*where).group_by(Patient.sex).order_by(Patient.sex)
    ).all()
    return (
        [(str(c), int(n)) for c, n in diseases],
        [(str(t), int(n)) for t, n in terms],
        [(Sex(s).value, int(n)) for s, n in sexes],
    )
