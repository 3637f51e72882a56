"""The one error hierarchy. Services raise these; ``rarecare.web.errors`` maps them, once, to
HTML error pages and JSON ``{"error": ...}`` bodies; the CLI prints them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.numbers import format_decimal

from rarecare.i18n import N_, _, current_locale, gettext


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: where (row and/or field), what is wrong, what was expected.

    ``message`` is English; with ``params`` it is a catalogue message (marked ``N_``) whose
    ``%(name)s`` placeholders are filled in the reader's language when shown (``text``), dates
    as that language writes them."""

    field: str
    message: str
    row: int | None = None
    params: Mapping[str, object] | None = None

    @property
    def text(self) -> str:
        """What is wrong, in the current language."""
        translated = gettext(self.message)
        if not self.params:
            return translated
        return translated % {key: _shown(value) for key, value in self.params.items()}

    @property
    def where(self) -> str:
        """The row and the field: the key imports and the API use, then its name in the
        current language."""
        name = FIELD_NAMES.get(self.field) or FIELD_NAMES.get(self.field.rsplit(".", 1)[-1])
        place = f"{self.field} ({gettext(name)})" if name else self.field
        if self.row is None:
            return place
        return gettext("row %(row)s, %(field)s") % {"row": self.row, "field": place}

    def __str__(self) -> str:
        return f"{self.where}: {self.text}" if self.field or self.row else self.text

    def as_dict(self) -> dict[str, Any]:
        """A JSON-safe form (a job's stored result), shown later in its reader's language."""
        params = {
            k: v.isoformat() if isinstance(v, date) else v for k, v in (self.params or {}).items()
        }
        return {"field": self.field, "row": self.row, "message": self.message, "params": params}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldError:
        params = {
            k: date.fromisoformat(v) if isinstance(v, str) and _ISO_DAY.fullmatch(v) else v
            for k, v in (data.get("params") or {}).items()
        }
        return cls(data["field"], data["message"], data.get("row"), params or None)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value: object) -> object:
    """A value as the reader's language writes it: dates dd/mm/yyyy (ISO in English, as
    imports write them), decimals with the language's separator."""
    locale = current_locale.get()
    if isinstance(value, date):
        return value.isoformat() if locale == "en" else f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return format_decimal(value, locale=locale)
    return value


# the fields users meet in errors, by the key forms, imports and the API use
FIELD_NAMES: dict[str, str] = {
    "birth_date": N_("Date of birth"),
    "biobank": N_("Biobank"),
    "centre_code": N_("Treatment centre"),
    "death_date": N_("Date of death"),
    "date": N_("Date"),
    "diagnosed_on": N_("Date of diagnosis"),
    "diagnosis_date": N_("Date of diagnosis"),
    "diagnostic_status": N_("Diagnostic status"),
    "dose": N_("Dose"),
    "drug": N_("Drug"),
    "email": N_("Email"),
    "end_date": N_("End date"),
    "first_contact_date": N_("First specialist contact"),
    "first_symptoms_date": N_("First symptoms"),
    "former_province_code": N_("Former province (63)"),
    "full_name": N_("Full name"),
    "given_on": N_("Date given"),
    "height_cm": N_("Height (cm)"),
    "hpo_id": N_("HPO term"),
    "insurance_number": N_("Health insurance number"),
    "interval_days": N_("Interval (days)"),
    "national_id": N_("National ID (CCCD)"),
    "onset_date": N_("Date of onset"),
    "orpha_code": N_("Diagnosis (ORPHAcode)"),
    "password": N_("Password"),
    "phone": N_("Phone"),
    "province_code": N_("Province (2025)"),
    "reason": N_("Reason"),
    "sex": N_("Sex"),
    "start_date": N_("Start date"),
    "username": N_("Username"),
    "vital_status": N_("Vital status"),
    "weight_kg": N_("Weight (kg)"),
}


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
    row: int | None = None,
) -> list[FieldError]:
    """Pydantic's (or FastAPI's) validation errors as field errors, the field named by its
    location without the request part it came from, and what was expected in the catalogue's
    words (pydantic's own English where RareCare has none)."""
    found = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in skip)
        message = PYDANTIC_MESSAGES.get(str(e.get("type", "")))
        params = {
            key: value if isinstance(value, int | float) else str(value)
            for key, value in (e.get("ctx") or {}).items()
        }
        try:
            if message is not None:
                message % params  # every placeholder has its value
        except (KeyError, TypeError):
            message = None
        if message is None:  # pydantic's own words (a validator's message, an unusual type)
            found.append(FieldError(where, str(e.get("msg", "invalid")), row=row))
        else:
            found.append(FieldError(where, message, row=row, params=params or None))
    return found


# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) in words
# the catalogue translates; the placeholders are the error's context
PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("required"),
    "string_too_short": N_("at least %(min_length)s characters"),
    "string_too_long": N_("at most %(max_length)s characters"),
    "too_short": N_("at least %(min_length)s items"),
    "too_long": N_("at most %(max_length)s items"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "int_parsing": N_("expected a whole number"),
    "int_type": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "float_parsing": N_("expected a number"),
    "float_type": N_("expected a number"),
    "decimal_parsing": N_("expected a number"),
    "date_parsing": N_("expected a date (dd/mm/yyyy or yyyy-mm-dd)"),
    "date_from_datetime_parsing": N_("expected a date (dd/mm/yyyy or yyyy-mm-dd)"),
    "date_type": N_("expected a date (dd/mm/yyyy or yyyy-mm-dd)"),
    "datetime_parsing": N_("expected a date and time"),
    "datetime_from_date_parsing": N_("expected a date and time"),
    "bool_parsing": N_("expected yes or no"),
    "bool_type": N_("expected yes or no"),
    "enum": N_("expected one of: %(expected)s"),
    "literal_error": N_("expected one of: %(expected)s"),
    "string_pattern_mismatch": N_("not in the expected format"),
    "string_type": N_("expected text"),
    "extra_forbidden": N_("not an allowed field"),
    "json_invalid": N_("not valid JSON"),
    "model_attributes_type": N_("expected an object"),
    "dict_type": N_("expected an object"),
    "list_type": N_("expected a list"),
}


class NeedsConfirmation(ValidationFailed):
    """Input that is unusual but possible (first symptoms after the first contact, after a
    newborn screening): saved once the user confirms it, and the confirmation is recorded."""

    def __init__(self, message: str, details: list[FieldError]) -> None:
        super().__init__(message, details)
        self.code = "confirmation_required"


def require_reason(reason: str, minimum: int = 5) -> str:
    """The reason a consequential step is taken (a merge, a withdrawal, a look at an identity),
    stripped; refused when shorter than ``minimum`` characters."""
    reason = reason.strip()
    if len(reason) < minimum:
        raise ValidationFailed(
            _("A reason is required."),
            [
                FieldError(
                    "reason", N_("say why (at least %(n)s characters)"), params={"n": minimum}
                )
            ],
        )
    return reason


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
