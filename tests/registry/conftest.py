from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service
from rarecare.registry.models import Patient
from rarecare.registry.schemas import PatientIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

KEY = b"k" * 32


@pytest.fixture
def vault() -> IdentityVault:
    return IdentityVault(KEY)


def patient_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "identity": {
            "full_name": "Nguyễn Thị Lan",
            "birth_date": "2021-03-14",
            "national_id": "001321012345",
            "insurance_number": "TE1010123456789",
            "phone": "0912345678",
            "address": "12 Phố Huế, Hà Nội",
            "guardian": "Nguyễn Văn Minh",
        },
        "sex": "female",
        "first_contact_date": "2022-01-10",
        "first_symptoms_date": "2021-06-01",
        "onset_kind": "date",
        "onset_date": "2021-06-01",
        "diagnostic_status": "suspected",
        "contact_for_research": True,
        "consent_reuse": True,
        "province_code": "01",
    }
    for key, value in overrides.items():
        if key in payload["identity"]:
            payload["identity"][key] = value
        else:
            payload[key] = value
    return payload


def b64key(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


TODAY = date(2026, 11, 22)


def register_patient(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    vault: IdentityVault,
    who: str = "clinician_a",
    **overrides: object,
) -> Patient:
    return service.register(
        session=db,
        principal=getattr(cast, who),
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(patient_payload(**overrides)),
        today=TODAY,
    )
