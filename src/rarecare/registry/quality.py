"""The data-quality worklist of a centre: its records that fail the plausibility checks (dates
in the future, before birth or after death, a death without its date), body measures outside
the age-plausible bounds, missing EU JRC common data elements, and possible duplicates — each
with the page that fixes it. Found by set-based queries over the centre's records, so a centre
of a hundred thousand records is checked in one pass; the rows shown are capped, the counts
are not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, centre_scope, require_role
from rarecare.audit import service as audit
from rarecare.errors import FIELD_NAMES, NotFound
from rarecare.i18n import N_
from rarecare.registry.duplicates import REVIEWERS
from rarecare.registry.models import (
    AgeKind,
    DiagnosisRecord,
    DiagnosticStatus,
    Encounter,
    IdentityKey,
    Patient,
    VitalStatus,
)
from rarecare.registry.plausible import BEGINNINGS, RECORD_DATES, body_measures

Predicate = Callable[[type[Patient]], ColumnElement[bool]]


def _has_diagnosis_record(p: type[Patient]) -> ColumnElement[bool]:
    return exists().where(DiagnosisRecord.patient_id == p.id)


# The 16 EU JRC common data elements, each "filled in" or not. An element that does not apply —
# the date of death of a living patient, a biobank without a sample — counts as filled.
JRC_ELEMENTS: tuple[tuple[str, str, Predicate], ...] = (
    ("pseudonym", N_("Pseudonym"), lambda p: p.pseudonym != ""),
    ("birth_month", N_("Date of birth"), lambda p: p.birth_month.is_not(None)),
    ("sex", N_("Sex"), lambda p: p.sex.is_not(None)),
    ("vital_status", N_("Vital status"), lambda p: p.vital_status.is_not(None)),
    (
        "death_date",
        N_("Date of death"),
        lambda p: or_(p.vital_status != VitalStatus.DEAD, p.death_date.is_not(None)),
    ),
    (
        "first_contact_date",
        N_("First specialist contact"),
        lambda p: p.first_contact_date.is_not(None),
    ),
    (
        "onset_kind",
        N_("Age at onset"),
        lambda p: or_(p.onset_kind != AgeKind.UNDETERMINED, p.onset_date.is_not(None)),
    ),
    (
        "diagnosis_kind",
        N_("Age at diagnosis"),
        lambda p: or_(p.diagnosis_kind != AgeKind.UNDETERMINED, p.diagnosis_date.is_not(None)),
    ),
    (
        "orpha_code",
        N_("Diagnosis (ORPHAcode)"),
        lambda p: or_(
            p.orpha_code.is_not(None), p.diagnostic_status == DiagnosticStatus.UNDIAGNOSED
        ),
    ),
    ("diagnostic_status", N_("Diagnostic status"), lambda p: p.diagnostic_status.is_not(None)),
    ("diagnoses", N_("Diagnosis recorded"), _has_diagnosis_record),
    (
        "contact_for_research",
        N_("Agrees to be contacted for research"),
        lambda p: p.contact_for_research.is_not(None),
    ),
    ("consent_reuse", N_("Consents to reuse of data"), lambda p: p.consent_reuse.is_not(None)),
    ("biosample", N_("Biological sample stored"), lambda p: p.biosample.is_not(None)),
    ("biobank", N_("Biobank"), lambda p: or_(p.biosample.is_(False), p.biobank != "")),
    ("icf_codes", N_("ICF codes"), lambda p: p.icf_codes != ""),
)


def jrc_elements(p: type[Patient], *, record: bool = True) -> list[ColumnElement[bool]]:
    """The elements' "filled in" conditions; without ``record``, the 15 of the record itself
    (the indicators count the diagnosis record from a pre-aggregated table instead)."""
    return [pred(p) for key, _label, pred in JRC_ELEMENTS if record or key != "diagnoses"]


FIELD_LABELS: dict[str, str] = {
    **FIELD_NAMES,
    **{key: label for key, label, _pred in JRC_ELEMENTS},
}


KIND_LABELS: dict[str, str] = {
    "implausible": N_("Implausible"),
    "check": N_("To check"),
    "measure": N_("Body measure"),
    "missing": N_("Missing elements"),
    "duplicate": N_("Possible duplicate"),
}

EDIT = "/registry/patients/{id}/edit"
Rule = tuple[str, str, str, ColumnElement[bool]]


def _rules(p: type[Patient], today: date) -> list[Rule]:
    """(kind, field, message, condition) of each rule a record is checked by, as SQL: each
    fixed on the record's edit page."""
    rules: list[Rule] = []
    for name in RECORD_DATES:
        column = getattr(p, name)
        rules.append(("implausible", name, N_("the date is in the future"), column > today))
        rules.append(
            (
                "implausible",
                name,
                N_("the date is before the month of birth"),
                column < p.birth_month,
            )
        )
    for name in BEGINNINGS:
        rules.append(
            (
                "implausible",
                name,
                N_("the date is after the date of death"),
                getattr(p, name) > p.death_date,
            )
        )
    rules += [
        (
            "implausible",
            "death_date",
            N_("the patient has died but the date of death is missing"),
            and_(p.vital_status == VitalStatus.DEAD, p.death_date.is_(None)),
        ),
        (
            "implausible",
            "vital_status",
            N_("a date of death is given but the patient is not recorded as deceased"),
            and_(p.vital_status != VitalStatus.DEAD, p.death_date.is_not(None)),
        ),
        (
            "implausible",
            "orpha_code",
            N_("a confirmed or probable diagnosis without its ORPHAcode"),
            and_(
                p.orpha_code.is_(None),
                p.diagnostic_status.in_((DiagnosticStatus.CONFIRMED, DiagnosticStatus.PROBABLE)),
            ),
        ),
        (
            "check",
            "first_symptoms_date",
            N_("first symptoms after the first specialist contact (possible after screening)"),
            p.first_symptoms_date > p.first_contact_date,
        ),
    ]
    return rules


