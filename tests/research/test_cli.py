"""``rarecare research``: the register and the committee from the command line, on the demo."""

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
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'research.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load", "--patients", "0"]).exit_code == 0
    return tmp_path


def test_the_register_lists_the_demo_request(env: Path) -> None:
    result = runner.invoke(app, ["research", "requests", "--status", "submitted"])
    assert result.exit_code == 0, result.output
    assert "\tsubmitted\tresearcher\t-\t" in result.output
    assert runner.invoke(app, ["research", "requests", "--status", "approved"]).output == ""


def test_an_operator_names_committee_members_and_applicants_are_refused(env: Path) -> None:
    added = runner.invoke(app, ["research", "committee-add", "analyst", "HID"])
    assert added.exit_code == 0, added.output
    listing = runner.invoke(app, ["research", "committee"]).output
    assert "\tanalyst\tHID\t" in listing and "\tcommittee\tMSA\t" in listing
    refused = runner.invoke(app, ["research", "committee-add", "researcher", "HID"])
    assert refused.exit_code == 1
    assert "an applicant cannot review requests" in refused.output
