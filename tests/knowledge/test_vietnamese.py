"""RareCare's Vietnamese HPO labels: found with or without diacritics, shown beside the HPO
label, every id a current term."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.loader import data_dir, load_vietnamese


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("co giật", "HP:0001250"),  # seizure
        ("co giat", "HP:0001250"),  # without diacritics
        ("yeu co", "HP:0001324"),  # muscle weakness
        ("bệnh cơ tim", "HP:0001638"),  # cardiomyopathy
        ("động kinh", "HP:0001250"),  # what families say
        ("hở hàm ếch", "HP:0000175"),  # a lay synonym: cleft palate
    ],
)
def test_a_clinician_finds_hpo_terms_in_vietnamese(
    kb: KnowledgeBase, query: str, term: str
) -> None:
    assert term in [hit.code for hit in kb.search_terms(query, limit=5)]


def test_a_term_shows_both_languages_in_vietnamese_only(kb: KnowledgeBase) -> None:
    assert kb.term_name("HP:0001250", "vi") == "Co giật (Seizure)"
    assert kb.term_name("HP:0001250", "en") == "Seizure"


def test_every_translated_id_is_a_current_hpo_term_and_a_draft_or_reviewed(
    kb: KnowledgeBase,
) -> None:
    translated = load_vietnamese(data_dir())
    assert len(translated) >= 300
    stale = [t for t in translated if (term := kb.term(t)) is None or term.obsolete]
    assert stale == []
    assert {v.status for v in translated.values()} <= {"draft", "reviewed"}
    assert all(v.label and v.label == v.label.strip() for v in translated.values())


def test_every_required_term_has_a_vietnamese_label() -> None:
    """Every term annotated to a disease of the national list and the 2,000 most annotated
    terms (scripts/build_hpo_vi.py --check)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "scripts/build_hpo_vi.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(0 missing)" in done.stdout
