import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarecare.cli import app
from tests.conftest import KNOWLEDGE_CACHE

runner = CliRunner()
GOOD = (
    "full_name,birth_date,national_id,sex,first_contact_date,diagnostic_status,orpha_code,"
    "contact_for_research,consent_reuse,province_code,hpo_observed\n"
    'Lê Văn Hùng,2018-02-03,001218000001,male,2020-05-01,confirmed,ORPHA:365,yes,yes,01,"HP:0001639"\n'
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(KNOWLEDGE_CACHE.parent))
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load", "--patients", "0"]).exit_code == 0
    return tmp_path


def test_import_then_export_every_format(env: Path) -> None:
    source = env / "patients.csv"
    source.write_text(GOOD)
    dry = runner.invoke(app, ["registry", "import", str(source), "--centre", "NCH", "--dry-run"])
    assert "dry run, nothing written: 1 rows checked" in dry.output
    done = runner.invoke(app, ["registry", "import", str(source), "--centre", "NCH"])
    assert "1 patients registered" in done.output, done.output
    csv_out = env / "out.csv"
    assert (
        runner.invoke(
            app, ["registry", "export", "--format", "csv", "--out", str(csv_out)]
        ).exit_code
        == 0
    )
    assert "Lê Văn Hùng" not in csv_out.read_text()
    fhir_out = env / "bundle.json"
    runner.invoke(app, ["registry", "export", "--format", "fhir", "--out", str(fhir_out)])
    assert json.loads(fhir_out.read_text())["resourceType"] == "Bundle"
    folder = env / "packets"
    result = runner.invoke(
        app, ["registry", "export", "--format", "phenopacket", "--out", str(folder)]
    )
    assert "wrote 1 phenopackets" in result.output
    assert len(list(folder.glob("RC-*.json"))) == 1


def test_a_bad_import_names_rows_and_writes_nothing(env: Path) -> None:
    source = env / "bad.csv"
    source.write_text(GOOD.replace("ORPHA:365", "ORPHA:0").replace("2020-05-01", "2099-01-01"))
    result = runner.invoke(app, ["registry", "import", str(source), "--centre", "NCH"])
    assert result.exit_code == 1
    assert "row 2, orpha_code" in result.output
    assert "row 2, first_contact_date" in result.output


def test_rotate_key_refuses_a_short_key(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RARECARE_NEW_DATA_KEY", "c2hvcnQ=")
    result = runner.invoke(app, ["registry", "rotate-key"])
    assert result.exit_code == 2
    assert "32 bytes" in result.output


def test_rotate_key_takes_the_new_key_from_a_file_never_from_the_command_line(
    env: Path,
) -> None:
    source = env / "patients.csv"
    source.write_text(GOOD)
    assert runner.invoke(app, ["registry", "import", str(source), "--centre", "NCH"]).exit_code == 0
    key_file = env / "new.key"
    key_file.write_text(base64.b64encode(b"N" * 32).decode() + "\n")
    result = runner.invoke(app, ["registry", "rotate-key", "--new-key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    assert (
        "1 identities re-encrypted" in result.output and "pseudonyms are unchanged" in result.output
    )
    assert "--new-key " not in runner.invoke(app, ["registry", "rotate-key", "--help"]).output
