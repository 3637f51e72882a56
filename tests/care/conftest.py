from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.centres import service as centres
from rarecare.centres.schemas import CentreCareIn
from rarecare.demo.service import load_lists
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service as registry
from rarecare.registry.models import Patient
from rarecare.registry.schemas import EncounterIn, PatientIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast
from tests.registry.conftest import patient_payload

TODAY = date(2026, 11, 23)  # a Monday
POMPE_DRUG = "alglucosidase alfa"


@dataclass
class CareWorld:
    cast: Cast
    pompe: Patient  # at centre A, 15 kg, province 01
    vault: IdentityVault


def add_pompe_patient(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    vault: IdentityVault,
    *,
    name: str,
    weight: float,
    national_id: str,
    province: str = "01",
) -> Patient:
    patient = registry.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(
            patient_payload(
                full_name=name,
                national_id=national_id,
                diagnostic_status="confirmed",
                orpha_code="ORPHA:365",
                province_code=province,
                birth_date="2021-03-14",
            )
        ),
        today=TODAY,
    )
    registry.add_encounter(
        session=db,
        principal=cast.clinician_a,
        patient_id=patient.id,
        data=EncounterIn(date=date(2026, 10, 1), weight_kg=weight),
        today=TODAY,
    )
    return patient


@pytest.fixture
def world(db: Session, cast: Cast, kb: KnowledgeBase) -> CareWorld:
    """The demo drug list approved; centres A and B give alglucosidase alfa on weekdays with
    one infusion slot a day; a 15 kg Pompe patient at centre A."""
    load_lists(db, kb)
    for centre_id in (cast.centre_a, cast.centre_b):
        centres.update_care(
            session=db,
            principal=SYSTEM,
            centre_id=centre_id,
            data=CentreCareIn(therapies=[POMPE_DRUG], chairs=1, infusions_per_chair=1),
        )
    vault = IdentityVault(b"k" * 32)
    pompe = add_pompe_patient(
        db, cast, kb, vault, name="Phạm Thu An", weight=15.0, national_id="001322000001"
    )
    return CareWorld(cast, pompe, vault)
