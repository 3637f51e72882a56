"""Likelihood ratios on the tiny ontology, computed by hand.

Candidates: Alpha = OMIM:100001 merged with its exact twin ORPHA:1001 (Cardiomyopathy 0.895 from
each source, Muscle weakness 1/2, NOT Seizure); Beta = OMIM:100002 (Seizure 0.545, Global
developmental delay 0.75); ORPHA:1003 (Seizure 1.0). Propagated (noisy-OR, true-path rule):
Alpha: Cardiomyopathy = Cardiovascular = 1 - 0.105**2 = 0.988975; Musculature = Weakness = 0.5.
Beta: Seizure 0.545, GDD 0.75, Nervous = 1 - 0.455 * 0.25 = 0.88625. ORPHA:1003: Seizure = Nervous = 1.
Background = column mean over the 3 candidates, floored at 0.5 / 3.
"""

from dataclasses import replace
from math import log10

import pytest

from rarecare.diagnosis import DiagnosisEngine, Query
from rarecare.diagnosis.index import build_index
from rarecare.knowledge import KnowledgeBase

from .conftest import HAND

EPS = 0.05
CM = 1 - 0.105**2
BG_CM = CM / 3
BG_FLOOR = 0.5 / 3
BG_SEIZURE = (0.545 + 1.0) / 3
BG_NERVOUS = (0.88625 + 1.0) / 3
BG_GDD = 0.75 / 3


def _lr(
    tiny_engine: DiagnosisEngine,
    code: str,
    *,
    observed: tuple[str, ...] = (),
    excluded: tuple[str, ...] = (),
) -> float:
    checked = tiny_engine.check(Query(observed=observed or ("HP:0001324",), excluded=excluded))
    row = tiny_engine.index.code_index[code]
    if observed:
        (q,) = checked.observed
        return float(tiny_engine.scorer.observed_lr(q)[row])
    (q,) = checked.excluded
    return float(tiny_engine.scorer.excluded_lr(q)[row])


def test_twins_are_merged_into_one_candidate(tiny_engine: DiagnosisEngine) -> None:
    assert sorted(c.codes for c in tiny_engine.index.candidates) == [
        ("OMIM:100001", "ORPHA:1001"),
        ("OMIM:100002",),
        ("ORPHA:1003",),
    ]


def test_an_exact_match_counts_its_frequency_over_the_background(
    tiny_engine: DiagnosisEngine,
) -> None:
    expected = log10(((1 - EPS) * CM + EPS * BG_CM) / BG_CM)
    assert _lr(tiny_engine, "OMIM:100001", observed=("HP:0001638",)) == pytest.approx(
        expected, abs=1e-4
    )


def test_a_term_no_annotation_supports_gets_the_noise_floor(tiny_engine: DiagnosisEngine) -> None:
    assert _lr(tiny_engine, "OMIM:100002", observed=("HP:0001638",)) == pytest.approx(
        log10(EPS), abs=1e-4
    )


def test_an_ancestor_of_an_annotation_counts_in_full(tiny_engine: DiagnosisEngine) -> None:
    # Abnormality of the cardiovascular system, above Cardiomyopathy: the disease has it too
    expected = log10(((1 - EPS) * CM + EPS * BG_CM) / BG_CM)
    assert _lr(tiny_engine, "OMIM:100001", observed=("HP:0001626",)) == pytest.approx(
        expected, abs=1e-4
    )


def test_a_descendant_of_an_annotation_counts_discounted(tiny_engine: DiagnosisEngine) -> None:
    # Hypertrophic cardiomyopathy, below the annotation: P = f * bg(HCM) / bg(CM)
    p = CM * BG_FLOOR / BG_CM
    expected = log10(((1 - EPS) * p + EPS * BG_FLOOR) / BG_FLOOR)
    assert _lr(tiny_engine, "OMIM:100001", observed=("HP:0001639",)) == pytest.approx(
        expected, abs=1e-4
    )


def test_a_sibling_counts_through_the_shared_ancestor_squared(tiny_engine: DiagnosisEngine) -> None:
    # Global developmental delay vs ORPHA:1003's Seizure: shared ancestor "nervous system"
    p = 1.0 * (BG_GDD / BG_NERVOUS) ** 2
    expected = log10(((1 - EPS) * p + EPS * BG_GDD) / BG_GDD)
    assert _lr(tiny_engine, "ORPHA:1003", observed=("HP:0001263",)) == pytest.approx(
        expected, abs=1e-4
    )


def test_an_excluded_feature_the_disease_shows_contradicts_it(tiny_engine: DiagnosisEngine) -> None:
    expected = log10((1 - (1 - EPS) * CM) / (1 - (1 - EPS) * BG_CM))
    assert _lr(tiny_engine, "OMIM:100001", excluded=("HP:0001638",)) == pytest.approx(
        expected, abs=1e-4
    )
    absent = log10(1 / (1 - (1 - EPS) * BG_CM))
    assert _lr(tiny_engine, "OMIM:100002", excluded=("HP:0001638",)) == pytest.approx(
        absent, abs=1e-4
    )


