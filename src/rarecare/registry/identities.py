"""The identity store's service: direct identifiers revealed to the patient's own centre and
(audited, with a reason) to admins, never to the ministry; key rotation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, PermissionDenied, ValidationFailed
from rarecare.i18n import _
from rarecare.registry.models import Identity as IdentityRow
from rarecare.registry.models import Patient
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
    if actor.role is Role.ADMIN and len(reason.strip()) < 10:
        raise ValidationFailed(
            _("A reason is required."), [FieldError("reason", "say why (at least 10 characters)")]
        )
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


def rotate_key(
    *, session: Session, principal: Principal | None, old: IdentityVault, new: IdentityVault
) -> int:
    """Re-encrypt every identity and recompute every pseudonym under a new data key."""
    actor = require_role(principal, Role.ADMIN)
    count = 0
    for row in session.scalars(select(IdentityRow)):
        identity = old.decrypt(row.blob, associated=str(row.patient_id).encode())
        row.blob = new.encrypt(identity, associated=str(row.patient_id).encode())
        patient = session.get(Patient, row.patient_id)
        if patient is not None:
            patient.pseudonym = new.pseudonym(identity)
        count += 1
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="rotate_key",
        object_type="registry",
        detail={"rows": count},
    )
    return count
