"""Plausible data: a record's dates in order (nothing in the future, before birth or, but a
diagnosis, after death), required elements, known codes, identity numbers in their official
formats, and body measures by age.

Body measures: weights and heights outside these bounds are refused as
typing errors (grams typed as kilograms, metres as centimetres). Stated bounds, wide enough for
the extremes of the WHO growth references and of rare diseases that change growth (skeletal
dysplasias, storage disorders), narrow enough to catch a slip of a decimal point."""

from __future__ import annotations

import re
from datetime import date

from rarecare.errors import FieldError
from rarecare.geo import get_province
from rarecare.i18n import N_
from rarecare.knowledge import KnowledgeBase, normalise_orpha
from rarecare.registry.models import DiagnosticStatus, VitalStatus
from rarecare.registry.schemas import IdentityIn, RecordFields

# (age below, in years) → ((weight kg low, high), (height cm low, high))
BOUNDS: tuple[tuple[float, tuple[float, float], tuple[float, float]], ...] = (
    (1, (0.3, 15), (20, 95)),
    (5, (4, 40), (55, 135)),
    (15, (8, 120), (75, 200)),
    (200, (15, 300), (90, 250)),
)


def body_measures(
    birth_month: date, on: date, weight_kg: float | None, height_cm: float | None
) -> list[FieldError]:
    """What is implausible about a weight and height measured on ``on`` (the age is counted
    from the first of the birth month, all the record keeps)."""
    age = max(0.0, (on - birth_month).days / 365.25)
    weight, height = next((w, h) for below, w, h in BOUNDS if age < below)
    errors = []
    if weight_kg is not None and not weight[0] <= weight_kg <= weight[1]:
        errors.append(
            FieldError(
                "weight_kg",
                N_("%(value)s kg is implausible at %(age)s years (expected %(low)s–%(high)s kg)"),
                params={
                    "value": weight_kg,
                    "age": round(age, 1),
                    "low": weight[0],
                    "high": weight[1],
                },
            )
        )
    if height_cm is not None and not height[0] <= height_cm <= height[1]:
        errors.append(
            FieldError(
                "height_cm",
                N_("%(value)s cm is implausible at %(age)s years (expected %(low)s–%(high)s cm)"),
                params={
                    "value": height_cm,
                    "age": round(age, 1),
                    "low": height[0],
                    "high": height[1],
                },
            )
        )
    return errors


# a BHYT card (2 letters, benefit level, province, 10-digit social insurance number) or the
# 10-digit social insurance number alone (cards issued from 2025)
INSURANCE_NUMBER = re.compile(r"[A-Z]{2}[1-5]\d{12}|\d{10}")


