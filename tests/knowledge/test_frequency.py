import pytest

from rarecare.knowledge.frequency import frequency_label, parse_frequency


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HP:0040280", 1.0),
        ("HP:0040285", 0.0),
        ("3/4", 0.75),
        ("0/5", 0.0),
        ("12%", 0.12),
        ("Very rare (<4-1%)", 0.025),
        ("Frequent (79-30%)", 0.545),
        ("", None),
        ("1/0", None),
        ("odd", None),
    ],
)
def test_it_turns_every_frequency_form_into_a_probability(raw: str, expected: float | None) -> None:
    assert parse_frequency(raw) == (pytest.approx(expected) if expected is not None else None)


def test_it_labels_hpo_frequency_terms() -> None:
    assert frequency_label("HP:0040281") == "Very frequent (80-99%)"
    assert frequency_label("2/7") == "2/7"
