"""Registry request dependencies: the identity vault (keyed by the settings' data key) and the
scoped, audited handle of the patient record a path names."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from rarecare.registry import keys, service
from rarecare.registry.service import PatientRecord
from rarecare.registry.vault import IdentityVault
from rarecare.web.deps import AppSettings, CurrentUser, DbSession


def get_vault(settings: AppSettings, session: DbSession) -> IdentityVault:
    """The vault of the configured data key, checked against the database's key register."""
    return keys.vault_for(session=session, settings=settings)


Vault = Annotated[IdentityVault, Depends(get_vault)]


def opened(action: str) -> Any:
    """A dependency resolving the path's ``patient_id`` to the scoped handle of the record,
    audited once as ``action`` for the whole request (another centre's: 404)."""

    def dependency(patient_id: int, user: CurrentUser, session: DbSession) -> PatientRecord:
        return service.open_record(
            session=session, principal=user, patient_id=patient_id, action=action
        )

    return Depends(dependency)
