"""Centres pages: the directory of treatment centres, and a new centre added by an
administrator (its capabilities are edited on its own page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import may_open_centre as may_open
from rarecare.centres import service
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.errors import RareCareError
from rarecare.geo import current_provinces, province_names
from rarecare.i18n import _
from rarecare.web.deps import CurrentUser, DbSession, principal_of
from rarecare.web.forms import FormFields, error_lines, invalid_as
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _directory(
    request: Request,
    session: DbSession,
    form: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    everyone = service.list_centres(session=session)
    return render(
        request,
        "centres.html",
        {
            "centres": everyone,
            # a centre's page is for its own staff and national roles (anyone else: login)
            "openable": {c.id for c in everyone if may_open(principal_of(request), c.id)},
            "provinces": province_names(),
            "province_choices": current_provinces(),
            "levels": [level.value for level in CentreLevel],
            "form": form or {},
            "errors": errors or [],
        },
        status_code=status,
    )


@pages.get("/centres", response_class=HTMLResponse)
def centres_page(request: Request, session: DbSession) -> HTMLResponse:
    return _directory(request, session)


@pages.post("/centres", response_model=None)
def create_centre(
    request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Add a treatment centre (administrators); its page then edits its capabilities."""
    try:
        with invalid_as(_("The centre was not saved.")):
            data = CentreIn.model_validate(
                {
                    "code": form.get("code", "").strip().upper(),
                    "name": form.get("name", "").strip(),
                    "name_en": form.get("name_en", "").strip(),
                    "level": form.get("level", ""),
                    "province_code": form.get("province_code", ""),
                }
            )
        centre = service.create_centre(session=session, principal=user, data=data)
    except RareCareError as exc:
        session.rollback()
        return _directory(request, session, form, error_lines(exc), exc.status_code)
    return RedirectResponse(f"/centres/{centre.id}", status_code=303)
