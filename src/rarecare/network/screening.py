"""Newborn screening: programmes (which diseases — those the national list flags for newborn
screening —, which test, where), one pseudonymised record per newborn screened (the name, birth
date, mother, phone and address only in the encrypted identity table), the follow-up of a
positive screen (recall, confirmatory test, outcome, the registry record when confirmed), and
the figures the indicators need: coverage by province, positives, and the days birth → result
→ confirmation → first treatment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed, require_reason
from rarecare.geo import current_provinces, populations
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.network.labs import get_test
from rarecare.network.models import (
    ScreeningIdentity,
    ScreeningOutcome,
    ScreeningProgramme,
    ScreeningRecord,
    ScreeningResult,
)
from rarecare.network.orpha import orpha_codes
from rarecare.network.schemas import ProgrammeIn, ScreeningFollowUpIn
from rarecare.registry import service as registry
from rarecare.registry.vault import Identity, IdentityVault
from rarecare.storage.versioning import check_version

# Screening records are the programme's, not a centre's: national roles and the data managers
# who run the screening labs' data read and write them; clinicians see a record once it is
# linked to a patient of theirs (through the registry).
SCREENING_ROLES = (Role.ADMIN, Role.MINISTRY, Role.DATA_MANAGER)
YEARLY_BIRTHS = 1_500_000  # Viet Nam's births a year (the figure), spread by population


# ------------------------------------------------------------------------------ programmes
def programmes(*, session: Session) -> list[ScreeningProgramme]:
    return list(session.scalars(select(ScreeningProgramme).order_by(ScreeningProgramme.name)))


def screenable(*, session: Session) -> set[str]:
    """The ORPHAcodes the national disease list in force flags for newborn screening."""
    return lists.newborn_screening_codes(session=session)


def add_programme(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase, data: ProgrammeIn
) -> ScreeningProgramme:
    """A programme screens diseases the national list flags for newborn screening."""
    actor = require_role(principal, Role.ADMIN, Role.MINISTRY)
    flagged = screenable(session=session)
    known_codes, problems = orpha_codes(kb, data.orpha_codes, field="orpha_codes")
    codes = [c for c in known_codes if c in flagged]
    problems += [
        FieldError(
            "orpha_codes",
            N_("%(code)s is not flagged for newborn screening on the national list"),
            params={"code": c},
        )
        for c in known_codes
        if c not in flagged
    ]
    known = {p.code for p in current_provinces()}
    problems += [
        FieldError(
            "provinces", N_("%(code)s is not one of the 34 province codes"), params={"code": p}
        )
        for p in data.provinces
        if p not in known
    ]
    if problems:
        raise ValidationFailed(_("The programme was not saved."), problems)
    if session.scalar(select(ScreeningProgramme.id).where(ScreeningProgramme.code == data.code)):
        raise Conflict(
            _("A programme with the code %(code)s exists already.") % {"code": data.code}
        )
    test_id = get_test(session=session, code=data.test_code).id if data.test_code else None
    programme = ScreeningProgramme(
        code=data.code,
        name=data.name.strip(),
        orpha_codes=codes,
        test_id=test_id,
        provinces=sorted(set(data.provinces)),
        started_on=data.started_on,
    )
    session.add(programme)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="screening_programme",
        object_id=programme.id,
    )
    return programme


# -------------------------------------------------------------------------------- records
def search(
    *,
    session: Session,
    principal: Principal | None,
    result: ScreeningResult | None = None,
    outcome: ScreeningOutcome | None = None,
    province: str | None = None,
    sample_code: str | None = None,
    limit: int = 100,
) -> list[ScreeningRecord]:
    """Screening records (pseudonymised), newest first: the follow-up worklist is
    ``result=positive, outcome=pending``."""
    actor = require_role(principal, *SCREENING_ROLES)
    query = select(ScreeningRecord).order_by(
        ScreeningRecord.sample_date.desc(), ScreeningRecord.id.desc()
    )
    if result is not None:
        query = query.where(ScreeningRecord.result == result)
    if outcome is not None:
        query = query.where(ScreeningRecord.outcome == outcome)
    if province:
        query = query.where(ScreeningRecord.province_code == province)
    if sample_code:
        query = query.where(ScreeningRecord.sample_code == sample_code.strip())
    found = list(session.scalars(query.limit(limit)))
    audit.record(
        session=session,
        actor=actor,
        action="search",
        object_type="screening",
        detail={"found": len(found), "result": result.value if result else None},
    )
    return found


def get_record(
    *, session: Session, principal: Principal | None, record_id: int, action: str = "read"
) -> ScreeningRecord:
    actor = require_role(principal, *SCREENING_ROLES)
    record = session.get(ScreeningRecord, record_id)
    if record is None:
        raise NotFound(_("No such screening record."))
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="screening",
        object_id=record.pseudonym,
    )
    return record


def identity_of(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    record_id: int,
    reason: str,
) -> Identity:
    """A newborn's identity, to recall the family (a reason is required; audited)."""
    actor = require_role(principal, Role.ADMIN, Role.DATA_MANAGER)
    why = require_reason(reason)
    record = get_record(
        session=session, principal=actor, record_id=record_id, action="reveal_reason"
    )
    row = session.get(ScreeningIdentity, record.id)
    if row is None:
        raise NotFound(_("No identity is stored for this record."))
    audit.record(
        session=session,
        actor=actor,
        action="reveal_reason",
        object_type="screening",
        object_id=record.pseudonym,
        detail={"reason": why},
    )
    return vault.decrypt(row.blob, str(record.id).encode(), version=row.key_version)


