"""A plain, pseudonymised snapshot of a registry record, as the exchange formats see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, order=True)
class Feature:
    hpo_id: str
    label: str
    excluded: bool = False


@dataclass(frozen=True)
class ConsentSnapshot:
    purpose: str  # care | research | recontact | international | biobank
    given_on: date
    form_version: str = ""
    withdrawn_on: date | None = None


@dataclass(frozen=True)
class RecordSnapshot:
    pseudonym: str
    sex: str  # female | male | undetermined | unknown
    birth_month: date
    vital_status: str = "alive"
    death_date: date | None = None
    orpha_code: str | None = None
    disease_label: str = ""
    diagnostic_status: str = "suspected"
    icd10_code: str = ""
    omim_code: str = ""
    features: tuple[Feature, ...] = field(default_factory=tuple)
    consents: tuple[ConsentSnapshot, ...] = field(default_factory=tuple)
