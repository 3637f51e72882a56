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
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'lists.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_import_dry_run_approve_and_diff(env: Path) -> None:
    good = env / "good.csv"
    good.write_text("orpha_code,name_vi\nORPHA:365,Bệnh Pompe\n")
    dry = runner.invoke(
        app, ["lists", "import", "diseases", str(good), "--title", "Thử nghiệm", "--dry-run"]
    )
    assert "dry run, nothing written: 1 rows" in dry.output
    assert "#" not in runner.invoke(app, ["lists", "versions", "diseases"]).output
    done = runner.invoke(
        app,
        [
            "lists",
            "import",
            "diseases",
            str(good),
            "--title",
            "Bản 1",
            "--decision",
            "1/QĐ-BYT",
            "--effective-from",
            "2026-01-01",
        ],
    )
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["lists", "approve", "1"]).exit_code == 0
    bigger = env / "bigger.csv"
    bigger.write_text("orpha_code,name_vi\nORPHA:365,Bệnh Pompe\nORPHA:355,Bệnh Gaucher\n")
    runner.invoke(app, ["lists", "import", "diseases", str(bigger), "--title", "Bản 2"])
    diff = runner.invoke(app, ["lists", "diff", "1", "2"])
    assert "+ ORPHA:355 Gaucher disease" in diff.output


def test_a_bad_file_prints_every_problem_and_exits_1(env: Path) -> None:
    bad = env / "bad.csv"
    bad.write_text("orpha_code,name_vi\nORPHA:99999999,x\nORPHA:365,\nORPHA:365,y\n")
    result = runner.invoke(app, ["lists", "import", "diseases", str(bad), "--title", "Sai"])
    assert result.exit_code == 1
    for needle in ("row 2, orpha_code", "row 3, name_vi"):
        assert needle in result.output
    assert (
        "#" not in runner.invoke(app, ["lists", "versions", "diseases"]).output
    )  # nothing half-written
