"""API shapes of the monitoring package."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rarecare.monitoring.models import (
    ActivityStatus,
    Audience,
    EventKind,
    MemberRole,
    OrgKind,
)
from rarecare.outputs import OutputKind

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class OrganisationIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    name_en: str = Field(default="", max_length=300)
    kind: OrgKind
    centre_code: str | None = Field(
        default=None, max_length=32, description="The treatment centre a hospital is"
    )
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    contact: str = Field(default="", max_length=300)
    website: str = Field(default="", max_length=300, pattern=r"^(https?://\S+)?$")


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_en: str
    kind: OrgKind
    centre_id: int | None
    province_code: str | None
    contact: str
    website: str
    version: int


class MemberIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    title: str = Field(default="", max_length=300)
    organisation_code: str = Field(max_length=32)
    role: MemberRole
    term_start: date
    term_end: date | None = None


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title: str
    organisation_id: int
    role: MemberRole
    term_start: date
    term_end: date | None


class MeetingIn(BaseModel):
    held_on: date
    title: str = Field(min_length=2, max_length=300)
    agenda: str = Field(default="", max_length=20_000)
    attendance: list[int] = Field(default_factory=list, description="Committee member ids")
    decisions: list[str] = Field(
        default_factory=list, description="Decisions taken (each may get follow-up activities)"
    )


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    text: str


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    held_on: date
    title: str
    agenda: str
    attendance: list[int]
    minutes_file: str | None
    decisions: list[DecisionOut]
    version: int


class PlanIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=CODE)
    title: str = Field(min_length=2, max_length=500)
    decision_number: str = Field(min_length=2, max_length=64)
    decision_date: date
    issuing_body: str = Field(min_length=2, max_length=200)
    period_start: date
    period_end: date

    @model_validator(mode="after")
    def _period(self) -> PlanIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class ActivityIn(BaseModel):
    task_id: int
    code: str = Field(min_length=1, max_length=16, pattern=CODE)
    title: str = Field(min_length=2, max_length=500)
    lead_code: str = Field(max_length=32, description="Code of the lead organisation")
    partner_codes: list[str] = Field(default_factory=list)
    start_date: date | None = None
    deadline: date
    status: ActivityStatus = ActivityStatus.NOT_STARTED
    percent_done: int = Field(default=0, ge=0, le=100)
    expected_output: str = Field(default="", max_length=2000)
    output_kind: OutputKind | None = None
    output_ref: int | None = Field(
        default=None, description="A given object (list version id, ...); empty: the next one"
    )
    decision_id: int | None = None


class ActivityChangeIn(BaseModel):
    """A change of an activity; fields left out stay as they are. Centre users may change
    status, percent done and the comment of the activities their organisation leads."""

    status: ActivityStatus | None = None
    percent_done: int | None = Field(default=None, ge=0, le=100)
    comment: str | None = Field(default=None, max_length=5000)
    title: str | None = Field(default=None, min_length=2, max_length=500)
    lead_code: str | None = Field(default=None, max_length=32)
    start_date: date | None = None
    deadline: date | None = None
    expected_output: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(
        default=None, description="The activity's version it was read at (changed since: 409)"
    )


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    by: str
    field: str
    old: str
    new: str
    comment: str


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    url: str
    file_name: str | None
    added_by: str
    added_at: datetime


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    code: str
    title: str
    lead_id: int
    partner_ids: list[int]
    start_date: date | None
    deadline: date
    status: ActivityStatus
    state: str = Field(description="The status, or 'overdue' past the deadline and not closed")
    percent_done: int
    expected_output: str
    comment: str
    done_on: date | None
    output_kind: str | None
    output_ref: int | None
    decision_id: int | None
    version: int


class EventIn(BaseModel):
    kind: EventKind
    title: str = Field(min_length=2, max_length=300)
    organiser_code: str = Field(max_length=32)
    audience: Audience
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    held_on: date
    participants: int = Field(default=0, ge=0, le=1_000_000)
    materials: str = Field(default="", max_length=5000)
    activity_id: int | None = None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EventKind
    title: str
    organiser_id: int
    audience: Audience
    province_code: str | None
    held_on: date
    participants: int
    materials: str
    activity_id: int | None


class TaskProgress(BaseModel):
    id: int
    code: str
    title: str
    objective: str
    activities: int
    percent: int = Field(description="Mean percent done of its open and done activities")
    by_state: dict[str, int]


class PlanStatusOut(BaseModel):
    plan: str
    title: str
    decision_number: str
    as_of: date
    activities: int
    by_state: dict[str, int]
    tasks: list[TaskProgress]
