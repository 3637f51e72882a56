"""The care network's tables: referrals between centres (and their attachments), the laboratory
test directory and the samples sent to it, newborn screening programmes and records, and the
in-app notifications these produce. Patients are referenced by their registry id (pseudonymised
records); a newborn's direct identifiers live only in the encrypted screening identity table."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rarecare.i18n import N_
from rarecare.storage import encrypted
from rarecare.storage.base import Base, utcnow


def _enum(kind: type[StrEnum], name: str, length: int = 24) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


# ----------------------------------------------------------------------------- referrals
class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SEEN = "seen"
    DIAGNOSIS_RETURNED = "diagnosis_returned"
    CLOSED = "closed"  # withdrawn by the sender, or done


class ReferralKind(StrEnum):
    EXPERT = "expert"  # to a centre of expertise, for diagnosis or treatment
    BACK = "back"  # back near home, for maintenance therapy


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


REFERRAL_LABELS: dict[str, str] = {
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "seen": N_("seen"),
    "diagnosis_returned": N_("diagnosis returned"),
    "closed": N_("closed"),
    "expert": N_("to a centre of expertise"),
    "back": N_("back-referral"),
    "routine": N_("routine"),
    "urgent": N_("urgent"),
    "emergency": N_("emergency"),
}


class Referral(Base):
    """A patient referred from one centre to another, tracked from sending to the diagnosis
    returned (and, for a back-referral, to maintenance therapy near home)."""

    __tablename__ = "network_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReferralKind] = mapped_column(_enum(ReferralKind, "referral_kind", 16))
    from_centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    to_centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_referrals.id"), default=None
    )  # the referral a back-referral closes the loop of
    status: Mapped[ReferralStatus] = mapped_column(
        _enum(ReferralStatus, "referral_status"), index=True
    )
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency, "urgency", 16))
    reason: Mapped[str] = mapped_column(Text)
    suspected: Mapped[list[str]] = mapped_column(JSON, default=list)  # ORPHAcodes
    # the diagnosis engine's top suggestions when sent: [{orpha, name, score, rank}]
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    phenotypes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # snapshot
    drug: Mapped[str] = mapped_column(String(120), default="")  # back-referral: the therapy
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")  # the diagnosis returned, in words
    outcome_orpha: Mapped[str | None] = mapped_column(String(32), default=None)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
    seen_on: Mapped[date | None] = mapped_column(Date, default=None)
    diagnosis_returned_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    attachments: Mapped[list[ReferralAttachment]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralAttachment.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.SEEN)


class ReferralAttachment(Base):
    """A file sent with a referral (a letter, a report, an image): type and size checked."""

    __tablename__ = "network_referral_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("network_referrals.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="attachments")


# ------------------------------------------------------------------ laboratories and samples
class TestKind(StrEnum):
    __test__ = False  # not a pytest class

    ENZYME_ASSAY = "enzyme_assay"
    BIOCHEMICAL = "biochemical"
    GENE_PANEL = "gene_panel"
    SINGLE_GENE = "single_gene"
    EXOME = "exome"
    GENOME = "genome"
    OTHER = "other"


class SampleStatus(StrEnum):
    ORDERED = "ordered"
    SENT = "sent"
    RECEIVED = "received"
    RESULTED = "resulted"
    CANCELLED = "cancelled"


class Interpretation(StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"  # consistent with the suspected disease
    INCONCLUSIVE = "inconclusive"
    FAILED = "failed"  # sample unusable


LAB_LABELS: dict[str, str] = {
    "enzyme_assay": N_("enzyme assay"),
    "biochemical": N_("biochemical test"),
    "gene_panel": N_("gene panel"),
    "single_gene": N_("single gene"),
    "exome": N_("exome"),
    "genome": N_("genome"),
    "other": N_("other"),
    "ordered": N_("ordered"),
    "received": N_("received"),
    "resulted": N_("resulted"),
    "cancelled": N_("cancelled"),
    "normal": N_("normal"),
    "abnormal": N_("abnormal"),
    "inconclusive": N_("inconclusive"),
    "failed": N_("failed"),
}


class Laboratory(Base):
    """A laboratory (an organisation; possibly part of a centre)."""

    __tablename__ = "network_laboratories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str] = mapped_column(String(2))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), default=None)
    contact: Mapped[str] = mapped_column(String(200), default="")

    tests: Mapped[list[LabTest]] = relationship(back_populates="laboratory", order_by="LabTest.id")


class LabTest(Base):
    """A test a laboratory performs: for which diseases, on what sample, how long, how much."""

    __tablename__ = "network_lab_tests"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(primary_key=True)
    laboratory_id: Mapped[int] = mapped_column(ForeignKey("network_laboratories.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TestKind] = mapped_column(_enum(TestKind, "test_kind"))
    orpha_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample_type: Mapped[str] = mapped_column(String(80))  # e.g. dried blood spot
    turnaround_days: Mapped[int] = mapped_column(Integer)
    price_vnd: Mapped[float | None] = mapped_column(Float, default=None)
    insurance_covered: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    laboratory: Mapped[Laboratory] = relationship(back_populates="tests")


class Sample(Base):
    """A patient's sample sent for a test: ordered → sent → received → resulted."""

    __tablename__ = "network_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), index=True
    )
    test_id: Mapped[int] = mapped_column(ForeignKey("network_lab_tests.id"), index=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)  # ordering
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_referrals.id"), default=None
    )
    status: Mapped[SampleStatus] = mapped_column(_enum(SampleStatus, "sample_status"), index=True)
    ordered_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date, default=None)
    received_on: Mapped[date | None] = mapped_column(Date, default=None)
    resulted_on: Mapped[date | None] = mapped_column(Date, default=None)
    result_text: Mapped[str] = mapped_column(Text, default="")
    interpretation: Mapped[Interpretation | None] = mapped_column(
        _enum(Interpretation, "interpretation", 16), default=None
    )
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_type: Mapped[str] = mapped_column(String(80), default="")
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    ordered_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    test: Mapped[LabTest] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking


