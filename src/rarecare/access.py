"""Who may see what: roles and centre scoping, enforced in this one place.

Every service that touches centre-owned data calls :func:`ensure_centre_access` or filters with
:func:`centre_scope`; the web layer only turns a logged-in user into a :class:`Principal`.
Another centre's resource answers "not found", so its existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rarecare.errors import NotAuthenticated, NotFound, PermissionDenied
from rarecare.i18n import N_, _


class Role(StrEnum):
    ADMIN = "admin"
    MINISTRY = "ministry"
    CLINICIAN = "clinician"
    DATA_MANAGER = "data_manager"
    # the steering committee's members and secretariat: the action plan, meetings and national
    # aggregates, never patient-level data
    COMMITTEE = "committee"
    # an applicant for research data (a university, an institute, a company): their own data
    # access requests and, once released, their extracts; never a patient record
    RESEARCHER = "researcher"

    @property
    def is_centre_scoped(self) -> bool:
        return self in (Role.CLINICIAN, Role.DATA_MANAGER)


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.MINISTRY: N_("Ministry analyst"),
    Role.CLINICIAN: N_("Clinician"),
    Role.DATA_MANAGER: N_("Data manager"),
    Role.COMMITTEE: N_("Steering committee"),
    Role.RESEARCHER: N_("Researcher"),
}

NATIONAL_ROLES = frozenset({Role.ADMIN, Role.MINISTRY})
CENTRE_ROLES = frozenset({Role.CLINICIAN, Role.DATA_MANAGER})
# the roles that may see patient-level records at all (each within its scope)
RECORD_ROLES = NATIONAL_ROLES | CENTRE_ROLES


@dataclass(frozen=True)
class Principal:
    """The authenticated actor of a request or CLI command."""

    user_id: int
    username: str
    role: Role
    centre_id: int | None = None
    display_name: str = ""

    @property
    def sees_identities(self) -> bool:
        """Direct identifiers: centre staff for their own patients; admins only via audited
        reveal; the ministry never."""
        return self.role in CENTRE_ROLES


SYSTEM = Principal(user_id=0, username="system", role=Role.ADMIN, display_name="System")


def require_authenticated(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


def require_role(principal: Principal | None, *roles: Role) -> Principal:
    actor = require_authenticated(principal)
    if actor.role not in roles:
        raise PermissionDenied()
    return actor


def centre_scope(principal: Principal | None) -> int | None:
    """The only centre whose data ``principal`` may see, or ``None`` for national roles. A role
    without patient-level access (the steering committee) is refused here, the one gate of
    every centre-owned record."""
    actor = require_authenticated(principal)
    if actor.role not in RECORD_ROLES:
        raise PermissionDenied(_("Your role sees national aggregates, not patient records."))
    if actor.role in CENTRE_ROLES:
        if actor.centre_id is None:
            raise PermissionDenied(_("Your account is not attached to a treatment centre."))
        return actor.centre_id
    return None


def may_open_centre(principal: Principal | None, centre_id: int) -> bool:
    """Whether :func:`ensure_centre_access` lets ``principal`` into the centre (pages link only
    what opens; nobody logged in: the link leads to the login)."""
    if principal is None:
        return True
    try:
        ensure_centre_access(principal, centre_id)
    except (NotFound, PermissionDenied):
        return False
    return True


def ensure_centre_access(
    principal: Principal | None, centre_ids: int | set[int] | frozenset[int] | None
) -> Principal:
    """Allow national roles everywhere and centre roles only for their own centre.

    ``centre_ids`` is the owning centre (or the set of centres a record is shared with)."""
    actor = require_authenticated(principal)
    scope = centre_scope(actor)
    if scope is None:
        return actor
    allowed = centre_ids if isinstance(centre_ids, set | frozenset) else {centre_ids}
    if scope not in allowed:
        raise NotFound()
    return actor
