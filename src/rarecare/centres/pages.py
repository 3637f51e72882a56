"""Centres pages: the directory of treatment centres."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rarecare.centres import service
from rarecare.geo import province_names
from rarecare.web.deps import DbSession
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


@pages.get("/centres", response_class=HTMLResponse)
def centres_page(request: Request, session: DbSession) -> HTMLResponse:
    return render(
        request,
        "centres.html",
        {"centres": service.list_centres(session=session), "provinces": province_names()},
    )
