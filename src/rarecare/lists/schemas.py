"""API shapes of the lists package."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rarecare.lists.models import ListKind, VersionStatus


class VersionIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    issuing_body: str = Field(default="Bộ Y tế (Ministry of Health)", max_length=200)
    decision_number: str = Field(default="", max_length=64, examples=["2885/QĐ-BYT"])
    decision_date: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    note: str = ""
    is_demo: bool = False
    version: int | None = Field(
        default=None,
        description="When changing a draft: the version it was read at (a draft changed since "
        "answers 409 with what changed)",
    )


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ListKind
    title: str
    issuing_body: str
    decision_number: str
    decision_date: date | None
    effective_from: date | None
    effective_to: date | None
    status: VersionStatus
    is_demo: bool
    version: int
    note: str
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    entry_count: int = 0


class DiseaseEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    orpha_code: str
    name_vi: str
    name_en: str
    icd10_codes: list[str]
    disease_group: str
    full_coverage: bool
    newborn_screening: bool
    note: str


class DrugEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    inn: str
    brand_names: list[str]
    atc_code: str
    form: str
    strength: float
    strength_unit: str
    route: str
    indications: list[str]
    dose_basis: str
    dose: float
    dose_unit: str
    interval_days: int
    loading_days: list[int]
    vial_sharing: bool
    price_vnd: float | None
    price_effective_from: date | None
    price_effective_to: date | None
    reimbursement: str
    coverage_rate: float
    note: str


class ImportMode(StrEnum):
    REPLACE = "replace"  # the draft becomes the file (entries not in it are removed)
    MERGE = "merge"  # the file's rows are added or update the draft's; the others stay


class ImportReport(BaseModel):
    version_id: int
    dry_run: bool
    mode: ImportMode = ImportMode.REPLACE
    rows: int
    added: int
    removed: int
    changed: int
    written: bool
    removed_labels: list[str] = []  # what a replacement removes (the first 50)


class FieldChange(BaseModel):
    field: str
    old: Any
    new: Any


class ChangedEntry(BaseModel):
    key: str
    label: str
    changes: list[FieldChange]


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ChangedEntry]
