"""A tiny, hand-made knowledge base built by the real builder from fixture files.

HPO (fixtures/hpo/hp.obo): All > Phenotypic abnormality > {nervous system > {Seizure >
Bilateral tonic-clonic seizure, Global developmental delay}, cardiovascular > Cardiomyopathy >
Hypertrophic cardiomyopathy, musculature > Muscle weakness}; plus inheritance, frequency and
onset branches, an alternate id and two obsolete terms.

Diseases: OMIM:100001 Alpha (cardiomyopathy very frequent, muscle weakness 1/2, NOT seizure),
OMIM:100002 Beta (seizure frequent, developmental delay 75% in females), ORPHA:1001 Alpha
syndrome (exact twin of OMIM:100001; its subtype ORPHA:1002, without annotations but defined as
"characterized by hypertrophic cardiomyopathy without seizures"; its group ORPHA:1000),
ORPHA:1003, and OMIM:100003, known only from Mondo's label "cardiomyopathy with or without muscle
weakness, gamma type".
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from rarecare.knowledge import KnowledgeBase, build
from rarecare.knowledge.build import build_all

FIXTURES = Path(__file__).parent / "fixtures"

PACKETS: list[dict[str, Any]] = [
    {
        "ORPHAcode": "1000",
        "Label": "Group of alpha disorders",
        "DisorderType": {"value": "Category"},
        "Children": [{"Child": {"ORPHAcode": "1001", "Label": "Alpha syndrome"}}],
        "version": "9.9 [2099]",
        "creationDate": "2099-01-02 10:00:00",
    },
    {
        "ORPHAcode": "1001",
        "Label": "Alpha syndrome",
        "DisorderType": {"value": "Disease"},
        # one-valued fields may be dicts instead of lists
        "Synonyms": {"Synonym": "Alpha disease"},
        "TextSection": {"TextSectionType": "Definition", "Contents": "A made-up disease."},
        "Parents": [{"Parent": [{"ORPHAcode": "1000", "Label": "Group of alpha disorders"}]}],
        "Children": [
            {
                "Child": {
                    "ORPHAcode": "1002",
                    "Label": "Alpha syndrome, infantile",
                    "Genes": [
                        {
                            "Gene": {
                                "Symbol": "ALPHA1",
                                "Label": "alpha gene one",
                                "ExternalReferences": [{"Source": "HGNC", "Reference": "1"}],
                            }
                        }
                    ],
                }
            }
        ],
        "ExternalReferences": [
            {
                "ExternalReference": {
                    "Source": "OMIM",
                    "Reference": "100001",
                    "DisorderMappingRelation": "E (Exact mapping)",
                }
            }
        ],
        "AverageAgeOfOnsets": {"AverageAgeOfOnset": [{"value": "Infancy"}]},
        "TypeOfInheritances": {"TypeOfInheritance": {"value": "Autosomal recessive"}},
        "Prevalences": [
            {
                "Prevalence": {
                    "PrevalenceType": "Point prevalence",
                    "PrevalenceClass": "<1 / 1 000 000",
                    "PrevalenceGeographic": "Worldwide",
                    "Source": "ORPHANET",
                }
            }
        ],
        "Phenotypes": [
            {
                "Phenotype": {
                    "HPOId": "HP:0001638",
                    "HPOTerm": "Cardiomyopathy",
                    "HPOFrequency": "Very frequent (99-80%)",
                }
            }
        ],
        "version": "9.9 [2099]",
        "creationDate": "2099-01-02 10:00:00",
    },
    {
        "ORPHAcode": "1002",
        "Label": "Alpha syndrome, infantile",
        "DisorderType": {"value": "Clinical subtype"},
        "TextSection": {
            "TextSectionType": "Definition",
            "Contents": "A subtype characterized by hypertrophic cardiomyopathy without seizures.",
        },
        "Parents": [{"Parent": [{"ORPHAcode": "1001", "Label": "Alpha syndrome"}]}],
        "Genes": [
            {
                "Gene": {
                    "Symbol": "ALPHA1",
                    "Name": "alpha gene one",
                    "ExternalReferences": [{"Source": "HGNC", "Reference": "1"}],
                }
            }
        ],
        "version": "9.9 [2099]",
        "creationDate": "2099-01-02 10:00:00",
    },
    {
        "ORPHAcode": "1003",
        "Label": "Beta-like epilepsy",
        "DisorderType": {"value": "Disease"},
        "AverageAgeOfOnsets": {"AverageAgeOfOnset": [{"value": "Adult"}]},
        "ExternalReferences": {
            "Source": "OMIM",
            "Reference": "100002",
            "DisorderMappingRelation": "NTBT (narrower)",
        },
        "Phenotypes": {
            "Phenotype": {
                "HPOId": "HP:0001250",
                "HPOTerm": "Seizure",
                "HPOFrequency": "Obligate (100%)",
            }
        },
        "version": "9.9 [2099]",
        "creationDate": "2099-01-02 10:00:00",
    },
]

SSSOM_HEADER = (
    "#curie_map:\n"
    "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n"
)
SSSOM = {
    "mondo_exactmatch_orphanet.sssom.tsv.gz": [
        "MONDO:1\talpha\tskos:exactMatch\tOrphanet:1001\tAlpha\tx",
        "MONDO:2\tbeta\tskos:exactMatch\tOrphanet:1003\tBeta\tx",
    ],
    "mondo_exactmatch_omim.sssom.tsv.gz": [
        "MONDO:1\talpha\tskos:exactMatch\tOMIM:100001\tAlpha\tx",
        # known to Mondo only (no HPO annotation yet): named after its features
        "MONDO:3\tcardiomyopathy with or without muscle weakness, gamma type"
        "\tskos:exactMatch\tOMIM:100003\tGamma\tx",
        "MONDO:4\tobsolete gamma-like disease\tskos:exactMatch\tOMIM:100004\tGamma-like\tx",
    ],
    "mondo_exactmatch_icd10cm.sssom.tsv.gz": [
        "MONDO:1\talpha\tskos:exactMatch\tICD10CM:E74.02\tGSD II\tx"
    ],
    "mondo_hasdbxref_icd10cm.sssom.tsv.gz": [],
    "mondo_exactmatch_icd10who.sssom.tsv.gz": [
        "MONDO:2\tbeta\tskos:exactMatch\tICD10WHO:G40.9\tEpilepsy\tx"
    ],
    "mondo_hasdbxref_icd10who.sssom.tsv.gz": [
        "MONDO:2\tbeta\toboInOwl:hasDbXref\tICD10WHO:Z99.9\tnot WHO\tx"
    ],
    "mondo_exactmatch_icd11.foundation.sssom.tsv.gz": [
        "MONDO:1\talpha\tskos:exactMatch\ticd11.foundation:123\tA\tx"
    ],
    "mondo_hasdbxref_icd11.foundation.sssom.tsv.gz": [],
}
WHO = {
    "E74": "Disorders of carbohydrate metabolism",
    "E74.0": "Glycogen storage disease",
    "G40": "Epilepsy",
    "G40.9": "Epilepsy, unspecified",
}


def write_shared(root: Path) -> Path:
    (root / "orphanet").mkdir(parents=True)
    (root / "mondo").mkdir()
    with tarfile.open(root / "orphanet" / "orphapacket-test.tar.gz", "w:gz") as tar:
        for packet in PACKETS:
            data = json.dumps({"Orphapacket": packet}).encode()
            info = tarfile.TarInfo(f"json/ORPHApacket_{packet['ORPHAcode']}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    for name, rows in SSSOM.items():
        (root / "mondo" / name).write_bytes(
            gzip.compress((SSSOM_HEADER + "".join(r + "\n" for r in rows)).encode())
        )
    return root


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny-knowledge")
    shared = write_shared(root / "shared")
    out = root / "data"
    build_all(shared, FIXTURES / "hpo", out, WHO)
    return out


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> KnowledgeBase:
    return build(tiny_dir)