# -------------------------------------------------------------------------- newborn screening
class ScreeningResult(StrEnum):
    NORMAL = "normal"
    POSITIVE = "positive"
    INCONCLUSIVE = "inconclusive"
    INVALID_SAMPLE = "invalid_sample"


class ScreeningOutcome(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"  # the disease confirmed: linked to a registry patient
    FALSE_POSITIVE = "false_positive"
    LOST = "lost_to_follow_up"
    NOT_APPLICABLE = "not_applicable"  # a normal result


SCREENING_LABELS: dict[str, str] = {
    "positive": N_("positive"),
    "invalid_sample": N_("invalid sample"),
    "pending": N_("pending"),
    "confirmed": N_("confirmed"),
    "false_positive": N_("false positive"),
    "lost_to_follow_up": N_("lost to follow-up"),
    "not_applicable": N_("not applicable"),
}


class ScreeningProgramme(Base):
    """A newborn screening programme: which diseases, which test, in which provinces."""

    __tablename__ = "network_screening_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    orpha_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    test_id: Mapped[int | None] = mapped_column(ForeignKey("network_lab_tests.id"), default=None)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: nationwide
    started_on: Mapped[date | None] = mapped_column(Date, default=None)


class ScreeningRecord(Base):
    """One newborn's screening (pseudonymised; the identity is in the identity table below)."""

    __tablename__ = "network_screening_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("network_screening_programmes.id"), index=True
    )
    sample_code: Mapped[str] = mapped_column(String(40), unique=True)  # the card's number
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    birth_month: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    laboratory_id: Mapped[int] = mapped_column(ForeignKey("network_laboratories.id"))
    sample_date: Mapped[date] = mapped_column(Date, index=True)
    age_at_sample_hours: Mapped[int | None] = mapped_column(Integer, default=None)
    result_date: Mapped[date | None] = mapped_column(Date, default=None)
    result: Mapped[ScreeningResult] = mapped_column(_enum(ScreeningResult, "screening_result"))
    analyte: Mapped[str] = mapped_column(String(200), default="")  # e.g. GAA 1.2 µmol/L/h
    recalled_on: Mapped[date | None] = mapped_column(Date, default=None)
    confirmatory_test: Mapped[str] = mapped_column(String(200), default="")
    confirmed_on: Mapped[date | None] = mapped_column(Date, default=None)
    outcome: Mapped[ScreeningOutcome] = mapped_column(_enum(ScreeningOutcome, "screening_outcome"))
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="SET NULL"), default=None, index=True
    )
    first_treatment_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking


class ScreeningIdentity(Base):
    """A newborn's direct identifiers (name, birth date, mother, phone, address), AES-GCM
    encrypted under the registry's data key and bound to the screening record's id."""

    __tablename__ = "network_screening_identities"

    record_id: Mapped[int] = mapped_column(
        ForeignKey("network_screening_records.id", ondelete="CASCADE"), primary_key=True
    )
    key_version: Mapped[int] = mapped_column(Integer)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


encrypted.register(ScreeningIdentity.__tablename__, "record_id")  # re-encrypted at key rotation


# ------------------------------------------------------------------------------ notifications
class Notification(Base):
    """An in-app message to a centre's staff (a referral arrived, was answered, a sample is
    overdue): a catalogue message and its parameters, shown in the reader's language."""

    __tablename__ = "network_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    message: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
