from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest

from rarecare.registry.identity import IdentityVault

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
