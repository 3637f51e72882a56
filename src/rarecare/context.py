"""Per-request context shared by the layers: the request id that the web layer sets for each
request and that audit events and error pages carry."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("rarecare_request_id", default=None)

# ``session.info`` key: a sessionmaker for the audit events of a session that must not write
# itself (a reading request on SQLite, whose transaction holds no lock)
AUDIT_SESSIONS = "rarecare_audit_sessions"
