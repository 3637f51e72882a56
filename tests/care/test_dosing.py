import pytest

from rarecare.care.dosing import Regimen, plan
from rarecare.errors import ValidationFailed

ALGLUCOSIDASE = Regimen(
    drug="alglucosidase alfa",
    dose=20,
    dose_unit="mg",
    per_kg=True,
    interval_days=14,
    strength=50,
    strength_unit="mg",
    price_per_vial=15_600_000,
)
NUSINERSEN = Regimen(
    drug="nusinersen",
    dose=12,
    dose_unit="mg",
    per_kg=False,
    interval_days=120,
    strength=12,
    strength_unit="mg",
    loading_days=(0, 14, 28, 63),
)


def test_a_15_kg_child_needs_300_mg_in_6_vials_26_times_a_year() -> None:
    result = plan(ALGLUCOSIDASE, 15)
    assert (result.dose, result.vials_per_administration) == (300, 6)
    assert (result.administrations_per_year, result.vials_per_year) == (26, 156)
    assert result.yearly_cost == 156 * 15_600_000


def test_vials_are_rounded_up_to_whole_vials() -> None:
    assert plan(ALGLUCOSIDASE, 15.1).vials_per_administration == 7
    assert plan(ALGLUCOSIDASE, 12.5).vials_per_administration == 5


def test_loading_doses_add_to_the_first_year() -> None:
    result = plan(NUSINERSEN)
    assert result.administrations_first_year == 6  # days 0, 14, 28, 63, then 183 and 303
    assert result.administrations_per_year == 3
    assert result.yearly_cost is None  # no price given


def test_a_per_kg_dose_needs_a_weight() -> None:
    with pytest.raises(ValidationFailed) as err:
        plan(ALGLUCOSIDASE)
    assert err.value.details[0].field == "weight_kg"
