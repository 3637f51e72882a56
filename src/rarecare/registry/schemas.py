"""API shapes of the registry. Identities come in, pseudonymised records go out."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rarecare.registry.models import (
    AgeKind,
    ConsentPurpose,
    Detection,
    DiagnosticStatus,
    Sex,
    VitalStatus,
)


class IdentityIn(BaseModel):
    full_name: str = Field(min_length=2, max_length=200)
    birth_date: date
    national_id: str = Field(default="", max_length=20, description="CCCD (12 digits)")
    insurance_number: str = Field(default="", max_length=20)
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=300)
    guardian: str = Field(default="", max_length=200)

    @field_validator("full_name", "address", "guardian")
    @classmethod
    def _as_written(cls, value: str) -> str:
        """NFC (an accented letter is one code point however it was typed), single spaces;
        diacritics and case are kept."""
        return " ".join(unicodedata.normalize("NFC", value).split())

    @field_validator("national_id", "insurance_number", "phone")
    @classmethod
    def _plain_characters(cls, value: str) -> str:
        """NFKC (full-width digits and letters become ASCII), upper case, no spaces."""
        return "".join(unicodedata.normalize("NFKC", value).upper().split())


class RecordFields(BaseModel):
    """The pseudonymised elements (EU JRC common data elements and more)."""

    sex: Sex
    vital_status: VitalStatus = VitalStatus.ALIVE
    death_date: date | None = None
    first_contact_date: date | None = None
    first_symptoms_date: date | None = None
    onset_kind: AgeKind = AgeKind.UNDETERMINED
    onset_date: date | None = None
    diagnosis_kind: AgeKind = AgeKind.UNDETERMINED
    diagnosis_date: date | None = None
    diagnostic_status: DiagnosticStatus
    orpha_code: str | None = Field(
        default=None, description="ORPHAcode; ORPHA:616874 for undiagnosed"
    )
    contact_for_research: bool
    consent_reuse: bool
    biosample: bool = False
    biobank: str = ""
    icf_codes: str = ""
    province_code: str = Field(pattern=r"^\d{2}$", description="34-province code (from July 2025)")
    former_province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    detection: Detection = Field(
        default=Detection.UNKNOWN,
        description="How the case was detected: newborn_screening, symptoms, family_screening, "
        "prenatal, incidental or unknown",
    )


CONFIRM = Field(
    default=False,
    description="Save dates that are unusual but possible (first symptoms after the first "
    "contact...): without it such a record answers 422 with code confirmation_required",
)


class PatientIn(RecordFields):
    identity: IdentityIn
    confirm_warnings: bool = CONFIRM
    centre_code: str | None = Field(
        default=None, description="Treating centre (default: the user's own)"
    )


class PatientUpdateIn(RecordFields):
    confirm_warnings: bool = CONFIRM
    version: int | None = Field(
        default=None,
        description="The record's version the change was made from (from the last read): a "
        "record changed since answers 409 with what changed, instead of undoing that change",
    )


class PatientOut(RecordFields):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pseudonym: str
    centre_id: int
    birth_month: date
    possible_duplicate_of: int | None = Field(
        description="The first record of the same person at another centre (national roles "
        "only; a centre learns that a possible duplicate exists, not which record it is)"
    )
    possible_duplicate: bool = False
    created_at: datetime
    updated_at: datetime
    version: int
    coarsened: bool = Field(
        default=False,
        description="Quasi-identifiers coarsened for a national view: fewer than 5 records share "
        "this one's disease, province, birth month and sex, so it shows the birth year "
        "(birth_month is 1 January), the region instead of the province, and event dates to "
        "the month",
    )
    region: str | None = None
    province_code: str | None = None  # type: ignore[assignment]  # None when coarsened


class IdentityOut(IdentityIn):
    pseudonym: str


class PhenotypeIn(BaseModel):
    hpo_id: str
    excluded: bool = False
    onset: str = ""
    observed_on: date | None = None


class PhenotypeOut(PhenotypeIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recorded_by: str


class DiagnosisIn(BaseModel):
    orpha_code: str
    status: DiagnosticStatus
    diagnosed_on: date | None = None
    evidence: str = ""
    gene: str = Field(default="", max_length=32, description="HGNC symbol")
    variant: str = Field(default="", max_length=200, description="HGVS")
    zygosity: str = ""
    classification: str = Field(default="", description="ACMG class")


class DiagnosisOut(DiagnosisIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    icd10_code: str
    omim_code: str
    recorded_by: str


class DelayOut(BaseModel):
    onset_to_first_contact_days: int | None
    first_contact_to_diagnosis_days: int | None
    onset_to_diagnosis_days: int | None
    undiagnosed_after_one_year: bool


class EncounterIn(BaseModel):
    date: date
    kind: str = Field(default="visit", max_length=32, examples=["visit", "infusion", "admission"])
    weight_kg: float | None = Field(default=None, gt=0, lt=400)
    height_cm: float | None = Field(default=None, gt=20, lt=260)
    note: str = ""


class EncounterOut(EncounterIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    centre_id: int
    recorded_by: str


class ProblemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    patient_id: int
    pseudonym: str
    kind: str = Field(description="implausible, check, measure, missing or duplicate")
    fields: list[str]
    message: str
    fix: str = Field(description="the page that fixes it")


class QualityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    centre_id: int
    records: int
    total: int
    by_kind: dict[str, int]
    missing: list[tuple[str, int]] = Field(description="(JRC element, records without it)")
    problems: list[ProblemOut]


class ConsentIn(BaseModel):
    purpose: ConsentPurpose
    given_on: date
    form_version: str = Field(default="", max_length=40)


class WithdrawalIn(BaseModel):
    withdrawn_on: date


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    purpose: ConsentPurpose
    given_on: date
    form_version: str
    recorded_by: str
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawn_by: str | None
    is_current: bool
