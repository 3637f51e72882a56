"""HL7 FHIR export: a Bundle of Patient (pseudonym only), Condition (ORPHA and ICD-10 codes), one
Observation per HPO term and one Consent per consent given (active, or inactive once withdrawn),
validated by ``fhir.resources`` (FHIR R4B models)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from rarecare.errors import FieldError
from rarecare.i18n import N_
from rarecare.interop.records import RecordSnapshot

ORPHA_SYSTEM = "http://www.orpha.net"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
OMIM_SYSTEM = "https://omim.org"
HPO_SYSTEM = "http://purl.obolibrary.org/obo/hp.owl"
PSEUDONYM_SYSTEM = "https://rarecare.example/pseudonym"
CONSENT_PURPOSE_SYSTEM = "https://rarecare.example/consent-purpose"
# FHIR R4B consent scope and v3 ActReason purpose of use, per RareCare purpose
_CONSENT = {
    "care": ("treatment", "TREAT"),
    "research": ("research", "HRESCH"),
    "recontact": ("research", "HRESCH"),
    "international": ("patient-privacy", "HRESCH"),
    "biobank": ("research", "HRESCH"),
}
_GENDER = {"female": "female", "male": "male", "undetermined": "other", "unknown": "unknown"}
_VERIFICATION = {
    "suspected": "provisional",
    "probable": "provisional",
    "confirmed": "confirmed",
    "undiagnosed": "unconfirmed",
}


def _entries(record: RecordSnapshot) -> list[dict[str, Any]]:
    patient_ref = f"urn:uuid:patient-{record.pseudonym}"
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": PSEUDONYM_SYSTEM, "value": record.pseudonym}],
        "gender": _GENDER.get(record.sex, "unknown"),
        "birthDate": record.birth_month.strftime("%Y-%m"),
    }
    if record.vital_status == "dead":
        patient["deceasedDateTime" if record.death_date else "deceasedBoolean"] = (
            record.death_date.isoformat() if record.death_date else True
        )
    entries = [{"fullUrl": patient_ref, "resource": patient}]
    if record.orpha_code:
        codings = [
            {
                "system": ORPHA_SYSTEM,
                "code": record.orpha_code.split(":")[1],
                "display": record.disease_label,
            }
        ]
        if record.icd10_code:
            codings.append({"system": ICD10_SYSTEM, "code": record.icd10_code})
        if record.omim_code:
            codings.append({"system": OMIM_SYSTEM, "code": record.omim_code.split(":")[1]})
        entries.append(
            {
                "fullUrl": f"urn:uuid:condition-{record.pseudonym}",
                "resource": {
                    "resourceType": "Condition",
                    "subject": {"reference": patient_ref},
                    "code": {"coding": codings, "text": record.disease_label},
                    "verificationStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                "code": _VERIFICATION.get(record.diagnostic_status, "unconfirmed"),
                            }
                        ]
                    },
                },
            }
        )
    for i, feature in enumerate(record.features):
        entries.append(
            {
                "fullUrl": f"urn:uuid:observation-{record.pseudonym}-{i}",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "subject": {"reference": patient_ref},
                    "code": {
                        "coding": [
                            {"system": HPO_SYSTEM, "code": feature.hpo_id, "display": feature.label}
                        ]
                    },
                    "interpretation": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                    "code": "NEG" if feature.excluded else "POS",
                                }
                            ]
                        }
                    ],
                    "valueBoolean": not feature.excluded,
                },
            }
        )
    for i, given in enumerate(record.consents):
        scope, purpose = _CONSENT.get(given.purpose, ("patient-privacy", "HRESCH"))
        period: dict[str, str] = {"start": given.given_on.isoformat()}
        if given.withdrawn_on:
            period["end"] = given.withdrawn_on.isoformat()
        entries.append(
            {
                "fullUrl": f"urn:uuid:consent-{record.pseudonym}-{i}",
                "resource": {
                    "resourceType": "Consent",
                    "status": "inactive" if given.withdrawn_on else "active",
                    "scope": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                "code": scope,
                            }
                        ]
                    },
                    "category": [
                        {"coding": [{"system": "http://loinc.org", "code": "59284-0"}]},
                        {"coding": [{"system": CONSENT_PURPOSE_SYSTEM, "code": given.purpose}]},
                    ],
                    "patient": {"reference": patient_ref},
                    "dateTime": given.given_on.isoformat(),
                    "policyRule": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                "code": "OPTIN",
                            }
                        ],
                        **({"text": f"form {given.form_version}"} if given.form_version else {}),
                    },
                    "provision": {
                        "type": "permit",
                        "period": period,
                        "purpose": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                                "code": purpose,
                            }
                        ],
                    },
                },
            }
        )
    return entries


def to_bundle(records: Iterable[RecordSnapshot]) -> tuple[Bundle, list[FieldError]]:
    """A collection Bundle of every record FHIR accepts (each validated on its own), and a
    problem naming each record left out (by pseudonym), also reported in the bundle as an
    OperationOutcome."""
    entries: list[dict[str, Any]] = []
    problems: list[FieldError] = []
    for record in records:
        own = _entries(record)
        try:
            Bundle.model_validate({"resourceType": "Bundle", "type": "collection", "entry": own})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            problems.append(
                FieldError(
                    record.pseudonym,
                    N_("left out: %(problem)s (%(where)s)"),
                    params={"problem": first.get("msg", "invalid"), "where": where},
                )
            )
            continue
        entries.extend(own)
    if problems:
        entries.append(
            {
                "fullUrl": "urn:uuid:export-problems",
                "resource": {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {"severity": "error", "code": "invalid", "diagnostics": str(p)}
                        for p in problems
                    ],
                },
            }
        )
    bundle = Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "entry": entries}
    )
    return bundle, problems


def to_json(records: Iterable[RecordSnapshot]) -> tuple[str, list[FieldError]]:
    bundle, problems = to_bundle(records)
    return bundle.model_dump_json(indent=2, exclude_none=True), problems
