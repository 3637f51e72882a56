"""API shapes of the audit package."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
