"""``rarecare plan`` and ``rarecare report`` on the demo workspace."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from rarecare.cli import app
from rarecare.knowledge import KnowledgeBase

runner = CliRunner()


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kb: KnowledgeBase) -> Path:
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'plan.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["demo", "load", "--patients", "0"])
    assert loaded.exit_code == 0, loaded.output
    return tmp_path


def test_the_demo_plan_has_its_key_tasks_and_the_list_activity_is_done(demo_env: Path) -> None:
    result = runner.invoke(app, ["plan", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["decision_number"] == "2885/QĐ-BYT"
    assert len(status["tasks"]) == 7
    listing = next(t for t in status["tasks"] if t["code"] == "2")
    assert listing["by_state"] == {"done": 1}  # linked to the approved demo disease list
    assert status["by_state"].get("overdue", 0) >= 1  # some activities are late


def test_export_then_import_changes_nothing(demo_env: Path) -> None:
    out = demo_env / "plan.xlsx"
    assert runner.invoke(app, ["plan", "export", "--out", str(out)]).exit_code == 0
    assert load_workbook(out)["plan"]["B3"].value == "2885/QĐ-BYT"
    result = runner.invoke(app, ["plan", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "(0 new, 0 changed)" in result.output


def test_a_bad_plan_file_exits_1_naming_the_rows(demo_env: Path) -> None:
    template = demo_env / "t.xlsx"
    runner.invoke(app, ["plan", "template", "--out", str(template)])
    book = load_workbook(template)
    book["activities"]["F2"] = "NOBODY"
    book.save(template)
    result = runner.invoke(app, ["plan", "import", str(template)])
    assert result.exit_code == 1
    assert "row 2" in result.output and "NOBODY" in result.output


def test_the_quarterly_report_is_written_as_pdf_and_xlsx(demo_env: Path) -> None:
    pdf = demo_env / "q.pdf"
    result = runner.invoke(app, ["report", "quarterly", "--period", "2025Q3", "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Hội thảo về quản lý bệnh hiếm tại Việt Nam" in text  # the 16 Sep 2025 seminar
    xlsx = demo_env / "q.xlsx"
    runner.invoke(
        app,
        [
            "report",
            "quarterly",
            "--period",
            "2026Q2",
            "--format",
            "xlsx",
            "--lang",
            "en",
            "--out",
            str(xlsx),
        ],
    )
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["Report", "Progress", "Changes", "Decisions", "Indicators", "Events"]
    decisions = list(book["Decisions"].iter_rows(values_only=True))
    assert any("Danh mục thuốc hiếm" in str(row[2]) for row in decisions[1:])
