"""The jobs table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow

STATUS_LABELS: dict[str, str] = {
    "queued": N_("Queued"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
}
# what a finished job's result reports, by key (the jobs' own functions choose the keys)
RESULT_LABELS: dict[str, str] = {
    "rows": N_("Rows"),
    "written": N_("Written"),
    "dry_run": N_("Dry run"),
    "possible_duplicates": N_("Possible duplicates"),
    "records": N_("Records"),
    "period": N_("Period"),
    "values": N_("Values"),
}


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    owner_user_id: Mapped[int] = mapped_column(Integer)
    owner_username: Mapped[str] = mapped_column(String(64))
    owner_role: Mapped[str] = mapped_column(String(16))
    centre_id: Mapped[int | None] = mapped_column(Integer, default=None)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
