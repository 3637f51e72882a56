"""API shapes of the centres package."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from rarecare.centres.models import CentreLevel


class CentreCareIn(BaseModel):
    """What a centre can give and how much: therapies, chairs, opening days."""

    therapies: list[str] = Field(default_factory=list, description="INNs it can give")
    specialties: list[str] = Field(
        default_factory=list, max_length=30, description="e.g. metabolic diseases, neurology"
    )
    chairs: int = Field(ge=0, le=500, description="Infusion chairs")
    infusions_per_chair: int = Field(default=2, ge=1, le=6, description="Per open day")
    opening_days: str = Field(
        default="1111100", pattern=r"^[01]{7}$", description="Monday first: 1 open, 0 closed"
    )
    vial_sharing: bool = Field(default=False, description="Pools same-day doses of a drug")
    contact: str = Field(default="", max_length=200)
    version: int | None = Field(
        default=None,
        description="When changing a centre: the version it was read at (changed since: 409)",
    )


class CentreIn(CentreCareIn):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=2, max_length=200)
    name_en: str = Field(default="", max_length=200)
    level: CentreLevel
    province_code: str = Field(pattern=r"^\d{2}$", description="34-province code (2025)")
    chairs: int = Field(default=0, ge=0, le=500, description="Infusion chairs")


class DesignationIn(BaseModel):
    """A ministry decision designating the centre for Orphanet disease groups."""

    decision: str = Field(min_length=3, max_length=200, description="e.g. 1234/QĐ-BYT")
    level: CentreLevel
    groups: list[str] = Field(min_length=1, description="Orphanet group ORPHAcodes")
    valid_from: date
    valid_until: date | None = None


class DesignationOut(DesignationIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    centre_id: int


class ExpertIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    specialty: str = Field(min_length=2, max_length=200)
    note: str = Field(default="", max_length=500)


class ExpertOut(ExpertIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    centre_id: int


class CentreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_en: str
    level: CentreLevel
    province_code: str
    therapies: list[str] = []
    specialties: list[str] = []
    chairs: int = 0
    infusions_per_chair: int = 2
    opening_days: str = "1111100"
    vial_sharing: bool = False
    contact: str = ""
    version: int = 1
    designations: list[DesignationOut] = []
    experts: list[ExpertOut] = []
