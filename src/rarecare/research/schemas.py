"""Shapes of research access: a request and its cohort, the committee's decisions, the Beacon's
query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rarecare.registry.models import Sex
from rarecare.research.models import DateHandling, RequestStatus


class CohortIn(BaseModel):
    """Which patients: every criterion given must hold; several values of one: any of them."""

    orpha_codes: list[str] = Field(default_factory=list, max_length=50)
    hpo_ids: list[str] = Field(default_factory=list, max_length=20)
    sexes: list[Sex] = Field(default_factory=list)
    provinces: list[str] = Field(default_factory=list, max_length=34)
    diagnosis_year_from: int | None = Field(default=None, ge=1900, le=2100)
    diagnosis_year_to: int | None = Field(default=None, ge=1900, le=2100)
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)

    @field_validator("orpha_codes", "hpo_ids", "provinces", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """A list, or the text of a form field: codes separated by commas, semicolons or
        spaces."""
        if isinstance(value, str):
            return [v for v in value.replace(";", ",").replace(" ", ",").split(",") if v]
        return value


class RequestIn(BaseModel):
    organisation_code: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=5, max_length=300)
    purpose: str = Field(min_length=20, max_length=10_000)
    cohort: CohortIn = Field(default_factory=CohortIn)
    variables: list[str] = Field(min_length=1, max_length=40)
    duration_months: int = Field(ge=1, le=60)
    version: int | None = None  # when editing a draft: the version it was read at


class ApproveIn(BaseModel):
    conditions: str = Field(min_length=5, max_length=5_000)
    date_handling: DateHandling
    expires_on: date
    version: int | None = None


class RejectIn(BaseModel):
    reason: str = Field(min_length=5, max_length=5_000)
    version: int | None = None


class MemberIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    organisation_code: str = Field(min_length=1, max_length=32)


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    filename: str
    media_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    actor: str
    note: str
    at: datetime


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    applicant: str
    organisation_id: int
    title: str
    purpose: str
    cohort: dict[str, Any]
    variables: list[str]
    duration_months: int
    status: RequestStatus
    created_at: datetime
    submitted_at: datetime | None
    reviewer: str | None
    decided_at: datetime | None
    conditions: str
    reason: str
    date_handling: DateHandling | None
    expires_on: date | None
    version: int
    documents: list[DocumentOut]
    events: list[EventOut]


class FeasibilityOut(BaseModel):
    """How many consenting patients the cohort holds: 1 to 4 are shown as "<5" (``count`` is
    then None)."""

    count: int | None
    shown: str
    purposes: list[str]
