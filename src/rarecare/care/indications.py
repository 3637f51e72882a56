"""Drug indications: a therapy plan of a listed drug is for a patient with one of the drug's
listed indications (ORPHA), or one of their subtypes. Anything else is off-label and needs an
explicit reason, recorded with the plan's audit entry."""

from __future__ import annotations

from rarecare.errors import FieldError
from rarecare.i18n import N_
from rarecare.knowledge import KnowledgeBase
from rarecare.lists.models import DrugEntry
from rarecare.registry.models import Patient

MIN_REASON = 10


def patient_codes(patient: Patient) -> set[str]:
    """The diseases a patient is recorded with (the record's and every diagnosis record's)."""
    codes = {d.orpha_code for d in patient.diagnoses}
    if patient.orpha_code:
        codes.add(patient.orpha_code)
    return codes


def is_indicated(entry: DrugEntry, patient: Patient, kb: KnowledgeBase | None) -> bool:
    """Whether the patient has a listed indication of the drug (a drug listed without
    indications is indicated for anyone)."""
    if not entry.indications:
        return True
    codes = patient_codes(patient)
    if kb is not None:  # a subtype of an indicated disease is indicated too
        codes |= {a for code in list(codes) for a in kb.ancestors(code)}
    return bool(codes & set(entry.indications))


def unexplained(entry: DrugEntry, reason: str) -> FieldError | None:
    """The problem with prescribing ``entry`` off-label for ``reason``: none given."""
    if len(reason.strip()) >= MIN_REASON:
        return None
    return FieldError(
        "indication_override",
        N_(
            "%(drug)s is listed for %(diseases)s, not for this patient's diagnosis: to "
            "prescribe it off-label, give the reason (at least 10 characters)"
        ),
        params={"drug": entry.inn, "diseases": ", ".join(entry.indications)},
    )