def follow_up(
    *,
    session: Session,
    principal: Principal | None,
    record_id: int,
    data: ScreeningFollowUpIn,
) -> ScreeningRecord:
    """Recall, confirmatory test and outcome of a positive or inconclusive screen; a confirmed
    case is linked to its registry record (which the actor must be able to see)."""
    actor = require_role(principal, *SCREENING_ROLES)
    record = get_record(session=session, principal=actor, record_id=record_id, action="follow_up")
    changes = data.model_dump(exclude={"version"})
    check_version(record, data.version, changes)
    problems: list[FieldError] = []
    if (
        record.result is ScreeningResult.NORMAL
        and data.outcome is not ScreeningOutcome.NOT_APPLICABLE
    ):
        problems.append(FieldError("outcome", N_("a normal screen needs no follow-up")))
    if data.outcome is ScreeningOutcome.CONFIRMED and data.patient_id is None:
        problems.append(FieldError("patient_id", N_("link the confirmed case to its record")))
    for name in ("recalled_on", "confirmed_on", "first_treatment_on"):
        day = getattr(data, name)
        if day is not None and (day < record.sample_date or day > date.today()):
            problems.append(FieldError(name, N_("between the sample's date and today")))
    if problems:
        raise ValidationFailed(_("The follow-up was not saved."), problems)
    if data.patient_id is not None:
        registry.open_record(
            session=session, principal=actor, patient_id=data.patient_id, action="link_screening"
        )
    for key, value in changes.items():
        setattr(record, key, value)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="follow_up",
        object_type="screening",
        object_id=record.pseudonym,
        detail={"outcome": data.outcome.value, "patient_id": data.patient_id},
    )
    return record


# -------------------------------------------------------------------------------- figures
@dataclass(frozen=True)
class ProvinceFigures:
    code: str
    name: str
    screened: int
    positives: int
    expected_births: int

    @property
    def coverage(self) -> float | None:
        return self.screened / self.expected_births if self.expected_births else None


@dataclass(frozen=True)
class Figures:
    first: date
    last: date
    screened: int
    positives: int
    inconclusive: int
    invalid: int
    confirmed: int
    false_positives: int
    provinces: list[ProvinceFigures]
    days_birth_to_result: float | None
    days_result_to_confirmation: float | None
    days_birth_to_treatment: float | None

    @property
    def coverage(self) -> float | None:
        births = sum(p.expected_births for p in self.provinces)
        return self.screened / births if births else None


