"""Centres JSON API: the directory (public) and its upkeep (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from rarecare.centres import service
from rarecare.centres.schemas import CentreCareIn, CentreIn, CentreOut
from rarecare.web.deps import Admin, DbSession

api = APIRouter(prefix="/api/centres", tags=["centres"])


@api.get("", response_model=list[CentreOut])
def api_centres(session: DbSession) -> list[CentreOut]:
    """All treatment centres (public)."""
    return [CentreOut.model_validate(c) for c in service.list_centres(session=session)]


@api.post("", response_model=CentreOut, status_code=201)
def api_create_centre(data: CentreIn, admin: Admin, session: DbSession) -> CentreOut:
    """Register a treatment centre (admins)."""
    return CentreOut.model_validate(
        service.create_centre(session=session, principal=admin, data=data)
    )


@api.put("/{centre_id}/care", response_model=CentreOut)
def api_centre_care(
    centre_id: int, data: CentreCareIn, admin: Admin, session: DbSession
) -> CentreOut:
    """Therapies, infusion chairs, opening days (admins)."""
    return CentreOut.model_validate(
        service.update_care(session=session, principal=admin, centre_id=centre_id, data=data)
    )
