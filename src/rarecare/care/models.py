"""Tables of the care package."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class PlanStatus(StrEnum):  # labels in PLAN_STATUS_LABELS
    ACTIVE = "active"
    STOPPED = "stopped"


PLAN_STATUS_LABELS: dict[str, str] = {"active": N_("active"), "stopped": N_("stopped")}


class TherapyPlan(Base):
    """A long-term therapy of one patient at one centre, from the approved rare drug list."""

    __tablename__ = "care_therapy_plans"
    __table_args__ = (Index("ix_care_therapy_plans_centre_status", "centre_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    drug: Mapped[str] = mapped_column(String(120))  # INN on the rare drug list
    per_kg: Mapped[bool] = mapped_column(Boolean)
    dose: Mapped[float] = mapped_column(Float)  # per kg or fixed, in dose_unit
    dose_unit: Mapped[str] = mapped_column(String(8))
    interval_days: Mapped[int] = mapped_column(Integer)
    loading_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.ACTIVE)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # optimistic locking: every UPDATE checks and bumps it (a stale save: 409)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


class Administration(Base):
    """One dose given (an infusion, an injection or a dispensing)."""

    __tablename__ = "care_administrations"
    __table_args__ = (Index("ix_care_administrations_centre_day", "centre_id", "given_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_therapy_plans.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    given_on: Mapped[date] = mapped_column(Date, index=True)  # a period's doses (indicators)
    dose: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(8))
    vials: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(64), default="")
    reactions: Mapped[str] = mapped_column(Text, default="")
    weight_kg: Mapped[float | None] = mapped_column(Float, default=None)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DrugStock(Base):
    """Vials (or units) of a drug on hand at a centre."""

    __tablename__ = "care_drug_stock"
    __table_args__ = (UniqueConstraint("centre_id", "drug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    drug: Mapped[str] = mapped_column(String(120))
    on_hand: Mapped[int] = mapped_column(Integer)
    lead_months: Mapped[int] = mapped_column(Integer, default=2)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # optimistic locking: every UPDATE checks and bumps it (a stale save: 409)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options
