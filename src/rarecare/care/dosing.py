"""Dose, vials and yearly consumption of a long-term therapy (pure arithmetic, no database).

The dose follows the regimen of the rare drug list: per kilogram of the latest weight, or fixed.
Each administration uses whole vials (rounded up); a year of maintenance has 365 // interval
administrations, and a first year with loading doses has those plus the maintenance doses that
fit after the last one."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _


@dataclass(frozen=True)
class Regimen:
    drug: str
    dose: float
    dose_unit: str
    per_kg: bool
    interval_days: int
    strength: float  # per vial or unit
    strength_unit: str
    loading_days: tuple[int, ...] = ()
    price_per_vial: float | None = None


@dataclass(frozen=True)
class DosePlan:
    drug: str
    weight_kg: float | None
    dose: float
    dose_unit: str
    vials_per_administration: int
    strength: float
    administrations_per_year: int
    administrations_first_year: int
    vials_per_year: int
    vials_first_year: int
    price_per_vial: float | None
    yearly_cost: float | None
    first_year_cost: float | None


def vials(dose: float, strength: float) -> int:
    """Whole vials (or units) for a dose; the rounding absorbs float noise (300 / 50 = 6)."""
    return math.ceil(round(dose / strength, 9))


def plan(regimen: Regimen, weight_kg: float | None = None) -> DosePlan:
    if regimen.per_kg and (weight_kg is None or weight_kg <= 0):
        raise ValidationFailed(
            _("A weight is needed for a per-kilogram dose."),
            [FieldError("weight_kg", N_("expected a weight in kilograms above 0"))],
        )
    if regimen.strength <= 0 or regimen.interval_days <= 0:
        raise ValidationFailed(
            _("The regimen is incomplete."),
            [FieldError("regimen", N_("strength and interval must be above 0"))],
        )
    dose = regimen.dose * (weight_kg or 0.0) if regimen.per_kg else regimen.dose
    count = vials(dose, regimen.strength)
    per_year = 365 // regimen.interval_days
    if regimen.loading_days:
        last = max(regimen.loading_days)
        first_year = len(regimen.loading_days) + max(0, (364 - last) // regimen.interval_days)
    else:
        first_year = per_year
    price = regimen.price_per_vial
    return DosePlan(
        drug=regimen.drug,
        weight_kg=weight_kg,
        dose=round(dose, 3),
        dose_unit=regimen.dose_unit,
        vials_per_administration=count,
        strength=regimen.strength,
        administrations_per_year=per_year,
        administrations_first_year=first_year,
        vials_per_year=count * per_year,
        vials_first_year=count * first_year,
        price_per_vial=price,
        yearly_cost=None if price is None else count * per_year * price,
        first_year_cost=None if price is None else count * first_year * price,
    )
