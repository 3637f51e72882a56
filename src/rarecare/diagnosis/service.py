"""Diagnosis for the web and the command line: one engine per process, queries from API input."""

from __future__ import annotations

import threading
from pathlib import Path

from rarecare.diagnosis.engine import DiagnosisEngine, Ranking
from rarecare.diagnosis.query import Query, onset_years
from rarecare.diagnosis.questions import ask
from rarecare.diagnosis.schemas import RankIn
from rarecare.knowledge import KnowledgeBase

_lock = threading.Lock()
_engines: dict[tuple[int, str], DiagnosisEngine] = {}


def engine_for(kb: KnowledgeBase, cache_dir: Path | None) -> DiagnosisEngine:
    """The process's engine (index from the on-disk cache when current)."""
    key = (id(kb), str(cache_dir))
    with _lock:
        if key not in _engines:
            _engines[key] = DiagnosisEngine.load(kb, cache_dir)
        return _engines[key]


def rank(*, engine: DiagnosisEngine, data: RankIn) -> Ranking:
    query = Query(
        observed=tuple(data.observed),
        excluded=tuple(data.excluded),
        sex=data.sex,
        onset_years=onset_years(data.onset),
    )
    ranking = engine.rank(query, top=data.top, explain=data.explain)
    if data.questions:
        ask(engine, ranking, count=data.questions)
    return ranking
