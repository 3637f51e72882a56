"""The diagnosis index: which diseases become candidates and with which phenotype."""

from __future__ import annotations

import pytest

from rarecare.diagnosis import DiagnosisEngine, Query
from rarecare.diagnosis.index import BuildParams, build_index
from rarecare.knowledge import KnowledgeBase

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
