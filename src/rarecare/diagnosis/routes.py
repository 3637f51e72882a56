"""Diagnosis JSON API: ranking."""

from __future__ import annotations

from fastapi import APIRouter

from rarecare.diagnosis import service
from rarecare.diagnosis.deps import Engine
from rarecare.diagnosis.schemas import RankIn, RankOut

api = APIRouter(prefix="/api/diagnosis", tags=["diagnosis"])


@api.post("/rank", response_model=RankOut)
def api_rank(data: RankIn, engine: Engine) -> RankOut:
    """Rank every rare disease for observed and excluded HPO terms (optionally sex and onset).

    Unknown ids are refused by name (422); obsolete and alternate ids are replaced, with a
    warning; terms outside the phenotypic-abnormality branch are refused. Each result carries its
    post-test probability and, with ``explain``, the per-term contributions, the disease's
    expected features not observed and any contradictions."""
    return RankOut.of(service.rank(engine=engine, data=data))
