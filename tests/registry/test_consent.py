"""Consent per purpose: given and withdrawn with dates, form version and who recorded it; the
history kept; the record's research elements follow; audited; scoped to the patient's centre."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.errors import Conflict, NotFound, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import consent, service
from rarecare.registry.models import ConsentPurpose
from rarecare.registry.schemas import PatientUpdateIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast, login
from tests.registry.conftest import TODAY, register_patient

R = ConsentPurpose.RESEARCH


def test_registration_records_the_research_and_recontact_consents(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    rows = consent.history(session=db, patient_id=patient.id)
    assert sorted(r.purpose.value for r in rows) == ["recontact", "research"]
    assert all(r.given_on == TODAY and r.recorded_by == "clinician.a" for r in rows)


def test_withdrawal_keeps_the_history_and_clears_the_record_element(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    record = service.open_record(session=db, principal=cast.clinician_a, patient_id=patient.id)
    consent.withdraw(session=db, record=record, purpose=R, withdrawn_on=date(2026, 11, 30))
    assert patient.consent_reuse is False
    again = consent.give(
        session=db, record=record, purpose=R, given_on=date(2026, 12, 1), form_version="v2.1"
    )
    history = [r for r in consent.history(session=db, patient_id=patient.id) if r.purpose is R]
    assert [(r.form_version, r.withdrawn_on) for r in history] == [
        ("v2.1", None),
        ("", date(2026, 11, 30)),
    ]
    assert again.is_current and patient.consent_reuse is True
    actions = list(
        db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == patient.pseudonym))
    )
    assert "withdraw_consent" in actions and actions.count("give_consent") == 3


def test_it_refuses_a_second_current_consent_and_a_withdrawal_without_one(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    record = service.open_record(session=db, principal=cast.clinician_a, patient_id=patient.id)
    with pytest.raises(Conflict):
        consent.give(session=db, record=record, purpose=R, given_on=TODAY)
    with pytest.raises(Conflict):
        consent.withdraw(
            session=db, record=record, purpose=ConsentPurpose.BIOBANK, withdrawn_on=TODAY
        )


def test_it_rejects_a_consent_dated_in_the_future(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    record = service.open_record(session=db, principal=cast.clinician_a, patient_id=patient.id)
    with pytest.raises(ValidationFailed) as caught:
        consent.give(
            session=db,
            record=record,
            purpose=ConsentPurpose.BIOBANK,
            given_on=date(2099, 1, 1),
            today=TODAY,
        )
    assert caught.value.details[0].field == "given_on"


def test_unticking_consent_on_the_record_form_withdraws_it(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    fields = {
        k: getattr(patient, k)
        for k in PatientUpdateIn.model_fields
        if hasattr(patient, k) and k not in ("version",)
    }
    fields["consent_reuse"] = False
    service.update(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=PatientUpdateIn.model_validate(fields),
        vault=vault,
        today=TODAY,
    )
    current = consent.current_purposes(session=db, patient_ids=[patient.id])[patient.id]
    assert current == {"recontact"}


def test_another_centre_can_neither_read_nor_record_consent(
    client: TestClient, db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    with pytest.raises(NotFound):
        service.open_record(session=db, principal=cast.clinician_b, patient_id=patient.id)
    login(client, "clinician.b")
    assert client.get(f"/api/registry/patients/{patient.id}/consents").status_code == 404
    response = client.post(
        f"/api/registry/patients/{patient.id}/consents",
        json={"purpose": "biobank", "given_on": "2026-11-01"},
    )
    assert response.status_code == 404


def test_the_api_records_and_withdraws_a_consent(
    client: TestClient, db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    login(client, "clinician.a")
    given = client.post(
        f"/api/registry/patients/{patient.id}/consents",
        json={"purpose": "international", "given_on": "2026-11-01", "form_version": "QĐ-2025"},
    )
    assert given.status_code == 201, given.text
    withdrawn = client.post(
        f"/api/registry/patients/{patient.id}/consents/international/withdraw",
        json={"withdrawn_on": "2026-11-20"},
    )
    assert withdrawn.json()["withdrawn_by"] == "clinician.a"
    history = client.get(f"/api/registry/patients/{patient.id}/consents").json()
    assert [c["is_current"] for c in history if c["purpose"] == "international"] == [False]
