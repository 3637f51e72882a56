"""API shapes of the centres package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rarecare.centres.models import CentreLevel


class CentreCareIn(BaseModel):
    """What a centre can give and how much: therapies, chairs, opening days."""

    therapies: list[str] = Field(default_factory=list, description="INNs it can give")
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


class CentreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_en: str
    level: CentreLevel
    province_code: str
    therapies: list[str] = []
    chairs: int = 0
    infusions_per_chair: int = 2
    opening_days: str = "1111100"
    vial_sharing: bool = False
    contact: str = ""
    version: int = 1