def figures(*, session: Session, principal: Principal | None, first: date, last: date) -> Figures:
    """Screening in a period: coverage by province (screened / expected births: the yearly
    births spread by the provinces' populations), results, outcomes, and median days."""
    require_role(principal, Role.ADMIN, Role.MINISTRY, Role.DATA_MANAGER, Role.COMMITTEE)
    r = ScreeningRecord
    period = (r.sample_date >= first, r.sample_date <= last)
    counts = session.execute(
        select(r.province_code, r.result, r.outcome, func.count())
        .where(*period)
        .group_by(r.province_code, r.result, r.outcome)
    ).all()
    by_province: dict[str, list[int]] = {}
    totals = dict.fromkeys(("all", "positive", "inconclusive", "invalid", "confirmed", "fp"), 0)
    for province, result, outcome, n in counts:
        screened_pos = by_province.setdefault(province, [0, 0])
        screened_pos[0] += n
        totals["all"] += n
        if result is ScreeningResult.POSITIVE:
            screened_pos[1] += n
            totals["positive"] += n
        elif result is ScreeningResult.INCONCLUSIVE:
            totals["inconclusive"] += n
        elif result is ScreeningResult.INVALID_SAMPLE:
            totals["invalid"] += n
        if outcome is ScreeningOutcome.CONFIRMED:
            totals["confirmed"] += n
        elif outcome is ScreeningOutcome.FALSE_POSITIVE:
            totals["fp"] += n
    births = expected_births(first, last)
    provinces = [
        ProvinceFigures(
            code=p.code,
            name=p.name,
            screened=by_province.get(p.code, [0, 0])[0],
            positives=by_province.get(p.code, [0, 0])[1],
            expected_births=births.get(p.code, 0),
        )
        for p in current_provinces()
    ]
    followed = session.execute(
        select(
            r.sample_date,
            r.age_at_sample_hours,
            r.result_date,
            r.confirmed_on,
            r.first_treatment_on,
        ).where(*period, r.result != ScreeningResult.NORMAL)
    ).all()
    to_result, to_confirmation, to_treatment = [], [], []
    for sample_date, hours, result_date, confirmed_on, treated_on in followed:
        born = sample_date - timedelta(days=(hours or 0) // 24)
        if result_date:
            to_result.append((result_date - born).days)
            if confirmed_on:
                to_confirmation.append((confirmed_on - result_date).days)
        if treated_on:
            to_treatment.append((treated_on - born).days)
    return Figures(
        first=first,
        last=last,
        screened=totals["all"],
        positives=totals["positive"],
        inconclusive=totals["inconclusive"],
        invalid=totals["invalid"],
        confirmed=totals["confirmed"],
        false_positives=totals["fp"],
        provinces=provinces,
        days_birth_to_result=_median(to_result),
        days_result_to_confirmation=_median(to_confirmation),
        days_birth_to_treatment=_median(to_treatment),
    )


def expected_births(first: date, last: date) -> dict[str, int]:
    """The births expected in each province over a period: the yearly births spread by the
    provinces' populations (bundled with their source)."""
    people = populations()
    everyone = sum(p.population for p in people.values()) or 1
    share = ((last - first).days + 1) / 365.25
    return {
        code: round(YEARLY_BIRTHS * share * p.population / everyone) for code, p in people.items()
    }


def province_counts(*, session: Session, first: date, last: date) -> dict[str, tuple[int, int]]:
    """(newborns screened, positive screens) per province, samples taken in the period (for
    the indicators: counts only)."""
    r = ScreeningRecord
    rows = session.execute(
        select(r.province_code, r.result, func.count())
        .where(r.sample_date >= first, r.sample_date <= last)
        .group_by(r.province_code, r.result)
    )
    out: dict[str, tuple[int, int]] = {}
    for province, result, n in rows:
        screened, positives = out.get(province, (0, 0))
        positive = n if result is ScreeningResult.POSITIVE else 0
        out[province] = (screened + n, positives + positive)
    return out


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None
