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


def test_care_demand_lists_stock_and_writes_a_procurement_file(env: Path) -> None:
    result = runner.invoke(app, ["care", "demand", "--months", "12", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["months"]) == 12
    stock = {(r["drug"], r["on_hand"]) for r in data["rows"]}
    assert ("alglucosidase alfa", 240) in stock  # the demo stock at the National Children's
    out = env / "demand.xlsx"
    assert runner.invoke(app, ["care", "demand", "--output", str(out)]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_care_travel_needs_a_drug_for_a_what_if(env: Path) -> None:
    result = runner.invoke(app, ["care", "travel", "--what-if", "DNWC"])
    assert result.exit_code != 0 and "--drug" in result.output
    ok = runner.invoke(
        app, ["care", "travel", "--drug", "alglucosidase alfa", "--what-if", "DNWC", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["road_factor"] == 1.3


def test_finance_budget_impact_names_a_missing_weight_then_projects(env: Path) -> None:
    args = ["finance", "budget-impact", "--drug", "alglucosidase alfa", "--coverage", "100"]
    missing = runner.invoke(app, [*args, "--years", "5"])
    assert missing.exit_code != 0 and "weight_kg" in missing.output
    result = runner.invoke(app, [*args, "--years", "3", "--weight-kg", "15", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["years"]) == 3 and data["derived"]["vials_per_year"] == 156
