"""GA4GH Phenopacket v2: the one reader and writer. Registry records are exported and imported
(pseudonymised); published cases are read as case reports (observed and excluded HPO terms, sex,
age at onset, diseases, PubMed ids) for the diagnosis benchmark and the ``diagnose`` command."""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from phenopackets import (
    Diagnosis,
    Disease,
    ExternalReference,
    Individual,
    Interpretation,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Resource,
    Sex,
    VitalStatus,
)

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.interop.records import ConsentSnapshot, Feature, RecordSnapshot
from rarecare.knowledge.hpo import ONSET_CLASS_YEARS

_SEX = {
    "female": Sex.FEMALE,
    "male": Sex.MALE,
    "undetermined": Sex.OTHER_SEX,
    "unknown": Sex.UNKNOWN_SEX,
}
_PROGRESS = {
    "confirmed": Interpretation.SOLVED,
    "probable": Interpretation.IN_PROGRESS,
    "suspected": Interpretation.IN_PROGRESS,
    "undiagnosed": Interpretation.UNSOLVED,
}
_SEX_BACK = {
    Sex.FEMALE: "female",
    Sex.MALE: "male",
    Sex.OTHER_SEX: "undetermined",
    Sex.UNKNOWN_SEX: "unknown",
}
RESOURCES = (
    Resource(
        id="hp",
        name="human phenotype ontology",
        url="http://purl.obolibrary.org/obo/hp.owl",
        version="2025-01-16",
        namespace_prefix="HP",
        iri_prefix="http://purl.obolibrary.org/obo/HP_",
    ),
    Resource(
        id="ordo",
        name="Orphanet Rare Disease Ontology",
        url="http://www.orpha.net/ORDO",
        version="1.3.42 / 4.1.8",
        namespace_prefix="ORPHA",
        iri_prefix="http://www.orpha.net/ORDO/Orphanet_",
    ),
)


def _timestamp(value: date) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime(value.year, value.month, value.day, tzinfo=UTC))
    return stamp


def to_phenopacket(record: RecordSnapshot, created_by: str = "RareCare") -> Phenopacket:
    subject = Individual(
        id=record.pseudonym,
        sex=_SEX.get(record.sex, Sex.UNKNOWN_SEX),
        date_of_birth=_timestamp(record.birth_month),
    )
    if record.vital_status == "dead":
        subject.vital_status.CopyFrom(VitalStatus(status=VitalStatus.DECEASED))
        if record.death_date is not None:
            subject.vital_status.time_of_death.timestamp.CopyFrom(_timestamp(record.death_date))
    elif record.vital_status == "alive":
        subject.vital_status.CopyFrom(VitalStatus(status=VitalStatus.ALIVE))
    packet = Phenopacket(id=f"rarecare-{record.pseudonym}", subject=subject)
    for feature in record.features:
        packet.phenotypic_features.append(
            PhenotypicFeature(
                type=OntologyClass(id=feature.hpo_id, label=feature.label),
                excluded=feature.excluded,
            )
        )
    if record.orpha_code:
        term = OntologyClass(id=record.orpha_code, label=record.disease_label)
        packet.diseases.append(Disease(term=term))
        packet.interpretations.append(
            Interpretation(
                id=f"{record.pseudonym}-diagnosis",
                progress_status=_PROGRESS[record.diagnostic_status],
                diagnosis=Diagnosis(disease=term),
                summary=f"diagnostic status: {record.diagnostic_status}",
            )
        )
    packet.meta_data.CopyFrom(
        MetaData(
            created=_timestamp(date.today()),
            created_by=created_by,
            resources=list(RESOURCES),
            phenopacket_schema_version="2.0",
            external_references=[_consent_reference(c) for c in record.consents],
        )
    )
    return packet


# Phenopacket v2 has no consent element: each consent travels as an external reference of the
# metadata, "consent:<purpose>" with "given YYYY-MM-DD; form V; withdrawn YYYY-MM-DD".
CONSENT_REFERENCE = "https://rarecare.example/consent-purpose/"


def _consent_reference(consent: ConsentSnapshot) -> ExternalReference:
    parts = [f"given {consent.given_on.isoformat()}"]
    if consent.form_version:
        parts.append(f"form {consent.form_version}")
    if consent.withdrawn_on:
        parts.append(f"withdrawn {consent.withdrawn_on.isoformat()}")
    return ExternalReference(
        id=f"consent:{consent.purpose}",
        reference=CONSENT_REFERENCE + consent.purpose,
        description="; ".join(parts),
    )


def _consents(packet: Phenopacket) -> tuple[ConsentSnapshot, ...]:
    found = []
    for ref in packet.meta_data.external_references:
        if not ref.id.startswith("consent:"):
            continue
        fields = dict(
            part.strip().split(" ", 1) for part in ref.description.split(";") if " " in part.strip()
        )
        try:
            given = date.fromisoformat(fields["given"])
            withdrawn = date.fromisoformat(fields["withdrawn"]) if "withdrawn" in fields else None
        except (KeyError, ValueError):
            continue  # not one of ours: ignored, never guessed
        found.append(
            ConsentSnapshot(
                ref.id.removeprefix("consent:"), given, fields.get("form", ""), withdrawn
            )
        )
    return tuple(found)


