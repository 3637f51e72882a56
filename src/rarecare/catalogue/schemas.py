"""API shapes of the catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class XrefOut(BaseModel):
    code: str
    relation: str
    provenance: str
    title: str | None = None


class GeneOut(BaseModel):
    symbol: str
    name: str
    hgnc: str


class DiseaseHitOut(BaseModel):
    code: str
    name: str
    name_vi: str | None = None
    source: str
    disorder_type: str
    matched: str
    match_kind: str
    score: int
    equivalents: list[XrefOut]
    icd10: list[XrefOut]
    genes: list[str]


class FeatureOut(BaseModel):
    hpo_id: str
    name: str
    frequency: float | None
    frequency_label: str
    negated: bool


class NamedFeatureOut(BaseModel):
    hpo_id: str
    name: str
    source: str  # name | definition
    variable: bool  # "with or without ..."


class ListStatusOut(BaseModel):
    version_id: int
    version_title: str
    decision_number: str
    name_vi: str
    full_coverage: bool
    newborn_screening: bool
    is_demo: bool


class DiseaseDetailOut(BaseModel):
    code: str
    name: str
    source: str
    disorder_type: str
    synonyms: list[str]
    definition: str
    classification: list[list[dict[str, str]]]
    prevalence: list[dict[str, str]]
    onset: list[str]
    inheritance: list[str]
    features: list[FeatureOut]
    # features the disease's name (or Orphanet definition) names, for diseases that have few or
    # no curated annotations; used by the diagnosis engine as weak annotations
    named_features: list[NamedFeatureOut] = []
    provisional: bool = False  # an OMIM entry known only by its Mondo label
    genes: list[GeneOut]
    equivalents: list[XrefOut]
    icd10: list[XrefOut]
    icd11: list[XrefOut]
    national_list: ListStatusOut | None
    drugs: list[dict[str, Any]]
    guidelines: list[dict[str, Any]]
    credit: str


class TermHitOut(BaseModel):
    id: str
    name: str
    matched: str
    match_kind: str
    definition: str
    replaced: bool = False


class OfficialImportOut(BaseModel):
    source_version: str
    rows: int
    orpha_codes: int
