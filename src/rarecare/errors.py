"""The one error hierarchy. Services raise these; ``rarecare.web.errors`` maps them, once, to
HTML error pages and JSON ``{"error": ...}`` bodies; the CLI prints them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rarecare.i18n import _


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: where (row and/or field), what is wrong, what was expected."""

    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.row is not None else self.field
        return f"{where}: {self.message}"


@dataclass
class RareCareError(Exception):
    """Base of every error a user may see. ``message`` is safe to show."""

    message: str
    details: list[FieldError] = field(default_factory=list)
    status_code: int = 400
    code: str = "bad_request"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class ConfigurationError(RareCareError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=500, code="configuration")


class NotAuthenticated(RareCareError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Please log in."), status_code=401, code="not_authenticated")


class PermissionDenied(RareCareError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("You are not allowed to do that."), status_code=403, code="forbidden"
        )


class NotFound(RareCareError):
    """Also what a user gets for another centre's resource: its existence is not revealed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Not found."), status_code=404, code="not_found")


class Conflict(RareCareError):
    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message, details or [], status_code=409, code="conflict")


class ValidationFailed(RareCareError):
    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message, details or [], status_code=422, code="invalid")


def field_errors(
    errors: Iterable[Mapping[str, Any]],
    *,
    skip: tuple[str, ...] = ("body", "query", "path", "form"),
) -> list[FieldError]:
    """Pydantic's (or FastAPI's) validation errors as field errors, the field named by its
    location without the request part it came from."""
    return [
        FieldError(
            field=".".join(str(p) for p in e.get("loc", ()) if p not in skip),
            message=str(e.get("msg", "invalid")),
        )
        for e in errors
    ]


class RateLimited(RareCareError):
    def __init__(self, message: str, retry_after_seconds: int = 60) -> None:
        super().__init__(message, status_code=429, code="rate_limited")
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(RareCareError):
    """The database does not answer (down, hung or busy beyond the timeouts): try again soon."""

    def __init__(self, message: str | None = None, retry_after_seconds: int = 5) -> None:
        super().__init__(
            message or _("The database is not answering just now. Please try again shortly."),
            status_code=503,
            code="unavailable",
        )
        self.retry_after_seconds = retry_after_seconds


class TooLarge(RareCareError):
    """An upload or request body beyond the limits (413)."""

    def __init__(self, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(message, details or [], status_code=413, code="too_large")
