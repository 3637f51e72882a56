"""Centres JSON API: the directory (public) and its upkeep (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from rarecare.centres import service
from rarecare.centres.schemas import (
    CentreCareIn,
    CentreIn,
    CentreOut,
    DesignationIn,
    DesignationOut,
    ExpertIn,
    ExpertOut,
)
from rarecare.web.deps import Admin, DbSession, Knowledge

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


@api.post("/{centre_id}/designations", response_model=DesignationOut, status_code=201)
def api_designate(
    centre_id: int, data: DesignationIn, admin: Admin, session: DbSession, kb: Knowledge
) -> DesignationOut:
    """Record a designation as a centre of expertise for Orphanet groups (admins)."""
    return DesignationOut.model_validate(
        service.add_designation(
            session=session, principal=admin, kb=kb, centre_id=centre_id, data=data
        )
    )


@api.post("/{centre_id}/experts", response_model=ExpertOut, status_code=201)
def api_add_expert(centre_id: int, data: ExpertIn, admin: Admin, session: DbSession) -> ExpertOut:
    """A named expert of the centre's staff directory (admins)."""
    return ExpertOut.model_validate(
        service.add_expert(session=session, principal=admin, centre_id=centre_id, data=data)
    )


@api.delete("/{centre_id}/experts/{expert_id}", status_code=204)
def api_remove_expert(centre_id: int, expert_id: int, admin: Admin, session: DbSession) -> None:
    service.remove_expert(
        session=session, principal=admin, centre_id=centre_id, expert_id=expert_id
    )
