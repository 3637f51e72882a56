import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarecare.cli import app
from tests.conftest import KNOWLEDGE_CACHE

runner = CliRunner()


@pytest.fixture(autouse=True)
def knowledge_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # knowledge commands need no secrets; the shared cache keeps them fast
    monkeypatch.delenv("RARECARE_DEMO", raising=False)
    monkeypatch.setenv("RARECARE_VAR_DIR", str(KNOWLEDGE_CACHE.parent))


def test_stats_json_reports_counts_and_versions() -> None:
    result = runner.invoke(app, ["catalogue", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["orpha_entities"] >= 9900
    assert stats["omim_diseases"] >= 8300
    assert stats["hpo_terms"] >= 19000
    assert stats["sources"]["hpo"]["version"] == "2025-01-16"


def test_search_pompe_json_puts_orpha_365_first_with_omim_and_icd10() -> None:
    result = runner.invoke(app, ["catalogue", "search", "pompe", "--json"])
    first = json.loads(result.output)[0]
    assert first["code"] == "ORPHA:365"
    assert {"code": "OMIM:232300", "relation": "exact"}.items() <= first["equivalents"][0].items()
    assert first["icd10"][0]["code"] == "E74.0"


def test_show_prints_the_disease() -> None:
    result = runner.invoke(app, ["catalogue", "show", "ORPHA:365"])
    assert result.exit_code == 0
    assert "OMIM:232300 (exact)" in result.output
    assert runner.invoke(app, ["catalogue", "show", "ORPHA:0"]).exit_code == 1


def test_hpo_search_lists_terms() -> None:
    result = runner.invoke(app, ["hpo", "search", "seizure", "--json"])
    assert json.loads(result.output)[0]["id"] == "HP:0001250"
