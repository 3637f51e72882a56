"""The catalogue's vocabulary on disease pages."""

from __future__ import annotations

from rarecare.knowledge import KnowledgeBase


def test_orphanets_vocabulary_on_disease_pages_is_all_marked_for_translation(
    kb: KnowledgeBase,
) -> None:
    from rarecare.catalogue.vocabulary import VOCABULARY

    used: set[str] = set()
    for disease in kb.diseases.values():
        used.update(disease.inheritance, disease.onset, (p.kind for p in disease.prevalence))
    assert used <= VOCABULARY, sorted(used - VOCABULARY)
