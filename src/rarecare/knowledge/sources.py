"""The external sources RareCare's knowledge base is derived from, with versions and the credit
each licence asks for (shown in the README, the API and every page's footer)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    version: str
    licence: str
    credit: str
    url: str


SOURCES: tuple[Source, ...] = (
    Source(
        key="hpo",
        name="Human Phenotype Ontology",
        version="2025-01-16",
        licence="HPO licence (free use with attribution and version)",
        credit="This service uses the Human Phenotype Ontology (HPO, version 2025-01-16), "
        "https://hpo.jax.org",
        url="https://hpo.jax.org",
    ),
    Source(
        key="orphanet",
        name="Orphanet nomenclature (ORPHApackets)",
        version="1.3.42 / 4.1.8 (2025-12-09)",
        licence="CC BY 4.0",
        credit="Orphanet, www.orpha.net (Orphadata, CC BY 4.0)",
        url="https://www.orpha.net",
    ),
    Source(
        key="orphanet-icd",
        name="Orphanet ORPHA → ICD-10 alignment (ORDO)",
        version="2025-03",
        licence="CC BY 4.0",
        credit="Orphadata: Free access data from Orphanet. © INSERM 1999. Available on "
        "https://www.orphadata.com. Data version: ORDO 2025-03. Licensed under CC BY 4.0.",
        url="https://www.orphadata.com",
    ),
    Source(
        key="mondo",
        name="Mondo Disease Ontology mappings (SSSOM)",
        version="2026-08-04",
        licence="CC0 1.0",
        credit="Mondo Disease Ontology, https://mondo.monarchinitiative.org",
        url="https://mondo.monarchinitiative.org",
    ),
    Source(
        key="icd10",
        name="WHO ICD-10",
        version="2019",
        licence="WHO",
        credit="International Classification of Diseases, 10th revision (WHO, 2019)",
        url="https://icd.who.int/browse10/2019/en",
    ),
)
