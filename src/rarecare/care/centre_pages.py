"""A treatment centre's page, and its care capabilities edited by administrators in the
browser: the therapies it gives (from the approved rare drug list), infusion chairs and
infusions per chair, opening days, same-day vial sharing and contact — versioned, as the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import Principal, Role
from rarecare.accounts import service as accounts
from rarecare.care import therapy
from rarecare.care.schedule import WEEKDAYS, parse_opening_days
from rarecare.centres import service as centre_service
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreCareIn, DesignationIn, ExpertIn
from rarecare.errors import RareCareError
from rarecare.geo import province_names
from rarecare.i18n import _
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.forms import FormFields, error_lines, invalid_as, submitted
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _centre_view(
    request: Request,
    user: Principal,
    session: DbSession,
    centre_id: int,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    staff = accounts.users_of_centre(session=session, principal=user, centre_id=centre_id)
    centre = centre_service.get_centre(session=session, centre_id=centre_id)
    return render(
        request,
        "centre.html",
        {
            "centre": centre,
            "staff": staff,
            "provinces": province_names(),
            "open_indexes": parse_opening_days(centre.opening_days),
            "weekdays": WEEKDAYS,
            "today": date.today(),
            "can_edit": user.role is Role.ADMIN,
            "drugs": sorted(therapy.current_drugs(session=session)),
            "levels": [level.value for level in CentreLevel],
            "in_force": {d.id for d in centre_service.current_designations(centre)},
            "errors": errors or [],
            "saved": request.query_params.get("saved"),
        },
        status_code=status,
    )


@pages.get("/centres/{centre_id}", response_class=HTMLResponse)
def centre_page(
    centre_id: int, request: Request, session: DbSession, user: CurrentUser
) -> HTMLResponse:
    return _centre_view(request, user, session, centre_id)


@pages.post("/centres/{centre_id}/care", response_model=None)
def centre_care_submit(
    centre_id: int, request: Request, session: DbSession, user: CurrentUser, form: FormFields
) -> Response:
    """Save the centre's capabilities (a form read before another change: 409)."""
    therapies = [
        name for name in therapy.current_drugs(session=session) if form.get(f"drug-{name}")
    ]
    try:
        with invalid_as(_("The centre was not saved.")):
            data = CentreCareIn.model_validate(
                {
                    "therapies": therapies,
                    "specialties": [
                        part.strip()
                        for part in form.get("specialties", "").split(",")
                        if part.strip()
                    ],
                    "chairs": form.get("chairs", ""),
                    "infusions_per_chair": form.get("infusions_per_chair", "") or 2,
                    "opening_days": "".join("1" if form.get(f"day-{i}") else "0" for i in range(7)),
                    "vial_sharing": form.get("vial_sharing") == "yes",
                    "contact": form.get("contact", ""),
                    "version": form.get("version") or None,
                }
            )
        centre_service.update_care(session=session, principal=user, centre_id=centre_id, data=data)
    except RareCareError as exc:
        session.rollback()
        return _centre_view(
            request, user, session, centre_id, errors=error_lines(exc), status=exc.status_code
        )
    return RedirectResponse(f"/centres/{centre_id}?saved=1", status_code=303)


def _designation_act(
    request: Request,
    user: Principal,
    session: DbSession,
    centre_id: int,
    action: Callable[[], object],
) -> Response:
    return submitted(
        session,
        action,
        failed=lambda errors, status: _centre_view(
            request, user, session, centre_id, errors=errors, status=status
        ),
        done=f"/centres/{centre_id}?saved=1#designations",
    )


@pages.post("/centres/{centre_id}/designations", response_model=None)
def designation_submit(
    centre_id: int,
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kb: Knowledge,
    form: FormFields,
) -> Response:
    """Record a designation decision (administrators)."""

    def add() -> None:
        data = DesignationIn.model_validate(
            {
                "decision": form.get("decision", ""),
                "level": form.get("level", ""),
                "groups": form.get("groups", "").replace(",", " ").split(),
                "valid_from": form.get("valid_from", ""),
                "valid_until": form.get("valid_until") or None,
            }
        )
        centre_service.add_designation(
            session=session, principal=user, kb=kb, centre_id=centre_id, data=data
        )

    return _designation_act(request, user, session, centre_id, add)


@pages.post("/centres/{centre_id}/experts", response_model=None)
def expert_submit(
    centre_id: int, request: Request, session: DbSession, user: CurrentUser, form: FormFields
) -> Response:
    def add() -> None:
        data = ExpertIn.model_validate(
            {
                "name": form.get("name", ""),
                "specialty": form.get("specialty", ""),
                "note": form.get("note", ""),
            }
        )
        centre_service.add_expert(session=session, principal=user, centre_id=centre_id, data=data)

    return _designation_act(request, user, session, centre_id, add)


@pages.post("/centres/{centre_id}/experts/{expert_id}/delete", response_model=None)
def expert_remove(
    centre_id: int, expert_id: int, request: Request, session: DbSession, user: CurrentUser
) -> Response:
    def remove() -> None:
        centre_service.remove_expert(
            session=session, principal=user, centre_id=centre_id, expert_id=expert_id
        )

    return _designation_act(request, user, session, centre_id, remove)
