"""Centre services: the directory of centres (public) and its upkeep (admins)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.centres.models import Centre, Designation, Expert
from rarecare.centres.schemas import CentreCareIn, CentreIn, DesignationIn, ExpertIn
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed
from rarecare.geo import get_province
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase, normalise_orpha
from rarecare.storage.versioning import check_version


def list_centres(*, session: Session) -> list[Centre]:
    """All centres (public information)."""
    return list(session.scalars(select(Centre).order_by(Centre.level, Centre.name)))


def get_centre(*, session: Session, centre_id: int) -> Centre:
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound(_("No such treatment centre."))
    return centre


def get_centre_by_code(*, session: Session, code: str) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.code == code))
    if centre is None:
        raise NotFound(_("No treatment centre with code %(code)s.") % {"code": code})
    return centre


def create_centre(*, session: Session, principal: Principal | None, data: CentreIn) -> Centre:
    actor = require_role(principal, Role.ADMIN)
    if get_province(data.province_code) is None:
        raise ValidationFailed(
            _("Invalid centre."),
            [
                FieldError(
                    "province_code",
                    N_("%(code)s is not one of the 34 province codes"),
                    params={"code": data.province_code},
                )
            ],
        )
    if session.scalar(select(Centre.id).where(Centre.code == data.code)) is not None:
        raise Conflict(_("A centre with the code %(code)s exists already.") % {"code": data.code})
    centre = Centre(**data.model_dump(exclude={"version"}))
    session.add(centre)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="centre",
        object_id=centre.id,
        centre_id=centre.id,
    )
    return centre


def update_care(
    *, session: Session, principal: Principal | None, centre_id: int, data: CentreCareIn
) -> Centre:
    """Therapies, chairs, opening days and contact of a centre (admins)."""
    actor = require_role(principal, Role.ADMIN)
    centre = get_centre(session=session, centre_id=centre_id)
    changes = data.model_dump(exclude={"version"})
    check_version(centre, data.version, changes)
    for key, value in changes.items():
        setattr(centre, key, value)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="centre",
        object_id=centre.id,
        centre_id=centre.id,
        detail=changes,
    )
    return centre


# --------------------------------------------------------------- designations and experts
GROUP_TYPES = ("Category", "Clinical group")  # Orphanet's groups of disorders


def covers(kb: KnowledgeBase, groups: list[str], orpha_code: str) -> bool:
    """Whether a disease belongs to one of the Orphanet groups (itself or an ancestor)."""
    wanted, seen, todo = set(groups), set(), [orpha_code]
    while todo:
        code = todo.pop()
        if code in wanted:
            return True
        disease = kb.diseases.get(code)
        if disease is None or code in seen:
            continue
        seen.add(code)
        todo.extend(disease.parents)
    return False


def add_designation(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    centre_id: int,
    data: DesignationIn,
) -> Designation:
    """Record a designation decision (administrators)."""
    actor = require_role(principal, Role.ADMIN)
    centre = get_centre(session=session, centre_id=centre_id)
    groups: list[str] = []
    problems: list[FieldError] = []
    for code in data.groups:
        orpha = normalise_orpha(code)
        disease = kb.diseases.get(orpha) if orpha else None
        if disease is None or disease.disorder_type not in GROUP_TYPES:
            problems.append(
                FieldError(
                    "groups",
                    N_("%(code)s is not an Orphanet group of disorders"),
                    params={"code": code},
                )
            )
        elif orpha and orpha not in groups:
            groups.append(orpha)
    if data.valid_until is not None and data.valid_until < data.valid_from:
        problems.append(FieldError("valid_until", N_("after the start of validity")))
    if problems:
        raise ValidationFailed(_("The designation was not saved."), problems)
    designation = Designation(
        centre_id=centre.id,
        decision=data.decision.strip(),
        level=data.level,
        groups=groups,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        created_by=actor.username,
    )
    centre.designations.append(designation)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="designation",
        object_id=designation.id,
        centre_id=centre.id,
        detail={"decision": designation.decision, "groups": groups},
    )
    return designation


def current_designations(centre: Centre, on: date | None = None) -> list[Designation]:
    day = on or date.today()
    return [d for d in centre.designations if d.valid_on(day)]


def add_expert(
    *, session: Session, principal: Principal | None, centre_id: int, data: ExpertIn
) -> Expert:
    """A named expert of the centre's staff directory (administrators)."""
    actor = require_role(principal, Role.ADMIN)
    centre = get_centre(session=session, centre_id=centre_id)
    expert = Expert(
        centre_id=centre.id,
        name=data.name.strip(),
        specialty=data.specialty.strip(),
        note=data.note.strip(),
    )
    centre.experts.append(expert)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="expert",
        object_id=expert.id,
        centre_id=centre.id,
    )
    return expert


def remove_expert(
    *, session: Session, principal: Principal | None, centre_id: int, expert_id: int
) -> None:
    actor = require_role(principal, Role.ADMIN)
    centre = get_centre(session=session, centre_id=centre_id)
    expert = next((e for e in centre.experts if e.id == expert_id), None)
    if expert is None:
        raise NotFound(_("No such expert."))
    centre.experts.remove(expert)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type="expert",
        object_id=expert_id,
        centre_id=centre.id,
    )
