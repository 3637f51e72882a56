"""Plausible body measures by age: weights and heights outside these bounds are refused as
typing errors (grams typed as kilograms, metres as centimetres). Stated bounds, wide enough for
the extremes of the WHO growth references and of rare diseases that change growth (skeletal
dysplasias, storage disorders), narrow enough to catch a slip of a decimal point."""

from __future__ import annotations

import re
from datetime import date

from rarecare.errors import FieldError
from rarecare.i18n import N_

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
