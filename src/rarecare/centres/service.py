"""Centre services: the directory of centres (public) and its upkeep (admins)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.centres.models import Centre
from rarecare.centres.schemas import CentreCareIn, CentreIn
from rarecare.errors import Conflict, FieldError, NotFound, ValidationFailed
from rarecare.geo import get_province
from rarecare.i18n import N_, _
from rarecare.storage.versioning import check_version


def list_centres(*, session: Session) -> list[Centre]:
    """All centres (public information)."""
    return list(session.scalars(select(Centre).order_by(Centre.level, Centre.name)))


def get_centre(*, session: Session, centre_id: int) -> Centre:
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound("No such treatment centre.")
    return centre


def get_centre_by_code(*, session: Session, code: str) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.code == code))
    if centre is None:
        raise NotFound(f"No treatment centre with code {code!r}.")
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
