"""API shapes of the care package."""

from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class PlanIn(BaseModel):
    drug: str = Field(min_length=2, description="INN or brand name on the approved drug list")
    start_date: date
    end_date: date | None = None
    weight_kg: float | None = Field(
        default=None, gt=0, lt=400, description="Records today's weight with the plan"
    )
    centre_id: int | None = Field(default=None, description="Defaults to the user's centre")
    dose: float | None = Field(default=None, gt=0, description="Overrides the list's dose")
    interval_days: int | None = Field(default=None, ge=1, le=366)
    note: str = Field(default="", max_length=2000)
    indication_override: str = Field(
        default="",
        max_length=500,
        description="Why the drug is prescribed off-label, when the patient's diagnosis is not "
        "one of its listed indications (audited)",
    )


class PlanStopIn(BaseModel):
    end_date: date | None = None


class PlanChangeIn(BaseModel):
    """A new dose or interval of an active plan from a date (the old plan stops the day
    before)."""

    from_date: date
    dose: float | None = Field(default=None, gt=0, description="Blank: the current dose")
    interval_days: int | None = Field(default=None, ge=1, le=366)
    weight_kg: float | None = Field(default=None, gt=0, lt=400)
    reason: str = Field(default="", max_length=500)
    version: int | None = Field(default=None, description="The plan's version as read")


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    centre_id: int
    drug: str
    per_kg: bool
    dose: float
    dose_unit: str
    interval_days: int
    loading_days: list[int]
    start_date: date
    end_date: date | None
    status: str
    note: str
    version: int = 1


class AdministrationIn(BaseModel):
    given_on: date
    dose: float | None = Field(default=None, gt=0, description="Defaults to the planned dose")
    vials: int | None = Field(default=None, ge=0, description="Defaults to whole vials")
    lot: str = Field(default="", max_length=64)
    reactions: str = Field(default="", max_length=2000)


class AdministrationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: int
    centre_id: int
    given_on: date
    dose: float
    dose_unit: str
    vials: int
    lot: str
    reactions: str
    weight_kg: float | None
    recorded_by: str


class AppointmentOut(BaseModel):
    plan_id: int
    patient: str  # pseudonym
    patient_id: int
    centre_id: int
    drug: str
    number: int
    ideal: dt.date
    date: dt.date | None
    status: str
    reason: str
    alternatives: list[dt.date]
    dose: float | None
    dose_unit: str
    vials: int | None


class AlertOut(BaseModel):
    plan_id: int
    patient: str
    centre_id: int
    drug: str
    kind: str
    due: date
    days: int
    given: date | None
    message: str


class AdherenceOut(BaseModel):
    plan_id: int
    patient: str
    centre_id: int
    drug: str
    period_start: date
    period_end: date
    administrations: int
    pdc: float | None
    adherent: bool | None


class StockIn(BaseModel):
    drug: str = Field(min_length=2)
    on_hand: int = Field(ge=0)
    lead_months: int = Field(default=2, ge=0, le=12)
    version: int | None = Field(
        default=None, description="The stock row's version it was read at (changed since: 409)"
    )


class DemandRow(BaseModel):
    centre_id: int
    centre: str
    drug: str
    months: dict[str, int]
    total: int
    on_hand: int | None
    reorder_point: int | None
    months_of_cover: float | None
    reorder: bool
    cost_vnd: float | None


class DemandOut(BaseModel):
    start: date
    months: list[str]
    rows: list[DemandRow]
    plans: int
    plans_without_weight: int