@dataclass(frozen=True, slots=True)
class Problem:
    patient_id: int
    pseudonym: str
    kind: str  # a KIND_LABELS key
    fields: tuple[str, ...]  # FIELD_LABELS keys
    message: str  # an N_() message, or a measure's own text
    fix: str  # the page that fixes it


@dataclass
class QualityReport:
    centre_id: int
    records: int
    problems: list[Problem]  # the first ``limit``
    by_kind: Counter[str] = field(default_factory=Counter)
    missing: list[tuple[str, int]] = field(default_factory=list)  # (element label, records)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def report(
    *,
    session: Session,
    principal: Principal | None,
    centre_id: int | None = None,
    today: date | None = None,
    limit: int = 300,
) -> QualityReport:
    """The data-quality worklist of the records a centre treats: the user's own centre, or the
    centre an administrator chooses. Audited, naming the records listed."""
    actor = require_role(principal, *REVIEWERS)
    scope = centre_scope(actor)
    if scope is not None and centre_id not in (None, scope):
        raise NotFound()
    centre = scope if scope is not None else centre_id
    if centre is None:
        raise NotFound()
    today = today or date.today()
    p = Patient
    own = p.centre_id == centre
    records = session.scalar(select(func.count()).select_from(p).where(own)) or 0
    result = QualityReport(centre, records, [])

    def add(
        kind: str, rows: list[tuple[int, str]], fields: list[str], message: str, fix: str
    ) -> None:
        result.by_kind[kind] += len(rows)
        room = max(0, limit - len(result.problems))
        result.problems += [
            Problem(pid, pseudonym, kind, tuple(fields), message, fix.format(id=pid))
            for pid, pseudonym in rows[:room]
        ]

    def add_rule(
        kind: str, fields: list[str], message: str, condition: ColumnElement[bool], fix: str
    ) -> None:
        rows = session.execute(select(p.id, p.pseudonym).where(own, condition).order_by(p.id))
        add(kind, [(pid, pseudonym) for pid, pseudonym in rows], fields, message, fix)

    for kind, fld, message, condition in _rules(p, today):
        add_rule(kind, [fld], message, condition, EDIT)

    measured = session.execute(
        select(
            p.id,
            p.pseudonym,
            p.birth_month,
            Encounter.date,
            Encounter.weight_kg,
            Encounter.height_cm,
        )
        .join(Encounter, Encounter.patient_id == p.id)
        .where(own, or_(Encounter.weight_kg.is_not(None), Encounter.height_cm.is_not(None)))
        .order_by(p.id, Encounter.date)
        .execution_options(yield_per=5000)
    )
    for pid, pseudonym, born, on, weight, height in measured:
        for error in body_measures(born, on, weight, height):
            add(
                "measure",
                [(pid, pseudonym)],
                [error.field],
                f"{on:%d/%m/%Y}: {error.text}",
                "/registry/patients/{id}",
            )

    filled = jrc_elements(p)
    counts = session.execute(
        select(*(func.count(case((not_(c), 1))) for c in filled)).select_from(p).where(own)
    ).one()
    result.missing = [
        (label, n) for (_key, label, _pred), n in zip(JRC_ELEMENTS, counts, strict=True) if n
    ]
    incomplete = session.execute(
        select(p.id, p.pseudonym, *(not_(c) for c in filled))
        .where(own, or_(*(not_(c) for c in filled)))
        .order_by(p.id)
    )
    for pid, pseudonym, *gaps in incomplete:
        names = [key for (key, _label, _pred), gap in zip(JRC_ELEMENTS, gaps, strict=True) if gap]
        add(
            "missing",
            [(pid, pseudonym)],
            names,
            N_("JRC common data elements missing"),
            EDIT,
        )

    add_rule(
        "check",
        ["national_id"],
        N_("a former 9-digit CMND: ask for the 12-digit CCCD that replaced it"),
        p.id.in_(select(IdentityKey.patient_id).where(IdentityKey.kind == "cmnd")),
        "/registry/patients/{id}",
    )
    add_rule(
        "duplicate",
        [],
        N_("possibly the same person as an earlier record"),
        p.possible_duplicate_of.is_not(None),
        "/registry/duplicates",
    )

    audit.record(
        session=session,
        actor=actor,
        action="quality_worklist",
        object_type="patient",
        centre_id=centre,
        detail={"listed": sorted({problem.pseudonym for problem in result.problems})},
    )
    return result
