"""Tables of the lists package: versions (shared by both kinds of list) and their entries."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


class ListKind(StrEnum):
    DISEASES = "diseases"
    DRUGS = "drugs"


class VersionStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # in force
    SCHEDULED = "scheduled"  # approved, in force from its effective date
    SUPERSEDED = "superseded"


STATUS_LABELS: dict[str, str] = {
    VersionStatus.DRAFT: N_("Draft"),
    VersionStatus.APPROVED: N_("Approved"),
    VersionStatus.SCHEDULED: N_("Approved, scheduled"),
    VersionStatus.SUPERSEDED: N_("Superseded"),
}


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ListVersion(Base):
    """One version of a national list, as issued by a legal decision."""

    __tablename__ = "list_versions"
    __table_args__ = (Index("ix_list_versions_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListKind] = mapped_column(_enum(ListKind))
    title: Mapped[str] = mapped_column(String(300))
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    decision_number: Mapped[str] = mapped_column(String(64), default="")
    decision_date: Mapped[date | None] = mapped_column(Date, default=None)
    effective_from: Mapped[date | None] = mapped_column(Date, default=None)
    effective_to: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus), default=VersionStatus.DRAFT)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # who last changed the draft (its details or entries): not the one who approves it
    edited_by: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    disease_entries: Mapped[list[DiseaseEntry]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="DiseaseEntry.id"
    )
    drug_entries: Mapped[list[DrugEntry]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="DrugEntry.id"
    )


class DiseaseEntry(Base):
    __tablename__ = "disease_list_entries"
    __table_args__ = (UniqueConstraint("version_id", "orpha_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    orpha_code: Mapped[str] = mapped_column(String(16), index=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_vi_folded: Mapped[str] = mapped_column(String(300), index=True)
    name_en: Mapped[str] = mapped_column(String(300))
    icd10_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    disease_group: Mapped[str] = mapped_column(String(120), default="")
    full_coverage: Mapped[bool] = mapped_column(Boolean, default=False)
    newborn_screening: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[ListVersion] = relationship(back_populates="disease_entries")


class DrugEntry(Base):
    __tablename__ = "drug_list_entries"
    __table_args__ = (UniqueConstraint("version_id", "inn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    inn: Mapped[str] = mapped_column(String(120))
    brand_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    atc_code: Mapped[str] = mapped_column(String(16), default="")
    form: Mapped[str] = mapped_column(String(120), default="")
    strength: Mapped[float] = mapped_column(Float)
    strength_unit: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(32), default="")
    indications: Mapped[list[str]] = mapped_column(JSON, default=list)
    dose_basis: Mapped[str] = mapped_column(String(8))  # per_kg | fixed
    dose: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(8))
    interval_days: Mapped[int] = mapped_column(Integer)
    loading_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    vial_sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    price_vnd: Mapped[float | None] = mapped_column(Float, default=None)
    price_effective_from: Mapped[date | None] = mapped_column(Date, default=None)
    price_effective_to: Mapped[date | None] = mapped_column(Date, default=None)
    reimbursement: Mapped[str] = mapped_column(String(16), default="not_covered")
    coverage_rate: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    version: Mapped[ListVersion] = relationship(back_populates="drug_entries")
