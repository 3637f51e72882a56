"""Tables of the guidelines package."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


class GuidelineStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


GUIDELINE_STATUS_LABELS: dict[str, str] = {
    GuidelineStatus.DRAFT: N_("Draft"),
    GuidelineStatus.APPROVED: N_("Approved"),
    GuidelineStatus.WITHDRAWN: N_("Withdrawn"),
}


class Guideline(Base):
    __tablename__ = "guidelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    orpha_code: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(32), default="")
    decision_number: Mapped[str] = mapped_column(String(64), default="")
    issued_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[GuidelineStatus] = mapped_column(
        Enum(
            GuidelineStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=GuidelineStatus.DRAFT,
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str] = mapped_column(String(500), default="")
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    file_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    file_size: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)

    # optimistic locking: every UPDATE checks and bumps it (a stale save: 409)
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy's mapper options
