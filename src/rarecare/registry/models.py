"""Tables of the registry. Direct identifiers live only in ``registry_identities``, encrypted."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNDETERMINED = "undetermined"
    UNKNOWN = "unknown"


class VitalStatus(StrEnum):
    ALIVE = "alive"
    DEAD = "dead"
    LOST = "lost_to_follow_up"
    OPTED_OUT = "opted_out"


class AgeKind(StrEnum):
    ANTENATAL = "antenatal"
    AT_BIRTH = "at_birth"
    DATE = "date"
    UNDETERMINED = "undetermined"


class DiagnosticStatus(StrEnum):  # labels in DIAGNOSTIC_STATUS_LABELS
    SUSPECTED = "suspected"
    PROBABLE = "probable"
    CONFIRMED = "confirmed"
    UNDIAGNOSED = "undiagnosed"


class Detection(StrEnum):  # how a case came to medical attention; labels in DETECTION_LABELS
    NEWBORN_SCREENING = "newborn_screening"
    SYMPTOMS = "symptoms"
    FAMILY_SCREENING = "family_screening"
    PRENATAL = "prenatal"
    INCIDENTAL = "incidental"
    UNKNOWN = "unknown"


DETECTION_LABELS: dict[str, str] = {
    "newborn_screening": N_("newborn screening"),
    "symptoms": N_("symptoms"),
    "family_screening": N_("family screening"),
    "prenatal": N_("prenatal diagnosis"),
    "incidental": N_("incidental finding"),
    "unknown": N_("unknown"),
}
VITAL_STATUS_LABELS: dict[str, str] = {
    "alive": N_("Alive"),
    "dead": N_("Deceased"),
    "lost_to_follow_up": N_("Lost to follow-up"),
    "opted_out": N_("Opted out"),
}
DIAGNOSTIC_STATUS_LABELS: dict[str, str] = {
    "suspected": N_("Suspected"),
    "probable": N_("Probable"),
    "confirmed": N_("Confirmed"),
    "undiagnosed": N_("Undiagnosed"),
}


class Patient(Base):
    """A pseudonymised registry record (EU JRC common data elements and more)."""

    __tablename__ = "registry_patients"
    __table_args__ = (
        Index("ix_registry_patients_centre_status", "centre_id", "diagnostic_status"),
        # one record per person and centre, even when two registrations race
        UniqueConstraint("pseudonym", "centre_id", name="uq_registry_patients_pseudonym_centre"),
        # the k-anonymity check of record-level views counts records sharing these
        Index("ix_registry_patients_quasi", "province_code", "birth_month", "sex", "orpha_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)  # treating centre
    birth_month: Mapped[date] = mapped_column(Date)  # the first of the month of birth
    sex: Mapped[Sex] = mapped_column(_enum(Sex))
    vital_status: Mapped[VitalStatus] = mapped_column(_enum(VitalStatus), default=VitalStatus.ALIVE)
    death_date: Mapped[date | None] = mapped_column(Date, default=None)
    first_contact_date: Mapped[date | None] = mapped_column(Date, default=None)
    first_symptoms_date: Mapped[date | None] = mapped_column(Date, default=None)
    onset_kind: Mapped[AgeKind] = mapped_column(_enum(AgeKind), default=AgeKind.UNDETERMINED)
    onset_date: Mapped[date | None] = mapped_column(Date, default=None)
    diagnosis_kind: Mapped[AgeKind] = mapped_column(_enum(AgeKind), default=AgeKind.UNDETERMINED)
    diagnosis_date: Mapped[date | None] = mapped_column(Date, default=None)
    diagnostic_status: Mapped[DiagnosticStatus] = mapped_column(_enum(DiagnosticStatus), index=True)
    orpha_code: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    contact_for_research: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_reuse: Mapped[bool] = mapped_column(Boolean, default=False)
    biosample: Mapped[bool] = mapped_column(Boolean, default=False)
    biobank: Mapped[str] = mapped_column(String(200), default="")
    icf_codes: Mapped[str] = mapped_column(String(200), default="")
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    former_province_code: Mapped[str | None] = mapped_column(String(2), default=None)
    # how the case was detected (newborn screening, symptoms...): the indicators' breakdown
    detection: Mapped[Detection] = mapped_column(
        _enum(Detection), default=Detection.UNKNOWN, server_default=Detection.UNKNOWN.value
    )
    possible_duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("registry_patients.id"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # optimistic locking: every UPDATE checks and bumps it, a save made from an older version
    # is refused (409) instead of silently undoing a colleague's change
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # keyed hash of the folded name and birth date, shared by near-homonyms ("Lê Văn Lân" and
    # "Lê Văn Lan"): possible duplicates to review (None: registered before it existed)
    match_key: Mapped[str | None] = mapped_column(String(24), index=True, default=None)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options

    phenotypes: Mapped[list[PhenotypeObservation]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="PhenotypeObservation.id"
    )
    diagnoses: Mapped[list[DiagnosisRecord]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="DiagnosisRecord.id"
    )
    encounters: Mapped[list[Encounter]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Encounter.date"
    )
    shared_with: Mapped[list[PatientCentre]] = relationship(
        back_populates="patient", cascade="all, delete-orphan"
    )


class PatientCentre(Base):
    """Other centres a patient is referred to: their staff see the record too."""

    __tablename__ = "registry_patient_centres"
    __table_args__ = (UniqueConstraint("patient_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="shared_with")


class Identity(Base):
    """Encrypted direct identifiers (AES-GCM); the patient id is bound as associated data."""

    __tablename__ = "registry_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), unique=True
    )
    key_version: Mapped[int] = mapped_column(Integer)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class IdentityKey(Base):
    """The blind index of an identity: keyed hashes (under the pseudonym key) of the national
    ID, the insurance number and the exact full name, by which staff find a person without
    the identifiers ever being stored readable."""

    __tablename__ = "registry_identity_keys"
    __table_args__ = (Index("ix_registry_identity_keys_lookup", "kind", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # cccd, insurance, name
    digest: Mapped[str] = mapped_column(String(32))


class DataKey(Base):
    """A version of the data key: its check value, and the pseudonym key wrapped under it.
    The newest row is the key in force; the application refuses to start with another."""

    __tablename__ = "registry_data_keys"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    check_value: Mapped[str] = mapped_column(String(32))
    pseudonym_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when every identity was re-encrypted under it (None: a rotation is under way)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class PhenotypeObservation(Base):
    __tablename__ = "registry_phenotypes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    hpo_id: Mapped[str] = mapped_column(String(16))
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    onset: Mapped[str] = mapped_column(String(32), default="")
    observed_on: Mapped[date | None] = mapped_column(Date, default=None)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="phenotypes")


class DiagnosisRecord(Base):
    __tablename__ = "registry_diagnoses"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    orpha_code: Mapped[str] = mapped_column(String(16))
    icd10_code: Mapped[str] = mapped_column(String(8), default="")
    omim_code: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[DiagnosticStatus] = mapped_column(_enum(DiagnosticStatus))
    diagnosed_on: Mapped[date | None] = mapped_column(Date, default=None)
    evidence: Mapped[str] = mapped_column(Text, default="")
    gene: Mapped[str] = mapped_column(String(32), default="")
    variant: Mapped[str] = mapped_column(String(200), default="")
    zygosity: Mapped[str] = mapped_column(String(24), default="")
    classification: Mapped[str] = mapped_column(String(32), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="diagnoses")


class Encounter(Base):
    __tablename__ = "registry_encounters"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32), default="visit")
    weight_kg: Mapped[float | None] = mapped_column(default=None)
    height_cm: Mapped[float | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))

    patient: Mapped[Patient] = relationship(back_populates="encounters")


class Reanalysis(Base):
    """One re-ranking of an undiagnosed or suspected patient with the knowledge base of the day."""

    __tablename__ = "registry_reanalyses"
    __table_args__ = (Index("ix_registry_reanalyses_patient_run", "patient_id", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("registry_patients.id", ondelete="CASCADE"))
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    knowledge_version: Mapped[str] = mapped_column(String(120))
    top: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    # what changed since the previous run: records put into words by reanalysis.describe
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    alert: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), default=None)


class ConsentPurpose(StrEnum):
    CARE = "care"  # registry use for the patient's own care
    RESEARCH = "research"  # reuse of pseudonymised data for research (JRC "consent to reuse")
    RECONTACT = "recontact"  # being contacted about studies (JRC "contact for research")
    INTERNATIONAL = "international"  # sharing with partners outside Vietnam
    BIOBANK = "biobank"  # storing and using samples


CONSENT_LABELS: dict[str, str] = {
    ConsentPurpose.CARE: N_("Registry use for care"),
    ConsentPurpose.RESEARCH: N_("Research reuse"),
    ConsentPurpose.RECONTACT: N_("Recontact for studies"),
    ConsentPurpose.INTERNATIONAL: N_("International sharing"),
    ConsentPurpose.BIOBANK: N_("Biobank"),
}


class Consent(Base):
    """One consent for one purpose: given (date, version of the form, who recorded it) and,
    later, perhaps withdrawn. Rows are never deleted or overwritten but by withdrawal: the
    history of a patient's consents is the list of its rows. A consent is current while it is
    not withdrawn; a new consent after a withdrawal is a new row."""

    # one index (by patient): imports write a consent row or two per record, and the release
    # paths read the current consents of a purpose in one pass
    __tablename__ = "registry_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(_enum(ConsentPurpose))
    given_on: Mapped[date] = mapped_column(Date)
    form_version: Mapped[str] = mapped_column(String(40), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, default=None)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None
