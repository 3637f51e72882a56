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
