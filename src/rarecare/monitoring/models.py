"""Tables of the steering committee's workspace: the organisations directory, the committee
and its meetings and decisions, the action plan (objectives → key tasks → activities, with
every change kept), evidence, and the events register."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


def _enum(cls: type[StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class OrgKind(StrEnum):
    MINISTRY_DEPARTMENT = "ministry_department"
    ASSOCIATION = "association"
    HOSPITAL = "hospital"
    PROVINCIAL_HEALTH = "provincial_health"
    PATIENT_ORGANISATION = "patient_organisation"
    INTERNATIONAL = "international"
    COMPANY = "company"
    RESEARCH = "research"  # a university or research institute
    OTHER = "other"


class MemberRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    SECRETARY = "secretary"


class ActivityStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DELAYED = "delayed"
    DONE = "done"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    TRAINING = "training"
    SEMINAR = "seminar"
    CAMPAIGN = "campaign"
    MEETING = "meeting"
    OTHER = "other"


class Audience(StrEnum):
    CLINICIANS = "clinicians"
    NURSES = "nurses"
    HEALTH_WORKERS = "health_workers"
    PUBLIC = "public"
    PATIENTS = "patients"
    MIXED = "mixed"


MONITORING_LABELS: dict[str, str] = {
    OrgKind.MINISTRY_DEPARTMENT: N_("Ministry department"),
    OrgKind.ASSOCIATION: N_("Professional association"),
    OrgKind.HOSPITAL: N_("Hospital"),
    OrgKind.PROVINCIAL_HEALTH: N_("Provincial health department"),
    OrgKind.PATIENT_ORGANISATION: N_("Patient organisation"),
    OrgKind.INTERNATIONAL: N_("International partner"),
    OrgKind.COMPANY: N_("Company"),
    OrgKind.RESEARCH: N_("University or research institute"),
    OrgKind.OTHER: N_("Other"),
    MemberRole.CHAIR: N_("Chair"),
    MemberRole.VICE_CHAIR: N_("Vice-chair"),
    MemberRole.MEMBER: N_("Member"),
    MemberRole.SECRETARY: N_("Secretary"),
    ActivityStatus.NOT_STARTED: N_("Not started"),
    ActivityStatus.ON_TRACK: N_("On track"),
    ActivityStatus.AT_RISK: N_("At risk"),
    ActivityStatus.DELAYED: N_("Delayed"),
    ActivityStatus.DONE: N_("Done"),
    ActivityStatus.CANCELLED: N_("Cancelled"),
    "overdue": N_("Overdue"),
    EventKind.TRAINING: N_("Training"),
    EventKind.SEMINAR: N_("Seminar"),
    EventKind.CAMPAIGN: N_("Communication campaign"),
    EventKind.MEETING: N_("Meeting"),
    Audience.CLINICIANS: N_("Clinicians"),
    Audience.NURSES: N_("Nurses"),
    Audience.HEALTH_WORKERS: N_("Health workers"),
    Audience.PUBLIC: N_("The public"),
    Audience.PATIENTS: N_("Patients and families"),
    Audience.MIXED: N_("Mixed audience"),
    # the fields an activity's history names
    "percent_done": N_("Percent done"),
    "deadline": N_("Deadline"),
    "start_date": N_("Start"),
    "evidence": N_("Evidence"),
    "comment": N_("Comment"),
    "title": N_("Title"),
    "lead_id": N_("Lead"),
    "expected_output": N_("Expected output"),
    "done_on": N_("Done on"),
    "output_ref": N_("Linked output"),
}

# "closed" activities: nothing more is expected of them
CLOSED = (ActivityStatus.DONE, ActivityStatus.CANCELLED)


class Organisation(Base):
    """One directory of organisations, used by the plan, the portal and research."""

    __tablename__ = "monitoring_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), default=None)
    province_code: Mapped[str | None] = mapped_column(String(2), default=None)
    contact: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking


class CommitteeMember(Base):
    __tablename__ = "monitoring_committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), default="")  # position in their organisation
    organisation_id: Mapped[int] = mapped_column(ForeignKey("monitoring_organisations.id"))
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date, default=None)


class Meeting(Base):
    __tablename__ = "monitoring_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str] = mapped_column(Text, default="")
    attendance: Mapped[list[int]] = mapped_column(JSON, default=list)  # committee member ids
    minutes_file: Mapped[str | None] = mapped_column(String(200), default=None)
    minutes_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", order_by="Decision.id", cascade="all, delete-orphan"
    )


class Decision(Base):
    """A decision the committee took at a meeting; its follow-up actions are plan activities."""

    __tablename__ = "monitoring_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")


class Plan(Base):
    __tablename__ = "monitoring_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date] = mapped_column(Date)
    issuing_body: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(default=False)

    objectives: Mapped[list[Objective]] = relationship(
        back_populates="plan", order_by="Objective.position", cascade="all, delete-orphan"
    )


class Objective(Base):
    __tablename__ = "monitoring_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))

    plan: Mapped[Plan] = relationship(back_populates="objectives")
    tasks: Mapped[list[Task]] = relationship(
        back_populates="objective", order_by="Task.code", cascade="all, delete-orphan"
    )


class Task(Base):
    """A key task of the plan."""

    __tablename__ = "monitoring_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_objectives.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))

    objective: Mapped[Objective] = relationship(back_populates="tasks")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="task", order_by="Activity.code", cascade="all, delete-orphan"
    )


class Activity(Base):
    __tablename__ = "monitoring_activities"
    __table_args__ = (Index("ix_monitoring_activities_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_tasks.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    lead_id: Mapped[int] = mapped_column(ForeignKey("monitoring_organisations.id"), index=True)
    partner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[ActivityStatus] = mapped_column(
        _enum(ActivityStatus), default=ActivityStatus.NOT_STARTED
    )
    percent_done: Mapped[int] = mapped_column(Integer, default=0)
    expected_output: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")  # the latest comment
    done_on: Mapped[date | None] = mapped_column(Date, default=None)
    # the RareCare object it must produce: approving it completes the activity
    output_kind: Mapped[str | None] = mapped_column(String(24), default=None)
    output_ref: Mapped[int | None] = mapped_column(Integer, default=None)  # None: the next one
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_decisions.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - optimistic locking

    task: Mapped[Task] = relationship(back_populates="activities")
    lead: Mapped[Organisation] = relationship()
    history: Mapped[list[ActivityChange]] = relationship(
        order_by="ActivityChange.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        order_by="Evidence.id", cascade="all, delete-orphan"
    )


class ActivityChange(Base):
    """One change of an activity: who, when, which field, old → new (and their comment)."""

    __tablename__ = "monitoring_activity_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_activities.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")


class Evidence(Base):
    """What shows an activity's progress: an uploaded file, a link, or the approved output."""

    __tablename__ = "monitoring_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_activities.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500), default="")
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    file_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """A training, seminar or communication campaign (feeds indicators and the portal)."""

    __tablename__ = "monitoring_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    title: Mapped[str] = mapped_column(String(300))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("monitoring_organisations.id"))
    audience: Mapped[Audience] = mapped_column(_enum(Audience))
    province_code: Mapped[str | None] = mapped_column(String(2), default=None)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    materials: Mapped[str] = mapped_column(Text, default="")  # links or a description
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_activities.id", ondelete="SET NULL"), default=None, index=True
    )
    created_by: Mapped[str] = mapped_column(String(64))


