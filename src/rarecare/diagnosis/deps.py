"""The diagnosis engine as a request dependency (one per process, built from the knowledge
base and cached on disk)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from rarecare.diagnosis import service
from rarecare.diagnosis.engine import DiagnosisEngine
from rarecare.web.deps import AppSettings, Knowledge


def get_engine(kb: Knowledge, settings: AppSettings) -> DiagnosisEngine:
    return service.engine_for(kb, settings.cache_dir)


Engine = Annotated[DiagnosisEngine, Depends(get_engine)]