def to_json(record: RecordSnapshot) -> str:
    text: str = json_format.MessageToJson(to_phenopacket(record), indent=2)
    return text


def parse(text: str, source: str = "") -> Phenopacket:
    """A phenopacket validated by the schema (``ValidationFailed`` naming what is wrong)."""
    try:
        return json_format.Parse(text, Phenopacket())
    except json_format.ParseError as exc:
        message = (
            _("%(source)s is not a valid GA4GH Phenopacket v2.") % {"source": source}
            if source
            else _("Not a valid GA4GH Phenopacket v2.")
        )
        raise ValidationFailed(message, [FieldError("phenopacket", str(exc))]) from exc


def from_json(text: str) -> RecordSnapshot:
    packet = parse(text)
    if not packet.subject.id:
        raise ValidationFailed(
            _("Not a usable phenopacket."), [FieldError("subject.id", N_("required"))]
        )
    if not packet.subject.HasField("date_of_birth"):
        raise ValidationFailed(
            _("Not a usable phenopacket."), [FieldError("subject.dateOfBirth", N_("required"))]
        )
    born = packet.subject.date_of_birth.ToDatetime().date()
    vital = "alive"
    death: date | None = None
    if (
        packet.subject.HasField("vital_status")
        and packet.subject.vital_status.status == VitalStatus.DECEASED
    ):
        vital = "dead"
        tod = packet.subject.vital_status.time_of_death
        death = tod.timestamp.ToDatetime().date() if tod.HasField("timestamp") else None
    diseases = [d for d in packet.diseases if not d.excluded]
    status = "confirmed" if diseases else "undiagnosed"
    for interpretation in packet.interpretations:
        if interpretation.summary.startswith("diagnostic status: "):
            status = interpretation.summary.removeprefix("diagnostic status: ").strip()
        elif interpretation.progress_status == Interpretation.IN_PROGRESS:
            status = "suspected"
    return RecordSnapshot(
        pseudonym=packet.subject.id,
        sex=_SEX_BACK.get(packet.subject.sex, "unknown"),
        birth_month=born.replace(day=1),
        vital_status=vital,
        death_date=death,
        orpha_code=diseases[0].term.id if diseases else None,
        disease_label=diseases[0].term.label if diseases else "",
        diagnostic_status=status if status in _PROGRESS else "suspected",
        features=tuple(
            Feature(f.type.id, f.type.label, f.excluded) for f in packet.phenotypic_features
        ),
        consents=_consents(packet),
    )


# ------------------------------------------------------------------ published case reports
_DURATION = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
)


@dataclass(frozen=True)
class CaseReport:
    """What a published case says: the features seen and ruled out, who, when it began, which
    disease it was, and the papers it was published in."""

    id: str
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    sex: str  # female | male | undetermined | unknown (the registry's words)
    onset_years: float | None
    diseases: tuple[str, ...]
    pmids: tuple[str, ...]


def iso_years(duration: str) -> float | None:
    """An ISO 8601 duration (P1Y6M, P14D) in years; None when it is not one."""
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


def read_case(text: str, source: str = "phenopacket") -> CaseReport:
    packet = parse(text, source)
    features = packet.phenotypic_features
    onset: float | None = None
    for disease in packet.diseases:
        if disease.HasField("onset"):
            onset = _onset_years(disease.onset)
    if onset is None:
        ages = [_onset_years(f.onset) for f in features if f.HasField("onset") and not f.excluded]
        known = [a for a in ages if a is not None]
        onset = min(known) if known else None
    diseases = tuple(d.term.id for d in packet.diseases if not d.excluded)
    if not diseases:
        diseases = tuple(
            i.diagnosis.disease.id for i in packet.interpretations if i.diagnosis.disease.id
        )
    return CaseReport(
        id=packet.id or source,
        observed=tuple(f.type.id for f in features if not f.excluded),
        excluded=tuple(f.type.id for f in features if f.excluded),
        sex=_SEX_BACK.get(packet.subject.sex, "unknown"),
        onset_years=onset,
        diseases=diseases,
        pmids=tuple(
            r.id for r in packet.meta_data.external_references if r.id.upper().startswith("PMID:")
        ),
    )


def read_cases(path: Path, limit: int | None = None) -> Iterator[CaseReport]:
    """Case reports from a directory (searched recursively) or a .tar.gz of Phenopacket JSON
    files, in a stable (sorted) order."""
    count = 0
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            yield read_case(file.read_text(encoding="utf-8"), str(file))
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
            yield read_case(fh.read().decode("utf-8"), member.name)
            count += 1
            if limit is not None and count >= limit:
                return
