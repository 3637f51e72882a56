"""The centres table: hospitals, their level and what they can give. Users of centre roles,
patients, plans and stock all belong to one."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    specialties: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]"
    )  # e.g. "metabolic"
    chairs: Mapped[int] = mapped_column(Integer, default=0)  # infusion chairs
    infusions_per_chair: Mapped[int] = mapped_column(Integer, default=2)  # per open day
    opening_days: Mapped[str] = mapped_column(String(7), default="1111100")  # Monday first
    vial_sharing: Mapped[bool] = mapped_column(Boolean, default=False)  # same-day pooling
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    designations: Mapped[list[Designation]] = relationship(
        order_by="Designation.valid_from.desc()", cascade="all, delete-orphan"
    )
    experts: Mapped[list[Expert]] = relationship(
        order_by="Expert.name", cascade="all, delete-orphan"
    )

    @property
    def daily_capacity(self) -> int:
        return self.chairs * self.infusions_per_chair


class Designation(Base):
    """A ministry decision designating a centre of expertise: at a level, for Orphanet disease
    groups, for a period."""

    __tablename__ = "centre_designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(200))  # e.g. "Quyết định 1234/QĐ-BYT"
    level: Mapped[CentreLevel] = mapped_column(
        Enum(
            CentreLevel,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # Orphanet group ORPHAcodes
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Expert(Base):
    """A named expert of a centre (the staff directory: no patient data)."""

    __tablename__ = "centre_experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
