import json
from pathlib import Path

from rarecare.knowledge.build import parse_obo, parse_orphapacket

from .conftest import FIXTURES, PACKETS


def test_it_reads_terms_synonyms_definitions_and_obsolete_ids_from_obo() -> None:
    version, terms = parse_obo((FIXTURES / "hpo" / "hp.obo").read_text())
    by_id = {t["id"]: t for t in terms}
    assert version == "2099-01-01"
    seizure = by_id["HP:0001250"]
    assert seizure["syn"] == ["Epileptic seizure", "Fits"]  # obsolete synonyms dropped
    assert seizure["alt"] == ["HP:0009999"]
    assert seizure["def"].startswith("A seizure is")
    assert by_id["HP:0000999"]["obsolete"] is True
    assert by_id["HP:0000999"]["replaced_by"] == "HP:0001250"
    assert "part_of" not in by_id


def test_it_accepts_one_valued_fields_given_as_dicts() -> None:
    entity = parse_orphapacket({"Orphapacket": PACKETS[3]})
    assert entity["omim"] == [["100002", "narrower"]]
    assert entity["hpo"] == [["HP:0001250", "Obligate (100%)"]]
    alpha = parse_orphapacket({"Orphapacket": PACKETS[1]})
    assert alpha["syn"] == ["Alpha disease"]
    assert alpha["inheritance"] == ["Autosomal recessive"]
    assert alpha["omim"] == [["100001", "exact"]]


def test_a_disorder_without_genes_takes_its_subtypes_genes() -> None:
    alpha = parse_orphapacket({"Orphapacket": PACKETS[1]})
    assert [g["symbol"] for g in alpha["genes"]] == ["ALPHA1"]


def test_it_writes_a_manifest_with_counts_and_checksums(tiny_dir: Path) -> None:
    manifest = json.loads((tiny_dir / "manifest.json").read_text())
    assert manifest["counts"]["orpha_entities"] == 4
    assert manifest["counts"]["hpo_obsolete"] == 2
    assert set(manifest["sha256"]) == {
        "hpo.json.gz",
        "hpoa.tsv.gz",
        "orpha.json.gz",
        "icd10.tsv.gz",
        "mappings.tsv.gz",
        "textmined.tsv.gz",
    }
