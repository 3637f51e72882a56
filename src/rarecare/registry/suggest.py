"""The diagnosis engine on a registry record: the query made of the patient's recorded
phenotype, the ranking it gives and what to ask next (the record is already access-checked)."""

from __future__ import annotations

from rarecare.diagnosis import DiagnosisEngine, Query, Ranking
from rarecare.diagnosis.questions import ask
from rarecare.registry.models import Patient


def patient_query(patient: Patient) -> Query | None:
    """The diagnosis query made of a patient's recorded phenotype (None without observed terms)."""
    observed = tuple(dict.fromkeys(p.hpo_id for p in patient.phenotypes if not p.excluded))
    excluded = tuple(
        dict.fromkeys(
            p.hpo_id for p in patient.phenotypes if p.excluded and p.hpo_id not in observed
        )
    )
    if not observed:
        return None
    onset = patient.onset_date or patient.first_symptoms_date
    years = None
    if patient.onset_kind.value in ("antenatal", "at_birth"):
        years = -0.5 if patient.onset_kind.value == "antenatal" else 0.0
    elif onset is not None:
        years = max(0.0, (onset - patient.birth_month).days / 365.25)
    sex = patient.sex.value if patient.sex.value in ("female", "male") else None
    return Query(observed=observed, excluded=excluded, sex=sex, onset_years=years)


def suggestions(*, engine: DiagnosisEngine, patient: Patient, top: int = 5) -> Ranking | None:
    """The diagnosis engine's ranking for the patient's phenotype (already access-checked)."""
    query = patient_query(patient)
    if query is None:
        return None
    ranking = engine.rank(query, top=top, explain=False)
    ask(engine, ranking)  # what to ask next
    return ranking
