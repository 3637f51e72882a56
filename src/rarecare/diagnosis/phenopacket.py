"""Reading GA4GH Phenopacket v2 JSON (validated by the ``phenopackets`` protobuf schema) into
diagnosis cases: observed and excluded HPO terms, sex, age at onset, diagnosed diseases and the
PubMed ids the case was published in."""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import json_format
from phenopackets import Phenopacket

from rarecare.diagnosis.query import ONSET_CLASS_YEARS, Query
from rarecare.errors import FieldError, ValidationFailed

_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
)
_SEX = {1: "female", 2: "male", 3: "other"}


@dataclass(frozen=True)
class Case:
    id: str
    query: Query
    diseases: tuple[str, ...]
    pmids: tuple[str, ...]


def iso_years(duration: str) -> float | None:
    match = _DURATION.match(duration.strip())
    if not match or not any(match.groups()):
        return None
    y, m, w, d = (float(g) if g else 0.0 for g in match.groups())
    return y + m / 12 + w / 52.18 + d / 365.25


def _onset_years(element: object) -> float | None:
    age = getattr(element, "age", None)
    if age is not None and age.iso8601duration:
        return iso_years(age.iso8601duration)
    klass = getattr(element, "ontology_class", None)
    if klass is not None and klass.id:
        return ONSET_CLASS_YEARS.get(klass.id)
    gestational = getattr(element, "gestational_age", None)
    if gestational is not None and gestational.weeks:
        return -0.5
    return None


def parse(text: str, source: str = "phenopacket") -> Case:
    try:
        packet = json_format.Parse(text, Phenopacket())
    except json_format.ParseError as exc:
        raise ValidationFailed(
            f"{source} is not a valid GA4GH Phenopacket v2.", [FieldError("phenopacket", str(exc))]
        ) from exc
    observed = tuple(f.type.id for f in packet.phenotypic_features if not f.excluded)
    excluded = tuple(f.type.id for f in packet.phenotypic_features if f.excluded)
    onset: float | None = None
    for disease in packet.diseases:
        if disease.HasField("onset"):
            onset = _onset_years(disease.onset)
    if onset is None:
        ages = [
            _onset_years(f.onset)
            for f in packet.phenotypic_features
            if f.HasField("onset") and not f.excluded
        ]
        known = [a for a in ages if a is not None]
        onset = min(known) if known else None
    diseases = tuple(d.term.id for d in packet.diseases if not d.excluded)
    if not diseases:
        diseases = tuple(
            i.diagnosis.disease.id for i in packet.interpretations if i.diagnosis.disease.id
        )
    pmids = tuple(
        r.id for r in packet.meta_data.external_references if r.id.upper().startswith("PMID:")
    )
    return Case(
        id=packet.id or source,
        query=Query(
            observed=observed,
            excluded=excluded,
            sex=_SEX.get(int(packet.subject.sex)),
            onset_years=onset,
        ),
        diseases=diseases,
        pmids=pmids,
    )


def read_cases(path: Path, limit: int | None = None) -> Iterator[Case]:
    """Cases from a directory (searched recursively) or a .tar.gz of Phenopacket JSON files, in
    a stable (sorted) order."""
    count = 0
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            yield parse(file.read_text(encoding="utf-8"), str(file))
            count += 1
            if limit is not None and count >= limit:
                return
        return
    with tarfile.open(path) as tar:
        members = sorted(
            (m for m in tar.getmembers() if m.isfile() and m.name.endswith(".json")),
            key=lambda m: m.name,
        )
        for member in members:
            fh = tar.extractfile(member)
            if fh is None:
                continue
            yield parse(fh.read().decode("utf-8"), member.name)
            count += 1
            if limit is not None and count >= limit:
                return
