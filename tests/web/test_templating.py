"""The template filters users read numbers through."""

import numpy as np

from rarecare import i18n
from rarecare.diagnosis.engine import plausible
from rarecare.web.templating import format_chance


def test_a_probability_is_never_shown_as_a_certainty_it_is_not() -> None:
    token = i18n.current_locale.set("vi")
    try:
        assert format_chance(1.0) == ">99,9%"
        assert format_chance(0.0) == "<0,1%"
        assert format_chance(0.0734) == "7,3%"
    finally:
        i18n.current_locale.reset(token)
    assert format_chance(0.5) == "50.0%"


def test_the_plausible_candidates_are_the_fewest_holding_95_percent() -> None:
    assert plausible(np.array([0.05, 0.5, 0.15, 0.3])) == 3
    assert plausible(np.array([0.97, 0.02, 0.01])) == 1
    assert plausible(np.full(100, 0.01)) == 95
