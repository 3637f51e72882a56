"""Search over the real, packaged catalogue."""

import pytest

from rarecare.knowledge import KnowledgeBase, fold


@pytest.mark.parametrize(
    "query",
    [
        "pompe",
        "Pompe disease",
        "ORPHA:365",
        "orphanet_365",
        "E74.0",
        "GAA",
        "glycogen storage disease due to acid maltase",
        "POMPE-DISEASE",
    ],
)
def test_every_search_form_finds_pompe_disease(kb: KnowledgeBase, query: str) -> None:
    codes = [hit.code for hit in kb.search_diseases(query, limit=20)]
    assert "ORPHA:365" in codes


def test_pompe_ranks_orpha_365_first(kb: KnowledgeBase) -> None:
    hits = kb.search_diseases("pompe")
    assert hits[0].code == "ORPHA:365"
    assert kb.search_diseases("Pompe disease")[0].code == "ORPHA:365"
    assert kb.search_diseases("GAA")[0].code == "ORPHA:365"


def test_an_omim_code_finds_the_omim_entry(kb: KnowledgeBase) -> None:
    hit = kb.search_diseases("OMIM:232300")[0]
    assert (hit.code, hit.match_kind) == ("OMIM:232300", "code")


def test_exact_code_beats_exact_name_beats_prefix_beats_words(kb: KnowledgeBase) -> None:
    code = kb.search_diseases("ORPHA:558")[0]
    exact = kb.search_diseases("Marfan syndrome")[0]
    prefix = next(h for h in kb.search_diseases("Marfan synd") if h.match_kind == "label")
    words = next(h for h in kb.search_diseases("syndrome Marfan"))
    assert code.score > exact.score > prefix.score > words.score


def test_the_pompe_entry_carries_its_omim_twin_and_icd10_code(kb: KnowledgeBase) -> None:
    pompe = kb.disease("ORPHA:365")
    assert pompe is not None
    assert ("OMIM:232300", "exact") in [(x.code, x.relation) for x in pompe.equivalents]
    assert "E74.0" in [x.code for x in pompe.icd10]
    assert kb.icd10_title("E74.0") == "Glycogen storage disease"


def test_matching_ignores_case_accents_and_punctuation() -> None:
    assert fold("Bệnh Pompe – Thiếu hụt ĐƯỜNG") == "benh pompe thieu hut duong"
    assert fold("Niemann-Pick") == "niemann pick"


def test_hpo_search_finds_terms_by_label_synonym_and_id(kb: KnowledgeBase) -> None:
    assert kb.search_terms("seizure")[0].code == "HP:0001250"
    assert kb.search_terms("HP:0001250")[0].code == "HP:0001250"
    assert "HP:0001638" in [h.code for h in kb.search_terms("cardiomyo")]


def test_hpo_search_resolves_an_obsolete_id_to_its_replacement(kb: KnowledgeBase) -> None:
    obsolete = next(t for t in kb.ontology.terms.values() if t.obsolete and t.replaced_by)
    hit = kb.search_terms(obsolete.id)[0]
    assert (hit.code, hit.match_kind) == (obsolete.replaced_by, "replaced")


def test_the_catalogue_is_complete(kb: KnowledgeBase) -> None:
    stats = kb.stats()
    assert stats["orpha_entities"] >= 9900
    assert stats["omim_diseases"] >= 8300
    assert stats["hpo_terms"] >= 19000
    assert stats["sources"]["hpo"]["version"] == "2025-01-16"