def as_text(value: Any) -> str:
    """How a value is kept in the history (dates ISO, enums by value)."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


class IndicatorValue(Base):
    """A stored figure: one indicator, period, breakdown and group, with when and from which
    refresh it was computed. Dashboards read these, never the registry."""

    __tablename__ = "monitoring_indicator_values"
    __table_args__ = (
        Index("ix_monitoring_indicator_values_lookup", "indicator", "period", "breakdown"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refresh_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_indicator_refreshes.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(8))
    breakdown: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(120))
    numerator: Mapped[float] = mapped_column()
    denominator: Mapped[float | None] = mapped_column(default=None)
    value: Mapped[float | None] = mapped_column(default=None)


class IndicatorRefresh(Base):
    """One computation of every indicator for a period: when, by whom, over how many records."""

    __tablename__ = "monitoring_indicator_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(8), index=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)  # registry records the values were computed from
    seconds: Mapped[float] = mapped_column()
    values_count: Mapped[int] = mapped_column(Integer)


# The indicators' maintained pre-aggregates (see monitoring.cells and monitoring.doses): kept by
# database triggers on the registry's and care's tables, whatever writes them (forms, imports,
# merges, bulk loads), so that a refresh reads a few hundred thousand cells instead of every
# record. Months are indexed year × 12 + month − 1.


class StalePatient(Base):
    """A record written since the cells last counted it (inserted, changed, deleted, or one of
    its diagnosis records): one row per write, only ever inserted by the writers, so a write
    never waits for a refresh; a refresh removes the rows it read."""

    __tablename__ = "monitoring_stale_patients"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer)


class PatientKeys:
    """A record's breakdown keys, as last counted (the facts' and the treated records')."""

    patient_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    province: Mapped[str] = mapped_column(String(16))
    former: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(16))
    centre: Mapped[str] = mapped_column(String(16))
    disease: Mapped[str] = mapped_column(String(16))
    born: Mapped[int] = mapped_column(Integer)  # month of birth
    registered: Mapped[int] = mapped_column(Integer)  # month the record was created


