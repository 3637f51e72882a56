"""The reference ranker follows LIRICAL's rules (Robinson et al. 2020), checked by hand on the
tiny knowledge base: OMIM:100001 Alpha (cardiomyopathy f_c, muscle weakness 1/2, NOT seizure),
OMIM:100002 Beta (seizure f_s from PMID:3; developmental delay 75% from PMID:3 and PMID:4).
Two OMIM diseases, so a background frequency is the sum of their frequencies / 2."""

from __future__ import annotations

import math

import pytest

from rarecare.diagnosis.engine import DEFAULT_BUILD
from rarecare.diagnosis.index import DiagnosisIndex, build_index
from rarecare.diagnosis.query import CheckedQuery
from rarecare.diagnosis.reference import LiricalScorer
from rarecare.knowledge import KnowledgeBase

CARDIOMYOPATHY, HCM = "HP:0001638", "HP:0001639"
SEIZURE, TONIC_CLONIC, DELAY = "HP:0001250", "HP:0002069", "HP:0001263"
WEAKNESS, NERVOUS = "HP:0001324", "HP:0000707"


@pytest.fixture(scope="module")
def lirical(tiny: KnowledgeBase) -> LiricalScorer:
    # over the engine's candidates: OMIM:100003, known only by its name, and the Orphanet
    # entities are candidates there, not here
    return LiricalScorer(tiny, build_index(tiny, DEFAULT_BUILD))


def frequency(kb: KnowledgeBase, disease: str, term: str) -> float:
    line = next(a for a in kb.diseases[disease].annotations if a.hpo_id == term)
    assert line.frequency is not None
    return line.frequency


def lr(scorer: LiricalScorer, disease: str, term: str, *, excluded: bool = False) -> float:
    index: DiagnosisIndex = scorer.index
    q = index.term_index[term]
    vector = scorer.excluded_lr(q) if excluded else scorer.observed_lr(q)
    return float(vector[index.code_index[disease]])


def query(index: DiagnosisIndex, *observed: str) -> CheckedQuery:
    return CheckedQuery([index.term_index[t] for t in observed], [], None, None)


def test_it_ranks_only_the_omim_diseases_over_their_own_lines(
    lirical: LiricalScorer, tiny: KnowledgeBase
) -> None:
    keys = [c.key for c, ok in zip(lirical.index.candidates, lirical.allowed, strict=True) if ok]
    assert sorted(keys) == ["OMIM:100001", "OMIM:100002"]
    # the Orphanet twin merged with Alpha adds nothing: the background of cardiomyopathy is
    # Alpha's own frequency over the two diseases
    f_c = frequency(tiny, "OMIM:100001", CARDIOMYOPATHY)
    assert lirical.background[lirical.index.term_index[CARDIOMYOPATHY]] == pytest.approx(f_c / 2)


def test_an_exact_match_is_the_frequency_over_the_background(
    lirical: LiricalScorer, tiny: KnowledgeBase
) -> None:
    assert lr(lirical, "OMIM:100001", CARDIOMYOPATHY) == pytest.approx(math.log10(2), abs=1e-6)
    f_s = frequency(tiny, "OMIM:100002", SEIZURE)
    assert lr(lirical, "OMIM:100002", NERVOUS) == pytest.approx(
        math.log10(max(f_s, 0.75) / (max(f_s, 0.75) / 2)), abs=1e-6
    )  # annotated below the query term: the highest frequency there


def test_a_term_below_an_annotation_takes_a_share_of_its_parent(
    lirical: LiricalScorer, tiny: KnowledgeBase
) -> None:
    # hypertrophic cardiomyopathy is the only child of cardiomyopathy and annotates nothing:
    # background 1/10,000
    f_c = frequency(tiny, "OMIM:100001", CARDIOMYOPATHY)
    assert lr(lirical, "OMIM:100001", HCM) == pytest.approx(math.log10(f_c / 1e-4), abs=1e-5)


def test_a_feature_the_disease_is_annotated_not_to_have_contradicts_it(
    lirical: LiricalScorer,
) -> None:
    assert lr(lirical, "OMIM:100001", SEIZURE) == pytest.approx(-3)
    assert lr(lirical, "OMIM:100001", TONIC_CLONIC) == pytest.approx(-3)  # below the NOT line
    # excluded in the patient and in the disease
    assert lr(lirical, "OMIM:100001", SEIZURE, excluded=True) == pytest.approx(3)


def test_an_unrelated_feature_is_a_false_positive_at_one_in_a_hundred(
    lirical: LiricalScorer,
) -> None:
    assert lr(lirical, "OMIM:100002", CARDIOMYOPATHY) == pytest.approx(-2)
    assert lr(lirical, "OMIM:100001", DELAY) == pytest.approx(-2)


def test_a_shared_ancestor_counts_a_tenth_of_the_frequency_per_step(
    lirical: LiricalScorer, tiny: KnowledgeBase
) -> None:
    # without PMID:3, Beta keeps developmental delay (75%, also cited by PMID:4): a seizure
    # meets it at "abnormality of the nervous system", one step up: 0.075 / bg(nervous)
    f_s = frequency(tiny, "OMIM:100002", SEIZURE)
    row = lirical.index.code_index["OMIM:100002"]
    score = lirical.score_without(query(lirical.index, SEIZURE), row, {"PMID:3"})
    assert score == pytest.approx(math.log10(0.075 / (max(f_s, 0.75) / 2)), abs=1e-5)
    # with every line, the seizure is an exact match
    assert lirical.score_without(query(lirical.index, SEIZURE), row, set()) == pytest.approx(
        lr(lirical, "OMIM:100002", SEIZURE), abs=1e-6
    )


def test_an_excluded_feature_weighs_against_the_diseases_that_have_it(
    lirical: LiricalScorer, tiny: KnowledgeBase
) -> None:
    f_c = frequency(tiny, "OMIM:100001", CARDIOMYOPATHY)
    bg = f_c / 2
    assert lr(lirical, "OMIM:100001", CARDIOMYOPATHY, excluded=True) == pytest.approx(
        math.log10(max(0.01, 1 - f_c) / (1 - bg)), abs=1e-6
    )
    assert lr(lirical, "OMIM:100002", CARDIOMYOPATHY, excluded=True) == pytest.approx(
        math.log10(1 / (1 - bg)), abs=1e-6
    )


def test_a_query_scores_the_sum_of_its_terms(lirical: LiricalScorer) -> None:
    index = lirical.index
    scores = lirical.scores(query(index, CARDIOMYOPATHY, WEAKNESS))
    alpha = index.code_index["OMIM:100001"]
    assert scores[alpha] == pytest.approx(
        lr(lirical, "OMIM:100001", CARDIOMYOPATHY) + lr(lirical, "OMIM:100001", WEAKNESS)
    )
    assert scores[alpha] > scores[index.code_index["OMIM:100002"]]
