import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare import i18n
from rarecare.diagnosis import DiagnosisEngine
from rarecare.diagnosis import service as diagnosis
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import reanalysis, service
from rarecare.registry.models import Reanalysis
from rarecare.registry.reanalysis import compare, describe
from rarecare.registry.schemas import PatientIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import KNOWLEDGE_CACHE, Cast

from .conftest import TODAY, patient_payload


def _top(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"code": c, "name": c, "probability": p} for c, p in pairs]


def test_a_new_disease_in_the_top_five_raises_an_alert() -> None:
    changes, alert = compare(_top(("A", 0.5), ("B", 0.2)), _top(("C", 0.4), ("A", 0.3)))
    assert alert is True
    assert describe(changes) == [
        "new in the top 5: C (40%)",
        "probability of C rose from 0% to 40%",
    ]


def test_a_probability_jump_raises_an_alert_and_stability_does_not() -> None:
    assert compare(_top(("A", 0.1)), _top(("A", 0.45)))[1] is True
    assert compare(_top(("A", 0.4), ("B", 0.1)), _top(("A", 0.42), ("B", 0.1))) == ([], False)


def test_a_first_run_alerts_only_on_a_strong_suggestion() -> None:
    assert compare(None, _top(("A", 0.6)))[1] is True
    changes, alert = compare(None, _top(("A", 0.1)))
    assert (describe(changes), alert) == (["first analysis"], False)


def _engine(kb: KnowledgeBase) -> DiagnosisEngine:
    return diagnosis.engine_for(kb, KNOWLEDGE_CACHE)


def test_reanalysis_records_runs_and_alerts_only_the_patients_centre(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = service.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(patient_payload()),
        today=TODAY,
    )
    for term in (
        "HP:0001639",
        "HP:0001252",
        "HP:0000158",
        "HP:0002240",
        "HP:0003236",
        "HP:0002093",
    ):
        service.add_phenotype(
            session=db,
            principal=cast.clinician_a,
            kb=kb,
            patient_id=patient.id,
            data=PhenotypeIn(hpo_id=term),
        )
    first = reanalysis.reanalyze(session=db, principal=cast.admin, engine=_engine(kb))
    assert first["patients"] == 1
    second = reanalysis.reanalyze(session=db, principal=cast.admin, engine=_engine(kb))
    assert second["alerts"] == 0  # nothing changed
    runs = db.scalars(select(Reanalysis).where(Reanalysis.patient_id == patient.id)).all()
    assert len(runs) == 2
    assert float(str(runs[0].top[0]["probability"])) > 0
    assert reanalysis.alerts(session=db, principal=cast.clinician_b) == []
    latest = reanalysis.latest_for(session=db, principal=cast.clinician_a, patient_id=patient.id)
    assert latest is not None
    assert latest.id == runs[1].id


class _BrokenEngine:
    """An engine whose ranking fails, as a corrupt index or a bug would."""

    def rank(self, *_args: object, **_kw: object) -> object:
        raise RuntimeError("index unreadable")


def test_reanalysis_logs_and_counts_a_patient_it_cannot_rank(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    vault: IdentityVault,
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = service.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(patient_payload()),
        today=TODAY,
    )
    service.add_phenotype(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=PhenotypeIn(hpo_id="HP:0001252"),
    )
    with caplog.at_level(logging.WARNING, logger="rarecare.registry"):
        counts = reanalysis.reanalyze(
            session=db, principal=cast.admin, engine=cast_engine(_BrokenEngine())
        )
    assert (counts["patients"], counts["failed"]) == (0, 1)
    assert patient.pseudonym in caplog.text and "RuntimeError" in caplog.text
    assert "HP:0001252" not in caplog.text  # no clinical values in the log


def cast_engine(engine: object) -> DiagnosisEngine:
    return engine  # type: ignore[return-value]


def test_changes_read_in_the_readers_language_and_old_sentences_stay_as_stored() -> None:
    changes, _ = compare(_top(("A", 0.5)), _top(("C", 0.434), ("A", 0.3)))
    token = i18n.current_locale.set("vi")
    try:
        described = describe([*changes, "first analysis"])
    finally:
        i18n.current_locale.reset(token)
    assert described[0] == "mới vào nhóm 5 đầu: C (43%)"
    assert described[-1] == "first analysis"  # a run stored before changes were records