def insurance_number(value: str, row: int | None = None) -> list[FieldError]:
    """What is wrong with a health insurance number (spaces and hyphens ignored)."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if not compact or INSURANCE_NUMBER.fullmatch(compact):
        return []
    return [
        FieldError(
            "insurance_number",
            N_(
                "%(value)s: expected a health insurance card number of 15 characters (2 "
                "letters, a benefit level 1–5, 12 digits: TE1010123456789) or a social "
                "insurance number of 10 digits"
            ),
            row=row,
            params={"value": value},
        )
    ]


# ------------------------------------------------------------------------- whole records
# a record's own dates, and those of them nothing can follow death by (a diagnosis can:
# autopsy, a genetic result received later)
RECORD_DATES = ("death_date", "first_contact_date", "first_symptoms_date", "onset_date",
                "diagnosis_date")  # fmt: skip
BEGINNINGS = ("first_contact_date", "first_symptoms_date", "onset_date")


def check_record(
    data: RecordFields,
    *,
    kb: KnowledgeBase,
    birth_date: date | None,
    today: date,
    row: int | None = None,
) -> list[FieldError]:
    """Every problem of a record, each naming its field (and row, for imports)."""
    errors: list[FieldError] = []

    def err(field: str, message: str, **params: object) -> None:
        errors.append(FieldError(field, message, row=row, params=params or None))

    dates: dict[str, date | None] = {name: getattr(data, name) for name in RECORD_DATES}
    if birth_date is not None:
        dates["birth_date"] = birth_date
    for field, value in dates.items():
        if value is not None and value > today:
            err(field, N_("%(day)s is in the future"), day=value)
    if birth_date is not None:
        for field, value in dates.items():
            if field != "birth_date" and value is not None and value < birth_date:
                err(field, N_("%(day)s is before the date of birth"), day=value)
    if data.death_date is not None:  # nothing can begin after death
        for field in BEGINNINGS:
            value = dates[field]
            if value is not None and value > data.death_date:
                err(field, N_("%(day)s is after the date of death"), day=value)
    if data.vital_status is VitalStatus.DEAD and data.death_date is None:
        err("death_date", N_("required when the patient has died"))
    if data.vital_status is not VitalStatus.DEAD and data.death_date is not None:
        err("vital_status", N_("must be 'deceased' when a date of death is given"))
    if data.onset_kind.value == "date" and data.onset_date is None:
        err("onset_date", N_("required when the age at onset is a date"))
    if data.diagnosis_kind.value == "date" and data.diagnosis_date is None:
        err("diagnosis_date", N_("required when the age at diagnosis is a date"))
    if data.orpha_code:
        code = normalise_orpha(data.orpha_code)
        if code is None or kb.disease(code) is None:
            err(
                "orpha_code",
                N_("%(code)s is not an ORPHAcode of the Orphanet nomenclature"),
                code=data.orpha_code,
            )
    elif data.diagnostic_status in (DiagnosticStatus.CONFIRMED, DiagnosticStatus.PROBABLE):
        err("orpha_code", N_("required for a confirmed or probable diagnosis"))
    if get_province(data.province_code) is None:
        err(
            "province_code",
            N_("%(code)s is not one of the 34 province codes"),
            code=data.province_code,
        )
    if data.former_province_code and get_province(data.former_province_code, former=True) is None:
        err(
            "former_province_code",
            N_("%(code)s is not one of the 63 former province codes"),
            code=data.former_province_code,
        )
    return errors


def check_identity(identity: IdentityIn, *, row: int | None = None) -> list[FieldError]:
    """The identity's numbers in their official formats: a CCCD has 12 digits (a former CMND,
    still accepted, 9); a health insurance number is a card's 15 characters or the 10-digit
    social insurance number (spaces and hyphens ignored)."""
    errors: list[FieldError] = []
    number = identity.national_id
    if number and not (number.isdigit() and len(number) in (9, 12)):
        errors.append(
            FieldError(
                "national_id",
                N_("%(number)s: expected a CCCD of 12 digits (or a former CMND of 9)"),
                row=row,
                params={"number": number},
            )
        )
    errors += insurance_number(identity.insurance_number, row=row)
    return errors


def record_warnings(data: RecordFields) -> list[FieldError]:
    """What is unusual but clinically possible about a record's dates: saved only once the
    user confirms it (``confirm_warnings``), the confirmation audited."""
    warnings = []
    symptoms, contact = data.first_symptoms_date, data.first_contact_date
    if symptoms and contact and symptoms > contact:
        warnings.append(
            FieldError(
                "first_symptoms_date",
                N_(
                    "first symptoms (%(symptoms)s) after the first specialist contact "
                    "(%(contact)s): possible after newborn or family screening"
                ),
                params={"symptoms": symptoms, "contact": contact},
            )
        )
    diagnosed = data.diagnosis_date
    if diagnosed and symptoms and diagnosed < symptoms:
        warnings.append(
            FieldError(
                "diagnosis_date",
                N_(
                    "diagnosis (%(diagnosed)s) before the first symptoms (%(symptoms)s): "
                    "possible after screening or a prenatal diagnosis"
                ),
                params={"diagnosed": diagnosed, "symptoms": symptoms},
            )
        )
    return warnings
