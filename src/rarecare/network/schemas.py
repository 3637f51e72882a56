"""API shapes of the care network."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rarecare.network.models import (
    Interpretation,
    ReferralKind,
    ReferralStatus,
    SampleStatus,
    ScreeningOutcome,
    ScreeningResult,
    TestKind,
    Urgency,
)


# ----------------------------------------------------------------------------- referrals
class ReferralIn(BaseModel):
    to_centre_code: str = Field(min_length=2, max_length=32, description="The receiving centre")
    reason: str = Field(min_length=10, max_length=4000, description="Why, for the receiving team")
    suspected: list[str] = Field(
        default_factory=list, max_length=10, description="Suspected diseases (ORPHAcodes)"
    )
    urgency: Urgency = Urgency.ROUTINE


class BackReferralIn(BaseModel):
    to_centre_code: str = Field(min_length=2, max_length=32, description="Near the patient's home")
    reason: str = Field(min_length=10, max_length=4000)
    drug: str = Field(default="", max_length=120, description="The maintenance therapy (INN)")


class DeclineIn(BaseModel):
    reason: str = Field(min_length=10, max_length=2000)
    version: int | None = None


class SeenIn(BaseModel):
    seen_on: date
    version: int | None = None


class OutcomeIn(BaseModel):
    outcome: str = Field(min_length=3, max_length=4000, description="The diagnosis, in words")
    orpha_code: str | None = Field(default=None, description="The diagnosis (ORPHAcode)")
    version: int | None = None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    kind: ReferralKind
    from_centre_id: int
    to_centre_id: int
    parent_id: int | None
    status: ReferralStatus
    urgency: Urgency
    reason: str
    suspected: list[str]
    suggestions: list[dict[str, Any]]
    phenotypes: list[dict[str, Any]]
    drug: str
    decline_reason: str
    outcome: str
    outcome_orpha: str | None
    sent_at: datetime
    responded_at: datetime | None
    seen_on: date | None
    diagnosis_returned_at: datetime | None
    closed_at: datetime | None
    created_by: str
    version: int
    attachments: list[AttachmentOut] = []


# --------------------------------------------------------------------------- laboratories
class LaboratoryIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)
    province_code: str = Field(pattern=r"^\d{2}$")
    centre_code: str | None = None
    contact: str = Field(default="", max_length=200)


class LaboratoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    province_code: str
    centre_id: int | None
    contact: str


class LabTestIn(BaseModel):
    laboratory_code: str
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)
    kind: TestKind
    orpha_codes: list[str] = Field(default_factory=list)
    sample_type: str = Field(min_length=2, max_length=80)
    turnaround_days: int = Field(ge=1, le=365)
    price_vnd: float | None = Field(default=None, ge=0)
    insurance_covered: bool = False


class LabTestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    laboratory_id: int
    code: str
    name: str
    kind: TestKind
    orpha_codes: list[str]
    sample_type: str
    turnaround_days: int
    price_vnd: float | None
    insurance_covered: bool
    active: bool


class SampleIn(BaseModel):
    test_code: str
    ordered_on: date | None = None
    referral_id: int | None = None


class SampleStepIn(BaseModel):
    """The next step of a sample: sent, received (on a date), or cancelled."""

    status: SampleStatus
    on: date | None = None
    version: int | None = None


class SampleResultIn(BaseModel):
    resulted_on: date | None = None
    result_text: str = Field(min_length=2, max_length=4000)
    interpretation: Interpretation
    version: int | None = None


class SampleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    test_id: int
    centre_id: int
    referral_id: int | None
    status: SampleStatus
    ordered_on: date
    sent_on: date | None
    received_on: date | None
    resulted_on: date | None
    result_text: str
    interpretation: Interpretation | None
    attachment_name: str
    ordered_by: str
    version: int
    overdue: bool = False
    due_on: date | None = None


# ----------------------------------------------------------------------------- screening
class ProgrammeIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)
    orpha_codes: list[str] = Field(min_length=1)
    test_code: str | None = None
    provinces: list[str] = Field(default_factory=list, description="Empty: nationwide")
    started_on: date | None = None


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    orpha_codes: list[str]
    test_id: int | None
    provinces: list[str]
    started_on: date | None


class ScreeningFollowUpIn(BaseModel):
    """What happened after a positive or inconclusive screen."""

    recalled_on: date | None = None
    confirmatory_test: str = Field(default="", max_length=200)
    confirmed_on: date | None = None
    outcome: ScreeningOutcome
    patient_id: int | None = Field(default=None, description="The registry record, if confirmed")
    first_treatment_on: date | None = None
    version: int | None = None


class ScreeningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    programme_id: int
    sample_code: str
    pseudonym: str
    birth_month: date
    sex: str
    province_code: str
    laboratory_id: int
    sample_date: date
    age_at_sample_hours: int | None
    result_date: date | None
    result: ScreeningResult
    analyte: str
    recalled_on: date | None
    confirmatory_test: str
    confirmed_on: date | None
    outcome: ScreeningOutcome
    patient_id: int | None
    first_treatment_on: date | None
    version: int


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None
