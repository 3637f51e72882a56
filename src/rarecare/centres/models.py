"""The centres table: hospitals, their level and what they can give. Users of centre roles,
patients, plans and stock all belong to one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


class CentreLevel(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    PROVINCIAL = "provincial"


LEVEL_LABELS: dict[str, str] = {
    CentreLevel.NATIONAL: N_("National"),
    CentreLevel.REGIONAL: N_("Regional"),
    CentreLevel.PROVINCIAL: N_("Provincial"),
}


class Centre(Base):
    """A treatment centre (hospital). Users of centre roles are scoped to one."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[CentreLevel] = mapped_column(
        Enum(
            CentreLevel,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    province_code: Mapped[str] = mapped_column(String(2))
    therapies: Mapped[list[str]] = mapped_column(JSON, default=list)  # INNs it can give
    chairs: Mapped[int] = mapped_column(Integer, default=0)  # infusion chairs
    infusions_per_chair: Mapped[int] = mapped_column(Integer, default=2)  # per open day
    opening_days: Mapped[str] = mapped_column(String(7), default="1111100")  # Monday first
    vial_sharing: Mapped[bool] = mapped_column(Boolean, default=False)  # same-day pooling
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    @property
    def daily_capacity(self) -> int:
        return self.chairs * self.infusions_per_chair
