"""Data access requests: the committee's workflow, who may do what, and what the extract
holds."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.audit.models import AuditEvent
from rarecare.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.research import service
from rarecare.research.models import AccessRequest, DateHandling, DocumentKind, RequestStatus
from rarecare.research.schemas import ApproveIn, RejectIn, RequestIn
from tests.research.conftest import POMPE, World

PDF = b"%PDF-1.4 protocol"
TODAY = date.today()


def draft(
    db: Session,
    kb: KnowledgeBase,
    who: Principal,
    *,
    variables: tuple[str, ...] = ("sex", "diagnosis_date", "hpo_observed"),
    organisation: str = "UNI-HN",
    **cohort: object,
) -> AccessRequest:
    request = service.create(
        session=db,
        principal=who,
        kb=kb,
        data=RequestIn.model_validate(
            {
                "organisation_code": organisation,
                "title": "Natural history of Pompe disease in Vietnam",
                "purpose": "Describe the diagnostic delay and phenotype of Pompe disease.",
                "cohort": {"orpha_codes": [POMPE], **cohort},
                "variables": list(variables),
                "duration_months": 12,
            }
        ),
    )
    for kind in (DocumentKind.PROTOCOL, DocumentKind.ETHICS):
        service.attach(
            session=db,
            principal=who,
            request_id=request.id,
            kind=kind,
            filename=f"{kind.value}.pdf",
            content=PDF,
        )
    return request


def approved(
    db: Session,
    kb: KnowledgeBase,
    world: World,
    handling: DateHandling = DateHandling.SHIFT,
    **kw: object,
) -> AccessRequest:
    request = draft(db, kb, world.researcher, **kw)  # type: ignore[arg-type]
    service.submit(session=db, principal=world.researcher, request_id=request.id)
    service.start_review(session=db, principal=world.member, request_id=request.id)
    return service.approve(
        session=db,
        principal=world.member,
        request_id=request.id,
        data=ApproveIn(
            conditions="No attempt to re-identify; publish aggregates only.",
            date_handling=handling,
            expires_on=TODAY + timedelta(days=90),
        ),
    )


def extract_rows(
    db: Session, world: World, request_id: int
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    _name, content = service.download(session=db, principal=world.researcher, request_id=request_id)
    archive = zipfile.ZipFile(io.BytesIO(content))
    rows = list(csv.DictReader(io.StringIO(archive.read("extract.csv").decode())))
    return rows, json.loads(archive.read("manifest.json"))


def test_a_request_goes_from_draft_to_released_and_its_applicant_downloads_it(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(db, kb, world)
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    assert request.status is RequestStatus.RELEASED
    assert [e.to_status for e in request.events] == [
        "draft", "submitted", "under_review", "approved", "released"
    ]  # fmt: skip
    rows, manifest = extract_rows(db, world, request.id)
    assert len(rows) == 6  # the six consenting patients, not the one who refused
    assert manifest["request_id"] == request.id
    assert manifest["conditions"].startswith("No attempt")
    _name, content = service.download(session=db, principal=world.researcher, request_id=request.id)
    data = zipfile.ZipFile(io.BytesIO(content)).read("extract.csv")
    assert manifest["files"]["extract.csv"]["sha256"] == hashlib.sha256(data).hexdigest()
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"release_extract", "download_extract", "request_approved"} <= actions


def test_the_extract_has_no_column_that_was_not_requested(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(db, kb, world, variables=("sex", "province"))
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    rows, manifest = extract_rows(db, world, request.id)
    assert list(rows[0]) == ["subject_id", "sex", "province"]
    assert manifest["columns"] == ["subject_id", "sex", "province"]
    pseudonyms = {p.pseudonym for p in world.consenting}
    assert not pseudonyms & {r["subject_id"] for r in rows}  # never the registry's pseudonym


def test_extract_pseudonyms_differ_between_two_requests_for_the_same_patient(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    first = approved(db, kb, world, variables=("sex",))
    second = approved(db, kb, world, variables=("sex",))
    for request in (first, second):
        service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    ids_1 = {r["subject_id"] for r in extract_rows(db, world, first.id)[0]}
    ids_2 = {r["subject_id"] for r in extract_rows(db, world, second.id)[0]}
    assert len(ids_1) == len(ids_2) == 6
    assert not ids_1 & ids_2


@pytest.mark.parametrize(
    ("handling", "expected"),
    [(DateHandling.YEAR, "2023"), (DateHandling.MONTH, "2023-05")],
)
def test_dates_leave_as_the_committee_chose(
    db: Session, kb: KnowledgeBase, world: World, handling: DateHandling, expected: str
) -> None:
    request = approved(db, kb, world, handling, variables=("diagnosis_date",))
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    assert {r["diagnosis_date"] for r in extract_rows(db, world, request.id)[0]} == {expected}


def test_shifted_dates_move_but_keep_the_interval(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(
        db, kb, world, variables=("diagnosis_date", "first_symptoms_date", "diagnostic_delay_days")
    )
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    for row in extract_rows(db, world, request.id)[0]:
        diagnosed = date.fromisoformat(row["diagnosis_date"])
        first = date.fromisoformat(row["first_symptoms_date"])
        assert diagnosed != date(2023, 5, 2)
        assert (diagnosed - first).days == int(row["diagnostic_delay_days"])


def test_feasibility_suppresses_counts_below_five(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    everyone = draft(db, kb, world.researcher)
    few = draft(db, kb, world.researcher, sexes=["female"])  # three consenting women
    assert (
        service.feasibility(
            session=db, principal=world.researcher, kb=kb, request_id=everyone.id
        ).shown
        == "6"
    )
    small = service.feasibility(session=db, principal=world.researcher, kb=kb, request_id=few.id)
    assert (small.shown, small.count) == ("<5", None)


def test_an_international_partner_gets_only_patients_consenting_to_international_sharing(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = draft(db, kb, world.researcher, organisation="INTL")
    result = service.feasibility(
        session=db, principal=world.researcher, kb=kb, request_id=request.id
    )
    assert result.shown == "0"
    assert result.purposes == ["research", "international"]


def test_it_refuses_to_submit_without_protocol_and_ethics_approval(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = service.create(
        session=db,
        principal=world.researcher,
        kb=kb,
        data=RequestIn.model_validate(
            {
                "organisation_code": "UNI-HN",
                "title": "A request without documents",
                "purpose": "To show that documents are required before submission.",
                "variables": ["sex"],
                "duration_months": 6,
            }
        ),
    )
    with pytest.raises(ValidationFailed) as caught:
        service.submit(session=db, principal=world.researcher, request_id=request.id)
    assert [d.message for d in caught.value.details] == [
        "the study protocol is missing",
        "the ethics approval is missing",
    ]
    assert request.status is RequestStatus.DRAFT


def test_it_rejects_unknown_codes_and_variables_naming_each(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.create(
            session=db,
            principal=world.researcher,
            kb=kb,
            data=RequestIn.model_validate(
                {
                    "organisation_code": "UNI-HN",
                    "title": "Bad codes everywhere",
                    "purpose": "A request whose cohort and variables are all wrong.",
                    "cohort": {
                        "orpha_codes": ["ORPHA:0"],
                        "hpo_ids": ["HP:9999999"],
                        "provinces": ["99"],
                    },
                    "variables": ["full_name"],
                    "duration_months": 6,
                }
            ),
        )
    fields = [d.field for d in caught.value.details]
    assert fields == ["cohort.orpha_codes", "cohort.hpo_ids", "cohort.provinces", "variables"]


def test_another_applicant_does_not_see_the_request(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = draft(db, kb, world.researcher)
    with pytest.raises(NotFound):
        service.get_request(session=db, principal=world.other_researcher, request_id=request.id)
    assert service.listing(session=db, principal=world.other_researcher) == []


def test_only_committee_members_review_approve_or_reject(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = draft(db, kb, world.researcher)
    service.submit(session=db, principal=world.researcher, request_id=request.id)
    cast = world.cast
    for outsider in (world.researcher, cast.data_manager_a, cast.analyst, cast.clinician_a):
        with pytest.raises(PermissionDenied):
            service.start_review(session=db, principal=outsider, request_id=request.id)
    service.start_review(session=db, principal=world.member, request_id=request.id)
    with pytest.raises(PermissionDenied):
        service.reject(
            session=db,
            principal=cast.data_manager_a,
            request_id=request.id,
            data=RejectIn(reason="Not allowed"),
        )
    service.reject(
        session=db,
        principal=world.member,
        request_id=request.id,
        data=RejectIn(reason="No ethics approval number."),
    )
    assert request.status is RequestStatus.REJECTED
    with pytest.raises(Conflict):
        service.release(session=db, principal=world.member, kb=kb, request_id=request.id)


def test_ministry_and_data_managers_read_the_register_but_never_download(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(db, kb, world)
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    cast = world.cast
    for reader in (cast.analyst, cast.data_manager_a):
        assert [r.id for r in service.listing(session=db, principal=reader)] == [request.id]
        with pytest.raises(PermissionDenied):
            service.download(session=db, principal=reader, request_id=request.id)
    with pytest.raises(NotFound):
        service.download(session=db, principal=world.other_researcher, request_id=request.id)
    with pytest.raises(PermissionDenied):
        service.listing(session=db, principal=cast.clinician_a)


def test_drafts_stay_with_their_applicant(db: Session, kb: KnowledgeBase, world: World) -> None:
    request = draft(db, kb, world.researcher)
    with pytest.raises(NotFound):
        service.get_request(session=db, principal=world.member, request_id=request.id)


def test_an_expired_or_closed_extract_cannot_be_downloaded(
    db: Session, kb: KnowledgeBase, world: World
) -> None:
    request = approved(db, kb, world)
    service.release(session=db, principal=world.member, kb=kb, request_id=request.id)
    with pytest.raises(PermissionDenied):
        service.download(
            session=db,
            principal=world.researcher,
            request_id=request.id,
            today=TODAY + timedelta(days=91),
        )
    service.close(session=db, principal=world.member, request_id=request.id, note="Study ended")
    with pytest.raises(Conflict):
        service.download(session=db, principal=world.researcher, request_id=request.id)


def test_approval_needs_an_expiry_after_today(db: Session, kb: KnowledgeBase, world: World) -> None:
    request = draft(db, kb, world.researcher)
    service.submit(session=db, principal=world.researcher, request_id=request.id)
    service.start_review(session=db, principal=world.member, request_id=request.id)
    with pytest.raises(ValidationFailed):
        service.approve(
            session=db,
            principal=world.member,
            request_id=request.id,
            data=ApproveIn(
                conditions="Aggregates only.", date_handling=DateHandling.YEAR, expires_on=TODAY
            ),
        )