# what the delay medians read of a diagnosed record, beside the month of its diagnosis
DIAGNOSIS_COLUMNS = (
    "province",
    "former",
    "centre",
    "disease",
    "sex",
    "since_symptoms",
    "since_contact",
)


class PatientFacts(PatientKeys, Base):
    """What one record contributes to the cells, as last counted (so it can be taken back)."""

    __tablename__ = "monitoring_patient_facts"
    # the delay medians read a period's diagnoses from this index alone (PostgreSQL: an
    # index-only scan; the table's pages are not visited)
    __table_args__ = (
        Index(
            "ix_monitoring_patient_facts_diagnosed",
            "diagnosed",
            postgresql_include=list(DIAGNOSIS_COLUMNS),
            postgresql_where=text("diagnosed IS NOT NULL"),
            sqlite_where=text("diagnosed IS NOT NULL"),
        ),
    )

    died: Mapped[int | None] = mapped_column(Integer, default=None)
    contact_due: Mapped[int | None] = mapped_column(Integer, default=None)  # first contact + 365 d
    touched: Mapped[int] = mapped_column(Integer)  # month last created or updated
    dead_under_5: Mapped[int] = mapped_column(SmallInteger)
    undiagnosed: Mapped[int] = mapped_column(SmallInteger)  # not diagnosed within 365 days
    genetic: Mapped[int] = mapped_column(SmallInteger)
    elements: Mapped[int] = mapped_column(SmallInteger)  # JRC common data elements filled
    # a confirmed diagnosis: its month and the days to it from the first symptoms and contact
    diagnosed: Mapped[int | None] = mapped_column(Integer, default=None)
    since_symptoms: Mapped[int | None] = mapped_column(Integer, default=None)
    since_contact: Mapped[int | None] = mapped_column(Integer, default=None)


class TreatedPatient(PatientKeys, Base):
    """The breakdown keys of a record with a therapy plan (kept with its facts), so that a
    refresh reads its period's treated records without reading every record's facts."""

    __tablename__ = "monitoring_treated_patients"


