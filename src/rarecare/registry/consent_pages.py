"""The patient's consents page: each purpose's current state and the whole history, with forms
to record a consent (date, version of the form) and to withdraw one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from rarecare.access import CENTRE_ROLES, Principal
from rarecare.registry import consent, service
from rarecare.registry.models import ConsentPurpose
from rarecare.registry.schemas import ConsentIn, WithdrawalIn
from rarecare.web.deps import CurrentUser, DbSession
from rarecare.web.forms import FormFields, submitted
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _view(
    request: Request,
    user: Principal,
    session: DbSession,
    patient_id: int,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    record = service.open_record(session=session, principal=user, patient_id=patient_id)
    history = consent.history(session=session, patient_id=record.id)
    current = {c.purpose: c for c in history if c.is_current}
    return render(
        request,
        "patient_consents.html",
        {
            "p": record.patient,
            "purposes": list(ConsentPurpose),
            "current": current,
            "history": history,
            "can_write": user.role in CENTRE_ROLES,
            "today": date.today(),
            "errors": errors or [],
            "form": form or {},
        },
        status_code=status_code,
    )


@pages.get("/registry/patients/{patient_id}/consents", response_class=HTMLResponse)
def consents_page(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _view(request, user, session, patient_id)


def _act(
    request: Request,
    user: Principal,
    session: DbSession,
    patient_id: int,
    action: Callable[[], object],
    form: dict[str, str],
) -> Response:
    return submitted(
        session,
        action,
        failed=lambda errors, status: _view(
            request, user, session, patient_id, errors=errors, form=form, status_code=status
        ),
        done=f"/registry/patients/{patient_id}/consents",
    )


@pages.post("/registry/patients/{patient_id}/consents", response_model=None)
def give_consent(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    def give() -> None:
        data = ConsentIn.model_validate(
            {
                "purpose": form.get("purpose", ""),
                "given_on": form.get("given_on") or None,
                "form_version": form.get("form_version", ""),
            }
        )
        record = service.open_record(
            session=session, principal=user, patient_id=patient_id, action="update"
        )
        consent.give(
            session=session,
            record=record,
            purpose=data.purpose,
            given_on=data.given_on,
            form_version=data.form_version,
        )

    return _act(request, user, session, patient_id, give, form)


@pages.post("/registry/patients/{patient_id}/consents/{purpose}/withdraw", response_model=None)
def withdraw_consent(
    patient_id: int,
    purpose: ConsentPurpose,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    form: FormFields,
) -> Response:
    def withdraw() -> None:
        data = WithdrawalIn.model_validate({"withdrawn_on": form.get("withdrawn_on") or None})
        record = service.open_record(
            session=session, principal=user, patient_id=patient_id, action="update"
        )
        consent.withdraw(
            session=session, record=record, purpose=purpose, withdrawn_on=data.withdrawn_on
        )

    return _act(request, user, session, patient_id, withdraw, form)
