from pathlib import Path

import pytest

from rarecare.knowledge import KnowledgeBase, load_knowledge
from rarecare.knowledge import base as kb_module


def test_it_links_omim_and_orpha_equivalents_both_ways(tiny: KnowledgeBase) -> None:
    alpha = tiny.disease("ORPHA:1001")
    omim = tiny.disease("OMIM:100001")
    assert alpha is not None and omim is not None
    assert [(x.code, x.relation) for x in alpha.equivalents] == [("OMIM:100001", "exact")]
    assert [(x.code, x.relation) for x in omim.equivalents] == [("ORPHA:1001", "exact")]
    beta = tiny.disease("OMIM:100002")
    assert beta is not None
    assert [(x.code, x.relation) for x in beta.equivalents] == [("ORPHA:1003", "broader")]


def test_it_derives_who_icd10_codes_with_relation_and_provenance(tiny: KnowledgeBase) -> None:
    alpha = tiny.disease("ORPHA:1001")
    assert alpha is not None
    assert [(x.code, x.relation) for x in alpha.icd10] == [("E74.0", "narrower")]
    assert "ICD-10-CM E74.02" in alpha.icd10[0].provenance
    subtype = tiny.disease("ORPHA:1002")
    assert subtype is not None
    assert [(x.code, x.relation) for x in subtype.icd10] == [("E74.0", "narrower")]
    assert "inherited from parent ORPHA:1001" in subtype.icd10[0].provenance
    beta = tiny.disease("ORPHA:1003")
    assert beta is not None
    assert [(x.code, x.relation) for x in beta.icd10] == [
        ("G40.9", "exact")
    ]  # Z99.9 is not WHO here
    assert [x.code for x in alpha.icd11] == ["123"]


def test_it_reads_annotations_with_frequency_sex_and_not(tiny: KnowledgeBase) -> None:
    alpha = tiny.disease("OMIM:100001")
    beta = tiny.disease("OMIM:100002")
    assert alpha is not None and beta is not None
    by_term = {a.hpo_id: a for a in alpha.annotations}
    assert by_term["HP:0001638"].frequency == pytest.approx(0.895)
    assert by_term["HP:0001324"].frequency == pytest.approx(0.5)
    assert by_term["HP:0001250"].negated is True
    assert {a.aspect for a in alpha.annotations} == {"P", "I", "C"}
    delay = next(a for a in beta.annotations if a.hpo_id == "HP:0001263")
    assert (delay.frequency, delay.sex, delay.references) == (0.75, "FEMALE", ("PMID:3", "PMID:4"))
    assert beta.name == "DISEASE BETA"


def test_orphapacket_phenotypes_fill_in_when_hpoa_lacks_the_disease(tiny: KnowledgeBase) -> None:
    beta_like = tiny.disease("ORPHA:1003")
    assert beta_like is not None
    assert [(a.hpo_id, a.frequency) for a in beta_like.phenotypes] == [("HP:0001250", 1.0)]


def test_it_resolves_alternate_and_obsolete_hpo_ids(tiny: KnowledgeBase) -> None:
    alternate = tiny.resolve_term("HP:0009999")
    obsolete = tiny.resolve_term("hp:0000999")
    assert alternate is not None and obsolete is not None
    assert alternate.term.id == obsolete.term.id == "HP:0001250"
    assert alternate.warning and obsolete.warning and "obsolete" in obsolete.warning
    assert tiny.resolve_term("HP:0000998") is None  # obsolete without replacement
    assert tiny.resolve_term("HP:1234567") is None


def test_it_knows_which_terms_are_phenotypic_features(tiny: KnowledgeBase) -> None:
    ontology = tiny.ontology
    assert ontology.is_phenotypic("HP:0002069")
    assert not ontology.is_phenotypic("HP:0000007")
    assert ontology.branch_of("HP:0000007") == "mode of inheritance"
    assert ontology.branch_of("HP:0003577") == "clinical course"
    assert ontology.ancestors("HP:0001639") >= {
        "HP:0001638",
        "HP:0001626",
        "HP:0000118",
        "HP:0000001",
    }
    assert ontology.descendants("HP:0001250") == {"HP:0001250", "HP:0002069"}


def test_it_gives_classification_paths_from_the_top(tiny: KnowledgeBase) -> None:
    paths = tiny.classification_paths("ORPHA:1002")
    assert [[d.code for d in p] for p in paths] == [["ORPHA:1000", "ORPHA:1001", "ORPHA:1002"]]


def test_it_caches_a_binary_index_and_reuses_it(tiny_dir: Path, tmp_path: Path) -> None:
    kb_module._loaded.clear()
    first = load_knowledge(tmp_path, base=tiny_dir)
    assert first.from_cache is False
    assert list(tmp_path.glob("knowledge-*.pickle"))
    kb_module._loaded.clear()
    second = load_knowledge(tmp_path, base=tiny_dir)
    assert second.from_cache is True
    assert second.disease("ORPHA:1001") is not None
    kb_module._loaded.clear()


def test_a_corrupt_cache_is_rebuilt(tiny_dir: Path, tmp_path: Path) -> None:
    kb_module._loaded.clear()
    load_knowledge(tmp_path, base=tiny_dir)
    for path in tmp_path.glob("knowledge-*.pickle"):
        path.write_bytes(b"garbage")
    kb_module._loaded.clear()
    again = load_knowledge(tmp_path, base=tiny_dir)
    assert again.from_cache is False
    kb_module._loaded.clear()
