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


def test_it_folds_orphanets_own_icd10_alignment(tmp_path: Path) -> None:
    import gzip

    from rarecare.knowledge.build import orphanet_icd

    from .conftest import WHO

    (tmp_path / "orphanet").mkdir()
    rows = [
        "orpha_code\ticd_code\ticd_version\trelation\tvalidation_status\ticd_relation"
        "\tentity_level\tstatus\torpha_name\tsource",
        "1001\tE74.0\tICD-10\tNTBT\tNA\tNA\tDisorder\tactive\tAlpha\tORDO",
        "1001\t5C51.3\tICD-11\tNTBT\tNA\tNA\tDisorder\tactive\tAlpha\tORDO",  # MMS: left out
        "1003\tG40.9\tICD-10\tE\tNA\tNA\tDisorder\tactive\tBeta\tORDO",
        "1004\tG40\tICD-10\tBTNT\tNA\tNA\tGroup\tactive\tGamma\tORDO",
        "1005\tQ99.9\tICD-10\tE\tNA\tNA\tDisorder\tactive\tNot in WHO\tORDO",
        "1006\tG40.9\tICD-10\tE\tNA\tNA\tDisorder\tinactive\tObsolete\tORDO",
    ]
    (tmp_path / "orphanet" / "orpha-icd-2025-03.tsv.gz").write_bytes(
        gzip.compress(("\n".join(rows) + "\n").encode())
    )
    links = orphanet_icd(tmp_path, WHO)
    assert [(o, code, relation) for o, _system, code, relation, _p in links] == [
        ("1001", "E74.0", "narrower"),
        ("1003", "G40.9", "exact"),
        ("1004", "G40", "broader"),
    ]
    assert links[0][4] == "Orphanet ORDO 2025-03 (NTBT)"


def test_listed_diseases_that_lacked_icd10_now_have_it() -> None:
    from rarecare.knowledge import load_knowledge
    from tests.conftest import KNOWLEDGE_CACHE

    kb = load_knowledge(KNOWLEDGE_CACHE)
    for code, icd in (("ORPHA:579", "E76.0"), ("ORPHA:581", "E76.2"), ("ORPHA:324", "E75.2")):
        disease = kb.disease(code)
        assert disease is not None and icd in [x.code for x in disease.icd10], code
