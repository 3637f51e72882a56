"""The data access committee: its members are users (never applicants) for an organisation of
the directory; admins add and remove them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.accounts import service as accounts
from rarecare.audit import service as audit
from rarecare.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring import service as monitoring
from rarecare.monitoring.models import Organisation
from rarecare.research.models import AccessCommitteeMember
from rarecare.research.schemas import MemberIn


def is_member(session: Session, actor: Principal) -> bool:
    return (
        session.scalar(
            select(AccessCommitteeMember.id).where(AccessCommitteeMember.user_id == actor.user_id)
        )
        is not None
    )


def require_member(session: Session, principal: Principal | None) -> Principal:
    actor = require_authenticated(principal)
    if actor.role is Role.RESEARCHER or not is_member(session, actor):
        raise PermissionDenied(_("Only members of the data access committee may do that."))
    return actor


def members(*, session: Session) -> list[tuple[AccessCommitteeMember, str, Organisation]]:
    """The committee: each member, their username and their organisation."""
    rows = session.execute(
        select(AccessCommitteeMember, Organisation)
        .join(Organisation, Organisation.id == AccessCommitteeMember.organisation_id)
        .order_by(AccessCommitteeMember.id)
    ).all()
    names = accounts.usernames(session=session, user_ids=[m.user_id for m, _o in rows])
    return [(member, names.get(member.user_id, "?"), org) for member, org in rows]


def add_member(
    *, session: Session, principal: Principal | None, data: MemberIn
) -> AccessCommitteeMember:
    actor = require_role(principal, Role.ADMIN)
    user = accounts.get_user_by_username(session=session, username=data.username.strip())
    if user is None:
        raise ValidationFailed(
            _("The member was not added."),
            [FieldError("username", N_("no user %(code)s"), params={"code": data.username})],
        )
    if user.role is Role.RESEARCHER:
        raise ValidationFailed(
            _("The member was not added."),
            [FieldError("username", N_("an applicant cannot review requests"))],
        )
    org = monitoring.organisation_by_code(session, data.organisation_code, "organisation_code")
    if is_member(session, accounts.principal_for(user)):
        raise Conflict(_("This user is already a member of the committee."))
    member = AccessCommitteeMember(user_id=user.id, organisation_id=org.id, added_by=actor.username)
    session.add(member)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="add_committee_member",
        object_type="access_committee",
        object_id=user.username,
        detail={"organisation": org.code},
    )
    return member


def remove_member(*, session: Session, principal: Principal | None, member_id: int) -> None:
    actor = require_role(principal, Role.ADMIN)
    member = session.get(AccessCommitteeMember, member_id)
    if member is None:
        raise NotFound(_("No such member."))
    session.delete(member)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="remove_committee_member",
        object_type="access_committee",
        object_id=member.user_id,
    )
