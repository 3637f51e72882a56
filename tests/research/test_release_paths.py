"""A withdrawn research consent takes the patient out of every path that releases data for
research at once: feasibility counts, extracts, Beacon counts and filtering terms, and
similar-patient matching across centres."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.diagnosis import service as diagnosis
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import consent, similarity
from rarecare.registry import service as registry
from rarecare.registry.models import ConsentPurpose
from rarecare.research import service
from tests.conftest import KNOWLEDGE_CACHE, login
from tests.research.conftest import POMPE, World
from tests.research.test_requests import approved, draft, extract_rows


def withdraw(db: Session, world: World, index: int) -> None:
    patient = world.consenting[index]
    who = world.cast.clinician_a if index < 3 else world.cast.clinician_b
    record = registry.open_record(session=db, principal=who, patient_id=patient.id)
    consent.withdraw(
        session=db, record=record, purpose=ConsentPurpose.RESEARCH, withdrawn_on=date.today()
    )


def test_feasibility_and_extracts_leave_out_a_withdrawn_patient(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(db, kb, world, variables=("sex",))
    withdraw(db, world, 0)
    count = service.feasibility(
        session=db, principal=world.researcher, kb=kb, request_id=request.id
    )
    assert count.shown == "5"
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    assert len(extract_rows(db, world, request.id)[0]) == 5


def test_the_beacon_leaves_out_a_withdrawn_patient(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, "analyst")

    def count() -> Any:
        return client.get(
            "/api/beacon/v2/individuals", params={"filters": POMPE, "requestedGranularity": "count"}
        ).json()["responseSummary"]

    assert count() == {"exists": True, "numTotalResults": 6}
    withdraw(db, world, 5)
    assert count() == {"exists": True, "numTotalResults": 5}
    withdraw(db, world, 4)
    assert count() == {"exists": True}  # four: a boolean only


def test_filtering_terms_drop_terms_only_withdrawn_patients_held(
    client: TestClient, db: Session, kb: KnowledgeBase, world: World
) -> None:
    from rarecare.registry.schemas import PhenotypeIn

    patient = world.consenting[0]
    registry.add_phenotype(
        session=db,
        principal=world.cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=PhenotypeIn(hpo_id="HP:0001250"),
    )

    def terms() -> set[str]:
        body = client.get("/api/beacon/v2/filtering_terms").json()
        return {t["id"] for t in body["response"]["filteringTerms"]}

    assert "HP:0001250" in terms()
    withdraw(db, world, 0)
    assert "HP:0001250" not in terms()


def test_similar_patients_of_other_centres_need_their_consent(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    engine = diagnosis.engine_for(kb, KNOWLEDGE_CACHE)
    query = world.consenting[0]  # at centre A

    def found() -> set[str]:
        return {
            s.pseudonym
            for s in similarity.similar(
                session=db,
                principal=world.cast.clinician_a,
                engine=engine,
                patient_id=query.id,
                top=20,
            )
        }

    at_b = world.consenting[3]
    assert at_b.pseudonym in found()
    assert world.refusing.pseudonym in found()  # same centre: care use, no research consent needed
    withdraw(db, world, 3)
    assert at_b.pseudonym not in found()


def test_a_new_request_never_includes_a_patient_who_withdrew(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    for i in range(6):
        withdraw(db, world, i)
    request = draft(db, kb, world.researcher)
    assert (
        service.feasibility(
            session=db, principal=world.researcher, kb=kb, request_id=request.id
        ).shown
        == "0"
    )
