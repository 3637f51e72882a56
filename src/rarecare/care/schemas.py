"""API shapes of the care package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rarecare.care.models import CentreLevel


class CentreIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)
    name_en: str = Field(default="", max_length=200)
    level: CentreLevel
    province_code: str = Field(pattern=r"^\d{2}$", description="34-province code (2025)")


class CentreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_en: str
    level: CentreLevel
    province_code: str


class StaffMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
