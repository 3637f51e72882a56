"""The identity store's service: direct identifiers revealed to the patient's own centre and
(audited, with a reason) to admins, never to the ministry. Key rotation: ``keys.py``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated
from rarecare.audit import service as audit
from rarecare.errors import PermissionDenied, require_reason
from rarecare.i18n import _
from rarecare.registry.schemas import IdentityOut
from rarecare.registry.service import get, stored_identity
from rarecare.registry.vault import IdentityVault


def reveal_identity(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    patient_id: int,
    reason: str,
) -> IdentityOut:
    """Direct identifiers: for the patient's own centre staff and (audited, with a reason) for
    admins; never for the ministry."""
    actor = require_authenticated(principal)
    if actor.role is Role.MINISTRY:
        raise PermissionDenied(_("The ministry sees pseudonymised records only."))
    if actor.role is Role.ADMIN:
        require_reason(reason, 10)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="reveal")
    audit.record(
        session=session,
        actor=actor,
        action="reveal_reason",
        object_type="patient",
        object_id=patient.pseudonym,
        centre_id=patient.centre_id,
        detail={"reason": reason},
    )
    identity = stored_identity(session, vault, patient)
    return IdentityOut(pseudonym=patient.pseudonym, **{**identity.__dict__})
