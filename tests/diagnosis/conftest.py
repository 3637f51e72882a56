"""The tiny knowledge base of tests/knowledge (three candidates) as a diagnosis engine, with
parameters fixed here so that the LRs can be computed by hand."""

from __future__ import annotations

import pytest

from rarecare.diagnosis import DiagnosisEngine, ScoringParams
from rarecare.diagnosis.index import build_index
from rarecare.knowledge import KnowledgeBase
from tests.knowledge.conftest import tiny, tiny_dir  # noqa: F401  (fixtures)

HAND = ScoringParams(
    epsilon=0.05,
    beta=1.0,
    beta_sibling=2.0,
    not_lr=0.05,
    excluded_weight=1.0,
    excluded_relevance=0.0,
    omission_rate=0.0,
    onset_mismatch_lr=0.3,
    sex_mismatch_lr=0.2,
)


@pytest.fixture(scope="session")
def tiny_engine(tiny: KnowledgeBase) -> DiagnosisEngine:  # noqa: F811
    return DiagnosisEngine(tiny, build_index(tiny), HAND)
