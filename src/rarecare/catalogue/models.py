"""Tables of the catalogue package: official ORPHA–ICD mappings imported from Orphadata."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.storage.base import Base, utcnow


class OfficialMapping(Base):
    """A row of Orphanet's official ORPHA–ICD-10/ICD-11 alignment (Orphadata product 1)."""

    __tablename__ = "official_icd_mappings"
    __table_args__ = (Index("ix_official_icd_mappings_code", "system", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    orpha_code: Mapped[str] = mapped_column(String(16), index=True)
    system: Mapped[str] = mapped_column(String(8))  # ICD-10 | ICD-11
    code: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(16))
    icd_relation: Mapped[str] = mapped_column(String(200), default="")
    validation: Mapped[str] = mapped_column(String(32), default="")
    source_version: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
