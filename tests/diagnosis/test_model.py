"""The diagnosis index: which diseases become candidates and with which phenotype."""

from __future__ import annotations

import pytest

from rarecare.diagnosis import DiagnosisEngine, Query
from rarecare.diagnosis.model import (
    BuildParams,
    build_index,
    phenotypic_series,
    series_annotations,
    series_stem,
)
from rarecare.knowledge import Annotation, KnowledgeBase

from .conftest import HAND

NAMED = BuildParams(name_frequency=0.8, variable_frequency=0.4, definition_frequency=0.6)


def test_features_named_by_names_are_unused_unless_asked_for(tiny: KnowledgeBase) -> None:
    index = build_index(tiny)
    assert "OMIM:100003" not in index.code_index
    assert "ORPHA:1002" not in index.code_index


def test_a_disease_known_only_by_its_name_becomes_a_candidate(tiny: KnowledgeBase) -> None:
    index = build_index(tiny, NAMED)
    gamma = index.code_index["OMIM:100003"]
    cm, weakness = (index.term_index[t] for t in ("HP:0001638", "HP:0001324"))
    assert index.direct[gamma, cm] == pytest.approx(0.8)
    assert index.direct[gamma, weakness] == pytest.approx(0.4)  # "with or without"


def test_a_definition_counts_only_for_an_entity_without_annotations(tiny: KnowledgeBase) -> None:
    index = build_index(tiny, NAMED)
    subtype = index.code_index["ORPHA:1002"]
    hcm = index.term_index["HP:0001639"]
    assert index.direct[subtype, hcm] == pytest.approx(0.6)
    seizure = index.term_index["HP:0001250"]
    assert index.matrix[subtype, seizure] == 0.0  # "without seizures"


def test_explanations_say_a_feature_comes_from_the_name(tiny: KnowledgeBase) -> None:
    engine = DiagnosisEngine(tiny, build_index(tiny, NAMED), HAND)
    ranking = engine.rank(Query(observed=("HP:0001638",)), top=10)
    gamma = next(r for r in ranking.results if r.code == "OMIM:100003")
    assert gamma.explanation is not None
    (contribution,) = gamma.explanation.contributions
    assert (contribution.match, contribution.evidence) == ("exact", "name")
    alpha = next(r for r in ranking.results if r.code == "OMIM:100001")
    assert alpha.explanation is not None
    assert alpha.explanation.contributions[0].evidence == "annotation"


def test_series_names_drop_the_series_number() -> None:
    assert series_stem("Loeys-Dietz syndrome 5") == "loeys-dietz syndrome"
    assert series_stem("Nephrotic syndrome, type 5, with or without ocular abnormalities") == (
        "nephrotic syndrome"
    )
    assert series_stem("Charcot-Marie-Tooth disease, axonal, type 2KK") == (
        "charcot-marie-tooth disease, axonal"
    )
    assert series_stem("KBG syndrome") is None


def test_members_of_a_series_know_each_other() -> None:
    names = ["Loeys-Dietz syndrome 1", "KBG syndrome", "Loeys-Dietz syndrome 3", ""]
    assert phenotypic_series(names) == [(2,), (), (0,), ()]


def _p(hpo_id: str, frequency: float | None, reference: str = "PMID:9") -> Annotation:
    return Annotation(hpo_id, frequency, "", "", "", False, (reference,), "P")


def test_a_sparse_disease_takes_its_series_mean_phenotype_by_how_sparse_it_is() -> None:
    params = BuildParams(series_weight=2.0, series_size=10)
    own = [_p("HP:1", 1.0), _p("HP:2", None)]  # 2 terms: weight 2 × (1 - 2/10) = 1.6
    siblings = [[_p("HP:1", 0.5), _p("HP:3", 0.25)], [_p("HP:3", None, "PMID:7")]]
    borrowed = {a.hpo_id: a.frequency for a in series_annotations(own, siblings, params)}
    # HP:3: mean of 0.25 and the default 0.5 over the two siblings, × 1.6
    assert borrowed == pytest.approx({"HP:1": 1.6 * 0.25, "HP:3": 1.6 * 0.375})
    # the leakage-free benchmark drops a paper's lines from the siblings too
    dropped = {a.hpo_id: a.frequency for a in series_annotations(own, siblings, params, {"PMID:7"})}
    assert dropped == pytest.approx({"HP:1": 1.6 * 0.25, "HP:3": 1.6 * 0.125})
    rich = [_p(f"HP:{i}", 1.0) for i in range(10)]
    assert series_annotations(rich, siblings, params) == []
