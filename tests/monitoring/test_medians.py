"""The indicator engine's pure helpers."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from rarecare.monitoring.medians import weighted_median


def test_it_takes_the_mean_of_the_two_middle_values_of_an_even_count() -> None:
    assert weighted_median([(1, 1), (2, 1), (3, 1), (4, 1)]) == 2.5
    assert weighted_median([(10, 2), (1, 2)]) == 5.5


def test_it_has_no_median_without_values() -> None:
    assert weighted_median([]) is None
    assert weighted_median([(3, 0)]) is None


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 6)), max_size=30))
def test_it_agrees_with_the_median_of_the_values_written_out(counts: list[tuple[int, int]]) -> None:
    values = [value for value, count in counts for _ in range(count)]
    expected = statistics.median(values) if values else None
    assert weighted_median([(float(v), float(c)) for v, c in counts]) == expected
