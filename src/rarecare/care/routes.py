"""Treatment centres: pages and JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rarecare.accounts import service as accounts
from rarecare.care import service
from rarecare.care.schemas import CentreIn, CentreOut, StaffMemberOut
from rarecare.geo import current_provinces
from rarecare.web.deps import Admin, CurrentUser, DbSession
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/centres", tags=["care"])


@pages.get("/centres", response_class=HTMLResponse)
def centres_page(request: Request, session: DbSession) -> HTMLResponse:
    provinces = {p.code: p.short for p in current_provinces()}
    return render(
        request,
        "centres.html",
        {"centres": service.list_centres(session=session), "provinces": provinces},
    )


@pages.get("/centres/{centre_id}", response_class=HTMLResponse)
def centre_page(
    centre_id: int, request: Request, session: DbSession, user: CurrentUser
) -> HTMLResponse:
    staff = accounts.users_of_centre(session=session, principal=user, centre_id=centre_id)
    centre = service.get_centre(session=session, centre_id=centre_id)
    provinces = {p.code: p.short for p in current_provinces()}
    return render(
        request, "centre.html", {"centre": centre, "staff": staff, "provinces": provinces}
    )


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


@api.get("/{centre_id}/staff", response_model=list[StaffMemberOut])
def api_centre_staff(centre_id: int, user: CurrentUser, session: DbSession) -> list[StaffMemberOut]:
    """A centre's staff: its own staff and national roles only; another centre gets 404."""
    staff = accounts.users_of_centre(session=session, principal=user, centre_id=centre_id)
    return [StaffMemberOut.model_validate(u) for u in staff]
