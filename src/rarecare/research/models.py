"""Tables of research access: data access requests, their documents and history, the data
access committee, and released extracts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class RequestStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    RELEASED = "released"
    CLOSED = "closed"


class DateHandling(StrEnum):
    """What the committee lets an extract say of dates."""

    SHIFT = "shift"  # every date of a patient moved by the same random number of days
    MONTH = "month"  # dates cut to their month (YYYY-MM)
    YEAR = "year"  # dates cut to their year


class DocumentKind(StrEnum):
    PROTOCOL = "protocol"
    ETHICS = "ethics"
    OTHER = "other"


RESEARCH_LABELS: dict[str, str] = {
    RequestStatus.DRAFT: N_("Draft"),
    RequestStatus.SUBMITTED: N_("Submitted"),
    RequestStatus.UNDER_REVIEW: N_("Under review"),
    RequestStatus.APPROVED: N_("Approved"),
    RequestStatus.REJECTED: N_("Rejected"),
    RequestStatus.RELEASED: N_("Extract released"),
    RequestStatus.CLOSED: N_("Closed"),
    "expired": N_("Expired"),
    DateHandling.SHIFT: N_("Shifted by a random number of days per patient"),
    DateHandling.MONTH: N_("Month only"),
    DateHandling.YEAR: N_("Year only"),
    DocumentKind.PROTOCOL: N_("Study protocol"),
    DocumentKind.ETHICS: N_("Ethics approval"),
    DocumentKind.OTHER: N_("Other document"),
    # what the Beacon answers (its configuration, shown on the Beacon page)
    "beacon_none": N_("nothing: logging in is required"),
    "beacon_boolean": N_("yes or no"),
    "beacon_count": N_("a count"),
    # what a release job reports
    "request_no": N_("Request no."),
    "extract_rows": N_("Rows in the extract"),
}


class AccessRequest(Base):
    """A data access request: who asks, for what, about which patients, which variables."""

    __tablename__ = "research_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    applicant: Mapped[str] = mapped_column(String(64))  # username, as the audit names people
    organisation_id: Mapped[int] = mapped_column(ForeignKey("monitoring_organisations.id"))
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    # diseases (ORPHA), phenotypes (HPO), provinces, years of diagnosis, ages: see schemas.Cohort
    cohort: Mapped[dict[str, Any]] = mapped_column(JSON)
    variables: Mapped[list[str]] = mapped_column(JSON)
    duration_months: Mapped[int] = mapped_column(Integer)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    # the committee's decision
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    conditions: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    date_handling: Mapped[DateHandling | None] = mapped_column(_enum(DateHandling), default=None)
    expires_on: Mapped[date | None] = mapped_column(Date, default=None)
    # the secret the extract's project pseudonyms are keyed with (one per request: two
    # extracts cannot be joined)
    pseudonym_salt: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    documents: Mapped[list[RequestDocument]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestDocument.id"
    )
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id"
    )

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and today > self.expires_on


class RequestDocument(Base):
    """The protocol, the ethics approval or another document uploaded with a request."""

    __tablename__ = "research_request_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("research_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="documents")


class RequestEvent(Base):
    """One step of a request's history: who moved it from which status to which, and why."""

    __tablename__ = "research_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("research_requests.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(24), default=None)
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="events")


class AccessCommitteeMember(Base):
    """A member of the data access committee: a user, for an organisation of the directory."""

    __tablename__ = "research_committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("monitoring_organisations.id"))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extract(Base):
    """The released extract of a request: a ZIP (data CSV + manifest) and its checksum."""

    __tablename__ = "research_extracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("research_requests.id", ondelete="CASCADE"), unique=True
    )
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the data file, named in the manifest
    content: Mapped[bytes] = mapped_column(LargeBinary)
    released_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
