"""The register of data keys: a wrong or stale key is refused before it can write, rotation
re-encrypts every identity without changing any pseudonym, goes on where it stopped, and names
what it cannot decrypt."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from rarecare.access import SYSTEM, Principal, Role
from rarecare.app import create_app
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.config import Settings
from rarecare.errors import ConfigurationError
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import keys, service
from rarecare.registry.models import DataKey, Patient
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.schemas import PatientIn
from rarecare.storage import make_engine, make_sessionmaker
from tests.registry.conftest import patient_payload

OLD, NEW, OTHER = b"o" * 32, b"n" * 32, b"x" * 32
ADMIN = Principal(user_id=0, username="ops", role=Role.ADMIN)


def _register(sessions: sessionmaker[Session], kb: KnowledgeBase, n: int) -> list[str]:
    with sessions.begin() as session:
        centre = centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(code="NCH", name="NCH", level=CentreLevel.NATIONAL, province_code="01"),
        )
        clinician = Principal(user_id=0, username="dr", role=Role.CLINICIAN, centre_id=centre.id)
        vault = keys.open_vault(session=session, key=OLD)
        out = []
        for i in range(n):
            identity = {**patient_payload()["identity"], "national_id": f"00132101230{i}"}
            patient = service.register(
                session=session,
                principal=clinician,
                kb=kb,
                vault=vault,
                data=PatientIn.model_validate(patient_payload(identity=identity)),
            )
            out.append(patient.pseudonym)
        return out


def test_a_key_that_is_not_the_one_in_force_is_refused(fresh_url: str, kb: KnowledgeBase) -> None:
    sessions = make_sessionmaker(make_engine(fresh_url))
    _register(sessions, kb, 1)
    with sessions() as session, pytest.raises(ConfigurationError) as caught:
        keys.open_vault(session=session, key=OTHER)
    assert "RARECARE_DATA_KEY does not match" in caught.value.message


def test_a_first_start_with_a_key_that_cannot_read_the_store_is_refused(
    fresh_url: str, kb: KnowledgeBase
) -> None:
    sessions = make_sessionmaker(make_engine(fresh_url))
    _register(sessions, kb, 1)
    with sessions.begin() as session:  # as a database from before the register existed
        session.execute(delete(DataKey))
    with sessions() as session, pytest.raises(ConfigurationError) as caught:
        keys.open_vault(session=session, key=OTHER)
    assert "does not decrypt the identities already stored" in caught.value.message


def test_the_server_refuses_to_start_with_the_wrong_key(
    fresh_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(make_engine(fresh_url))
    _register(sessions, kb, 1)
    wrong = Settings(
        database_url=fresh_url,
        demo=True,
        var_dir=tmp_path,
        data_key=SecretStr(base64.b64encode(OTHER).decode()),
    )
    with pytest.raises(ConfigurationError), TestClient(create_app(wrong)):
        pass


def test_rotation_re_encrypts_everything_and_keeps_every_pseudonym(
    fresh_url: str, kb: KnowledgeBase
) -> None:
    sessions = make_sessionmaker(make_engine(fresh_url))
    pseudonyms = _register(sessions, kb, 3)
    result = keys.rotate(sessions=sessions, principal=ADMIN, key=OLD, new_key=NEW)
    assert (result.version, result.moved, result.remaining, result.finished) == (2, 3, 0, True)
    with sessions() as session:
        assert sorted(session.scalars(select(Patient.pseudonym))) == sorted(pseudonyms)
        vault = keys.open_vault(session=session, key=NEW)
        patient = session.scalars(select(Patient)).first()
        assert patient is not None
        assert service.stored_identity(session, vault, patient).full_name == "Nguyễn Thị Lan"
        with pytest.raises(ConfigurationError) as retired:
            keys.open_vault(session=session, key=OLD)
        assert "retired key of version 1" in retired.value.message
    again = keys.rotate(sessions=sessions, principal=ADMIN, key=OLD, new_key=NEW)
    assert (again.moved, again.finished) == (0, True)  # resuming a finished rotation: nothing


def test_rotation_names_what_it_cannot_decrypt_and_goes_on_later(
    fresh_url: str, kb: KnowledgeBase
) -> None:
    sessions = make_sessionmaker(make_engine(fresh_url))
    pseudonyms = _register(sessions, kb, 3)
    with sessions.begin() as session:
        first = session.scalars(select(IdentityRow).order_by(IdentityRow.id)).first()
        assert first is not None
        broken_id = first.patient_id
        session.execute(
            update(IdentityRow).where(IdentityRow.id == first.id).values(blob=b"\0" * 40)
        )
    result = keys.rotate(sessions=sessions, principal=ADMIN, key=OLD, new_key=NEW)
    assert (result.moved, result.remaining, result.finished) == (2, 1, False)
    with sessions() as session:
        broken = session.get(Patient, broken_id)
        assert broken is not None and result.unreadable == [broken.pseudonym]
        assert broken.pseudonym in pseudonyms
        # while it runs, the server reads both: the new key, and the old one as previous
        vault = keys.open_vault(session=session, key=NEW, previous=OLD)
        assert vault.version == 2


def test_rotation_also_re_encrypts_the_newborn_screening_identities(
    fresh_url: str, kb: KnowledgeBase
) -> None:
    from rarecare.demo.service import load_lists
    from rarecare.network import labs, screening, screening_import
    from rarecare.network.models import ScreeningRecord
    from rarecare.network.schemas import LaboratoryIn, ProgrammeIn

    sessions = make_sessionmaker(make_engine(fresh_url))
    _register(sessions, kb, 1)
    with sessions.begin() as session:
        load_lists(session, kb)
        labs.add_laboratory(
            session=session,
            principal=ADMIN,
            data=LaboratoryIn(code="LAB-A", name="Lab", province_code="01"),
        )
        screening.add_programme(
            session=session,
            principal=ADMIN,
            kb=kb,
            data=ProgrammeIn(code="NBS-X", name="NBS", orpha_codes=["ORPHA:716"]),
        )
        screening_import.load(
            session=session,
            actor=ADMIN,
            vault=keys.open_vault(session=session, key=OLD),
            rows=[
                (
                    2,
                    [
                        "S-1",
                        "NBS-X",
                        "LAB-A",
                        "",
                        "Vũ Thị Hằng",
                        "2026-03-02",
                        "female",
                        "01",
                        "",
                        "",
                        "2026-03-04",
                        "",
                        "normal",
                        "",
                    ],
                ),
            ],
            source="test",
        )
    result = keys.rotate(sessions=sessions, principal=ADMIN, key=OLD, new_key=NEW)
    assert (result.moved, result.remaining) == (2, 0)
    with sessions() as session:
        record = session.scalars(select(ScreeningRecord)).one()
        identity = screening.identity_of(
            session=session,
            principal=ADMIN,
            vault=keys.open_vault(session=session, key=NEW),
            record_id=record.id,
            reason="Recall the family.",
        )
        assert identity.guardian == "Vũ Thị Hằng"
