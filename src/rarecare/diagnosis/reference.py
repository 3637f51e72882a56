"""The yardstick of the diagnosis benchmark: a plain LIRICAL-style ranker (Robinson et al.
2020) — a likelihood ratio per query term over the HPO annotations (phenotype.hpoa, OMIM
diseases only), a term matching an annotation at it or below it in full and an annotation above
it discounted by how much rarer the term is, explicit NOT annotations contradicting, and
nothing else: no omission penalty, no matching through siblings, no features borrowed from
Orphanet entities, names, definitions or phenotypic series. It is not the product; it runs
beside it in the same benchmark run so that every figure has a reference measured on the same
cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rarecare.diagnosis.index import BuildParams, load_index
from rarecare.diagnosis.scoring import Scorer, ScoringParams
from rarecare.knowledge import KnowledgeBase

REFERENCE_BUILD = BuildParams()  # curated annotations only: no borrowing, names or series
REFERENCE_PARAMS = ScoringParams(
    epsilon=0.05,
    beta=1.0,
    beta_sibling=100.0,  # a shared ancestor alone is no match
    omission_rate=0.0,
    excluded_weight=1.0,
    excluded_relevance=0.0,
    excluded_not_lr=1.0,
    onset_mismatch_lr=1.0,
    sex_mismatch_lr=1.0,
)


def reference_scorer(kb: KnowledgeBase, cache_dir: Path | None) -> tuple[Scorer, np.ndarray]:
    """The reference scorer and the candidates it may rank (OMIM diseases)."""
    index = load_index(kb, cache_dir, REFERENCE_BUILD)
    allowed = np.array([c.key.startswith("OMIM:") for c in index.candidates], dtype=bool)
    return Scorer(index, REFERENCE_PARAMS), allowed