def test_an_excluded_term_the_disease_is_annotated_not_to_have_counts_as_relevance(
    tiny: KnowledgeBase,
) -> None:
    engine = DiagnosisEngine(tiny, build_index(tiny), replace(HAND, excluded_not_lr=5.0))
    checked = engine.check(Query(observed=("HP:0001324",), excluded=("HP:0002069",)))
    (q,) = checked.excluded
    alpha, beta = (engine.index.code_index[c] for c in ("OMIM:100001", "OMIM:100002"))
    lr = engine.scorer.excluded_lr(q)
    # Alpha is annotated NOT Seizure, an ancestor of the excluded term: 5 times the LR of a term
    # nobody is annotated with (background at the floor)
    absent = log10(1 / (1 - (1 - EPS) * BG_FLOOR))
    assert float(lr[alpha]) == pytest.approx(log10(5.0) + absent, abs=1e-4)
    # Beta shows seizures: the excluded term contradicts it as before
    plain = DiagnosisEngine(tiny, engine.index, HAND).scorer.excluded_lr(q)
    assert float(lr[beta]) == pytest.approx(float(plain[beta]), abs=1e-6)


def test_a_not_annotation_contradicts_an_observed_term_and_its_descendants(
    tiny_engine: DiagnosisEngine,
) -> None:
    assert _lr(tiny_engine, "OMIM:100001", observed=("HP:0001250",)) == pytest.approx(
        log10(0.05), abs=1e-6
    )
    assert _lr(tiny_engine, "OMIM:100001", observed=("HP:0002069",)) == pytest.approx(
        log10(0.05), abs=1e-6
    )


def test_the_ranking_adds_the_terms_and_explains_itself(tiny_engine: DiagnosisEngine) -> None:
    ranking = tiny_engine.rank(
        Query(observed=("HP:0001639", "HP:0001324"), excluded=("HP:0001250",)), top=3
    )
    best = ranking.results[0]
    assert best.codes == ("OMIM:100001", "ORPHA:1001")
    assert sum(r.probability for r in ranking.results) == pytest.approx(1.0)
    assert best.explanation is not None
    matches = {c.hpo_id: c.match for c in best.explanation.contributions}
    assert matches == {
        "HP:0001639": "annotation-above",
        "HP:0001324": "exact",
        "HP:0001250": "reported-absent",
    }
    assert best.score == pytest.approx(
        sum(c.log10_lr for c in best.explanation.contributions), abs=1e-3
    )


def test_an_excluded_feature_the_disease_usually_has_is_listed_as_a_contradiction(
    tiny_engine: DiagnosisEngine,
) -> None:
    ranking = tiny_engine.rank(Query(observed=("HP:0001324",), excluded=("HP:0001638",)), top=1)
    explanation = ranking.results[0].explanation
    assert explanation is not None
    assert "Cardiomyopathy (HP:0001638) is excluded" in explanation.contradictions[0]


def test_an_onset_outside_the_diseases_onset_ranges_lowers_it(tiny_engine: DiagnosisEngine) -> None:
    alpha = tiny_engine.index.code_index["OMIM:100001"]
    beta = tiny_engine.index.code_index["OMIM:100002"]
    assert (
        tiny_engine.index.candidates[alpha].x_linked is False
    )  # autosomal recessive in the fixture
    assert tiny_engine.index.candidates[alpha].onset == ((0.0, 0.0),)  # congenital
    checked = tiny_engine.check(Query(observed=("HP:0001324",), onset_years=40.0))
    context = tiny_engine.scorer.context_lr(checked)
    assert context[alpha] == pytest.approx(log10(0.3))
    assert context[beta] == 0.0  # Beta has no onset annotation


def test_without_an_hpo_onset_annotation_orphanets_age_of_onset_is_used(
    tiny_engine: DiagnosisEngine,
) -> None:
    orpha = tiny_engine.index.code_index["ORPHA:1003"]
    assert tiny_engine.index.candidates[orpha].onset == ((18.0, 120.0),)  # Orphanet: Adult
    infant = tiny_engine.check(Query(observed=("HP:0001250",), onset_years=0.5))
    assert tiny_engine.scorer.context_lr(infant)[orpha] == pytest.approx(log10(0.3))


def test_a_short_query_weighs_unmentioned_features_less(tiny: KnowledgeBase) -> None:
    index = build_index(tiny)
    flat = DiagnosisEngine(tiny, index, replace(HAND, omission_rate=0.5))
    tempered = DiagnosisEngine(tiny, index, replace(HAND, omission_rate=0.5, omission_half=3.0))
    query = Query(observed=("HP:0001250",))  # seizure: Beta's delay goes unmentioned
    row = index.code_index["OMIM:100002"]
    full = float(flat.scorer.omission_lr(flat.check(query))[row])
    short = float(tempered.scorer.omission_lr(tempered.check(query))[row])
    assert full < 0
    assert short == pytest.approx(full * 1 / (1 + 3.0), rel=1e-5)
