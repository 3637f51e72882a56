"""Phenotype-driven differential diagnosis (pure Python + NumPy/SciPy; no web or DB imports).

engine = DiagnosisEngine.load(kb, cache_dir)
ranking = engine.rank(Query(observed=("HP:0001638", "HP:0003198"), excluded=("HP:0001250",)))
ranking.results[0].code, ranking.results[0].probability, ranking.results[0].explanation
"""

from rarecare.diagnosis.engine import (
    DEFAULT_PARAMS,
    Contribution,
    DiagnosisEngine,
    Explanation,
    Feature,
    RankedDisease,
    Ranking,
)
from rarecare.diagnosis.query import CheckedQuery, Query
from rarecare.diagnosis.scoring import ScoringParams

__all__ = [
    "DEFAULT_PARAMS",
    "CheckedQuery",
    "Contribution",
    "DiagnosisEngine",
    "Explanation",
    "Feature",
    "Query",
    "RankedDisease",
    "Ranking",
    "ScoringParams",
]
