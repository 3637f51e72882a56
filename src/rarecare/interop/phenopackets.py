"""GA4GH Phenopacket v2 export and import of pseudonymised registry records."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from phenopackets import (
    Diagnosis,
    Disease,
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
from rarecare.interop.records import Feature, RecordSnapshot

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
        )
    )
    return packet


def to_json(record: RecordSnapshot) -> str:
    text: str = json_format.MessageToJson(to_phenopacket(record), indent=2)
    return text


def from_json(text: str) -> RecordSnapshot:
    try:
        packet = json_format.Parse(text, Phenopacket())
    except json_format.ParseError as exc:
        raise ValidationFailed(
            "Not a valid GA4GH Phenopacket v2.", [FieldError("phenopacket", str(exc))]
        ) from exc
    if not packet.subject.id:
        raise ValidationFailed("Not a usable phenopacket.", [FieldError("subject.id", "required")])
    if not packet.subject.HasField("date_of_birth"):
        raise ValidationFailed(
            "Not a usable phenopacket.", [FieldError("subject.dateOfBirth", "required")]
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
    )
