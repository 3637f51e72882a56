"""API shapes of the audit package."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_username: str
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    centre_id: int | None
    request_id: str | None
    detail: dict[str, Any] | None


class AuditFilters(BaseModel):
    """What the log is filtered by (every field optional; all given must match)."""

    actor: str | None = Field(default=None, max_length=64, description="user name")
    action: str | None = Field(default=None, max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=128)
    since: date | None = Field(default=None, description="from this day (UTC), inclusive")
    until: date | None = Field(default=None, description="to this day (UTC), inclusive")
