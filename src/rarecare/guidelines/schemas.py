"""API shapes of the guidelines package."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from rarecare.guidelines.models import GuidelineStatus


class GuidelineIn(BaseModel):
    orpha_code: str = Field(examples=["ORPHA:365"])
    title: str = Field(min_length=3, max_length=300)
    version: str = Field(default="", max_length=32)
    decision_number: str = Field(default="", max_length=64)
    issued_on: date | None = None
    summary: str = ""
    link_url: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$")


class GuidelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    orpha_code: str
    title: str
    version: str
    decision_number: str
    issued_on: date | None
    status: GuidelineStatus
    summary: str
    link_url: str
    file_name: str | None
    file_size: int | None
    created_at: datetime
    row_version: int = Field(default=1, description="Its version for optimistic locking")
    approved_at: datetime | None