class PatientCell(Base):
    """The change, over a span of months (1, 12 or 120 from ``month``), of every per-record
    measure of one group: part 1 (province, former province, sex), part 2 (centre, disease),
    part 3 (month of birth). A measure at a period's end is the sum of its changes up to that
    month: a few decades, years and months (see ``monitoring.cells``)."""

    __tablename__ = "monitoring_patient_cells"

    span: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    part: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    k0: Mapped[str] = mapped_column(String(16), primary_key=True)
    k1: Mapped[str] = mapped_column(String(16), primary_key=True)
    k2: Mapped[str] = mapped_column(String(16), primary_key=True)
    registered: Mapped[int] = mapped_column(Integer)
    alive: Mapped[int] = mapped_column(Integer)
    child: Mapped[int] = mapped_column(Integer)
    dead: Mapped[int] = mapped_column(Integer)
    dead_under_5: Mapped[int] = mapped_column(Integer)
    contact_12m: Mapped[int] = mapped_column(Integer)
    undiagnosed_12m: Mapped[int] = mapped_column(Integer)
    genetic: Mapped[int] = mapped_column(Integer)
    elements: Mapped[int] = mapped_column(Integer)
    touched: Mapped[int] = mapped_column(Integer)


class DoseCount(Base):
    """Doses given and vials used per plan, patient and centre in each month, quarter and year
    (DHIS2 period ids), kept by triggers on the infusions."""

    __tablename__ = "monitoring_dose_counts"
    # a refresh reads a period's counts in plan order from this index alone (PostgreSQL: an
    # index-only scan grouped per plan as it goes; the table's pages hold every period's
    # counts, the period's few are scattered over all of them)
    __table_args__ = (
        Index(
            "ix_monitoring_dose_counts_plans",
            "period",
            "plan_id",
            postgresql_include=["centre_id", "visits", "vials"],
        ),
    )

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    centre_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    visits: Mapped[int] = mapped_column(Integer)
    vials: Mapped[int] = mapped_column(Integer)


class TreatmentMark(Base):
    """A record whose treatment may have changed (an infusion or its coverage written, or the
    record counted again: its keys or plans): only ever inserted by the writers; a refresh
    hands the rows it read on to every period kept (``TreatmentDirty``) and removes them."""

    __tablename__ = "monitoring_treatment_marks"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer)


class TreatmentState(Base):
    """A period whose treated records are kept (``TreatmentRow``): what they were worked out
    with (``basis``: the cost model, the listed drugs, the travel model) and up to which day."""

    __tablename__ = "monitoring_treatment_states"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    basis: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)  # the latest day the rows were worked out for
    refreshed_on: Mapped[date] = mapped_column(Date)


class TreatmentDirty(Base):
    """A kept period's record to work out again at its next refresh."""

    __tablename__ = "monitoring_treatment_dirty"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class TreatmentRow(Base):
    """A record's treatment in a kept period (``monitoring.treatment``): its keys, on a listed
    drug, the days it counts as adherent (from/through, in days from the period's first day:
    the doses given ≥ 80% of those due up to that day), its out-of-pocket and threshold, its
    trips and the centre they were all given at."""

    __tablename__ = "monitoring_treatment_rows"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    province: Mapped[str] = mapped_column(String(16))
    former: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(16))
    centre: Mapped[str] = mapped_column(String(16))
    disease: Mapped[str] = mapped_column(String(16))
    born: Mapped[int] = mapped_column(Integer)
    registered: Mapped[int] = mapped_column(Integer)
    on_drug: Mapped[int] = mapped_column(SmallInteger)
    adherent_from: Mapped[int | None] = mapped_column(Integer, default=None)  # NULL: never
    adherent_through: Mapped[int | None] = mapped_column(Integer, default=None)
    volatile: Mapped[int] = mapped_column(SmallInteger)  # worked out again at every refresh
    oop: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    trips: Mapped[int | None] = mapped_column(Integer, default=None)
    trip_centre: Mapped[int | None] = mapped_column(Integer, default=None)
