import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarecare.cli import app
from tests.conftest import KNOWLEDGE_CACHE

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(KNOWLEDGE_CACHE.parent))
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'care.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load", "--patients", "0"]).exit_code == 0
    return tmp_path


def test_care_dose_for_alglucosidase_alfa_at_15_kg(env: Path) -> None:
    result = runner.invoke(
        app, ["care", "dose", "--drug", "alglucosidase alfa", "--weight-kg", "15", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["dose"], data["vials_per_administration"], data["strength"]) == (300, 6, 50)
    assert (data["administrations_per_year"], data["vials_per_year"]) == (26, 156)
    assert data["yearly_cost"] == 156 * data["price_per_vial"]


def test_care_dose_names_an_unknown_drug(env: Path) -> None:
    result = runner.invoke(app, ["care", "dose", "--drug", "aspirin"])
    assert result.exit_code == 1
    assert "not on the approved rare drug list" in result.output
