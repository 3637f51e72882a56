"""Per-request context shared by the layers: the request id that the web layer sets for each
request and that audit events and error pages carry."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("rarecare_request_id", default=None)
