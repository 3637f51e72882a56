import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarecare.cli import app
from tests.conftest import KNOWLEDGE_CACHE
from tests.diagnosis.test_benchmark import write_cases

runner = CliRunner()


@pytest.fixture(autouse=True)
def knowledge_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RARECARE_VAR_DIR", str(KNOWLEDGE_CACHE.parent))


def test_diagnose_prints_a_ranking() -> None:
    result = runner.invoke(
        app,
        [
            "diagnose",
            "--observed",
            "HP:0001638,HP:0003198",
            "--excluded",
            "HP:0001250",
            "--sex",
            "female",
            "--top",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("%") >= 5
    assert "candidates" in result.output


def test_diagnose_json_has_explanations() -> None:
    result = runner.invoke(app, ["diagnose", "--observed", "HP:0001638", "--json", "--top", "2"])
    data = json.loads(result.output)
    assert len(data["results"]) == 2
    assert data["results"][0]["explanation"]["contributions"][0]["hpo_id"] == "HP:0001638"


def test_diagnose_names_bad_ids() -> None:
    result = runner.invoke(app, ["diagnose", "--observed", "HP:0001638,HP:7654321"])
    assert result.exit_code == 1
    assert "HP:7654321" in result.output


def test_diagnose_reads_a_phenopacket(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "cases")
    result = runner.invoke(
        app, ["diagnose", "--phenopacket", str(folder / "beta-1.json"), "--top", "3"]
    )
    assert result.exit_code == 0, result.output


def test_bench_diagnosis_reports_both_settings(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "cases")
    out = tmp_path / "bench.json"
    result = runner.invoke(
        app, ["bench", "diagnosis", str(folder), "--both", "--json-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report) == {"plain", "leakage-free"}
    assert report["plain"]["n_cases"] == 3
    for key in (
        "n_evaluable",
        "top1",
        "top3",
        "top10",
        "mrr",
        "mrr_evaluable",
        "macro_top1",
        "latency_ms_p50",
        "latency_ms_p95",
        "knowledge_version",
    ):
        assert key in report["plain"]


def test_bench_diagnosis_runs_short_queries_beside_the_reference(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "cases")
    out = tmp_path / "bench.json"
    result = runner.invoke(
        app,
        [
            "bench",
            "diagnosis",
            str(folder),
            "--reference",
            "--max-terms",
            "2",
            "--seed",
            "7",
            "--json-out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report) == {"plain", "plain / reference", "2 terms", "2 terms / reference"}
    assert "| 2 terms | difference |" in result.output
    assert "unseen top-1 / top-10" in result.output
