"""The README is part of the product: these tests keep it true."""

import re
from pathlib import Path

from rarecare.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_readme_documents_every_setting() -> None:
    for name in Settings.model_fields:
        assert f"RARECARE_{name.upper()}" in README, f"RARECARE_{name.upper()} is undocumented"


def test_the_readme_starts_with_the_two_commands() -> None:
    head = README[:2500]
    assert "make run" in head
    assert "make test" in head


def test_the_readme_credits_every_source() -> None:
    for needle in ("Human Phenotype Ontology", "Orphanet", "Mondo", "CC BY 4.0", "2025-01-16"):
        assert needle in README


def test_the_ci_script_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci/run").read_text()
    assert re.search(r"^make test", ci, re.M)


def test_every_command_the_readme_shows_exists() -> None:
    from typer.testing import CliRunner

    from rarecare.cli import app

    commands = set()
    for line in README.splitlines():
        match = re.match(r"^rarecare ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)", line.strip())
        if match:
            commands.add(match.group(1))
    assert len(commands) >= 10
    for command in sorted(commands):
        result = CliRunner().invoke(app, [*command.split(), "--help"])
        assert result.exit_code == 0, f"README shows `rarecare {command}`, which does not exist"
