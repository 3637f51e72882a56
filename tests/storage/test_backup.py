"""A backup drill on both back ends: back up, wipe, restore, and every table's rows are back
exactly (row counts and digests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from rarecare.access import SYSTEM, Principal, Role
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.errors import RareCareError
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service as registry
from rarecare.registry.schemas import PatientIn
from rarecare.registry.vault import IdentityVault
from rarecare.storage import backup, make_engine, make_sessionmaker
from tests.registry.conftest import patient_payload


def _some_records(url: str, kb: KnowledgeBase) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session, session.begin():
        centre = centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(code="NCH", name="NCH", level=CentreLevel.NATIONAL, province_code="01"),
        )
        clinician = Principal(user_id=0, username="drill", role=Role.CLINICIAN, centre_id=centre.id)
        registry.register(
            session=session,
            principal=clinician,
            kb=kb,
            vault=IdentityVault(b"k" * 32),
            data=PatientIn.model_validate(patient_payload()),
        )
    engine.dispose()


def test_a_backup_restores_every_table_exactly(
    fresh_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    _some_records(fresh_url, kb)
    engine = make_engine(fresh_url)
    before = backup.checksums(engine)
    assert before["registry_patients"][0] == 1 and before["audit_log"][0] >= 2
    saved = backup.backup(fresh_url, tmp_path / "drill.bak")
    assert saved.stat().st_mode & 0o777 == 0o600
    with engine.begin() as connection:  # a disaster: the records are gone
        connection.execute(text("DELETE FROM registry_identities"))
        connection.execute(text("DELETE FROM registry_patients"))
    assert backup.checksums(engine) != before
    engine.dispose()
    backup.restore(fresh_url, saved)
    engine = make_engine(fresh_url)
    assert backup.checksums(engine) == before
    engine.dispose()


def test_a_file_that_is_no_backup_is_refused(fresh_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(RareCareError):
        backup.restore(fresh_url, junk)


def test_the_backup_and_restore_commands(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rarecare.cli import app

    monkeypatch.setenv("RARECARE_DATABASE_URL", fresh_url)
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(tmp_path))
    made = CliRunner().invoke(app, ["db", "backup", "--out", str(tmp_path / "b.bak")])
    assert made.exit_code == 0, made.output
    restored = CliRunner().invoke(app, ["db", "restore", str(tmp_path / "b.bak"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output
