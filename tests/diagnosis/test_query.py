import pytest

from rarecare.diagnosis import DiagnosisEngine, Query
from rarecare.diagnosis.query import onset_years
from rarecare.errors import ValidationFailed


def test_it_names_every_unknown_id(tiny_engine: DiagnosisEngine) -> None:
    with pytest.raises(ValidationFailed) as err:
        tiny_engine.check(Query(observed=("HP:0001638", "HP:1111111", "nonsense")))
    assert err.value.details[0].text == "unknown HPO ids: HP:1111111, nonsense"


def test_it_replaces_obsolete_and_alternate_ids_with_a_warning(
    tiny_engine: DiagnosisEngine,
) -> None:
    checked = tiny_engine.check(Query(observed=("HP:0000999",)))
    assert checked.observed_ids == ["HP:0001250"]
    assert "obsolete" in checked.warnings[0]
    alternate = tiny_engine.check(Query(observed=("HP:0009999", "HP:0001638")))
    assert "HP:0001250" in alternate.observed_ids
    assert "alternate id" in alternate.warnings[0]


def test_it_refuses_terms_that_are_not_phenotypic_features(tiny_engine: DiagnosisEngine) -> None:
    with pytest.raises(ValidationFailed) as err:
        tiny_engine.check(Query(observed=("HP:0001638", "HP:0000007", "HP:0003577")))
    messages = [d.message for d in err.value.details]
    assert "mode of inheritance" in messages[0]
    assert "age at onset" in messages[1]


def test_an_empty_query_is_an_error(tiny_engine: DiagnosisEngine) -> None:
    with pytest.raises(ValidationFailed, match="cannot be ranked"):
        tiny_engine.check(Query(observed=()))


def test_a_term_both_observed_and_excluded_is_an_error(tiny_engine: DiagnosisEngine) -> None:
    with pytest.raises(ValidationFailed):
        tiny_engine.check(Query(observed=("HP:0001638",), excluded=("HP:0001638",)))


def test_redundant_terms_are_dropped(tiny_engine: DiagnosisEngine) -> None:
    checked = tiny_engine.check(
        Query(
            observed=("HP:0001638", "HP:0001639", "HP:0001626"),
            excluded=("HP:0001250", "HP:0002069"),
        )
    )
    assert checked.observed_ids == ["HP:0001639"]
    assert checked.excluded_ids == ["HP:0001250"]


@pytest.mark.parametrize(
    ("value", "years"), [(3, 3.0), ("2.5", 2.5), ("P1Y6M", 1.5), ("HP:0003593", 0.5), (None, None)]
)
def test_onset_reads_years_durations_and_hpo_classes(
    value: str | float | None, years: float | None
) -> None:
    if years is None:
        assert onset_years(value) is None
    else:
        assert onset_years(value) == pytest.approx(years)


def test_a_bad_onset_is_named() -> None:
    with pytest.raises(ValidationFailed):
        onset_years("soon")
