"""The laboratory test directory (anyone may read it; administrators add laboratories and
tests) and the newborn screening pages: programmes, figures by province, the recall list of
positive screens, a record's follow-up, and the import of a laboratory's results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import Principal, Role
from rarecare.centres import service as centres
from rarecare.errors import FieldError, ValidationFailed
from rarecare.geo import current_provinces, province_names
from rarecare.i18n import N_, _
from rarecare.jobs.deps import Runner
from rarecare.knowledge import KnowledgeBase
from rarecare.network import jobs, labs, screening
from rarecare.network.models import (
    ScreeningOutcome,
    ScreeningResult,
    TestKind,
)
from rarecare.network.schemas import (
    LaboratoryIn,
    LabTestIn,
    ProgrammeIn,
    ScreeningFollowUpIn,
)
from rarecare.registry.deps import Vault
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.forms import FormFields, attempt, error_lines, submitted
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)


# ------------------------------------------------------------------------ test directory
def _labs_view(
    request: Request,
    session: DbSession,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user = principal_of(request)
    return render(
        request,
        "labs.html",
        {
            "labs": labs.laboratories(session=session),
            "provinces": province_names(),
            "province_choices": current_provinces(),
            "centres": centres.list_centres(session=session),
            "kinds": [k.value for k in TestKind],
            "can_edit": user is not None and user.role is Role.ADMIN,
            "errors": errors or [],
            "form": form or {},
        },
        status_code=status_code,
    )


@pages.get("/network/labs", response_class=HTMLResponse)
def labs_page(request: Request, session: DbSession) -> HTMLResponse:
    return _labs_view(request, session)


def _labs_act(
    request: Request, session: DbSession, action: Callable[[], object], form: dict[str, str]
) -> Response:
    return submitted(
        session,
        action,
        failed=lambda errors, status: _labs_view(
            request, session, errors=errors, form=form, status_code=status
        ),
        done="/network/labs",
    )


@pages.post("/network/labs", response_model=None)
def add_lab_submit(
    request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    def add() -> None:
        data = LaboratoryIn.model_validate(
            {
                "code": form.get("code", "").strip().upper(),
                "name": form.get("name", ""),
                "province_code": form.get("province_code", ""),
                "centre_code": form.get("centre_code") or None,
                "contact": form.get("contact", ""),
            }
        )
        labs.add_laboratory(session=session, principal=user, data=data)

    return _labs_act(request, session, add, form)


@pages.post("/network/tests", response_model=None)
def add_test_submit(
    request: Request, user: CurrentUser, session: DbSession, kb: Knowledge, form: FormFields
) -> Response:
    def add() -> None:
        data = LabTestIn.model_validate(
            {
                "laboratory_code": form.get("laboratory_code", ""),
                "code": form.get("code", "").strip().upper(),
                "name": form.get("name", ""),
                "kind": form.get("kind", ""),
                "orpha_codes": form.get("orpha_codes", "").replace(",", " ").split(),
                "sample_type": form.get("sample_type", ""),
                "turnaround_days": form.get("turnaround_days", ""),
                "price_vnd": form.get("price_vnd") or None,
                "insurance_covered": form.get("insurance_covered") == "yes",
            }
        )
        labs.add_test(session=session, principal=user, kb=kb, data=data)

    return _labs_act(request, session, add, form)


# ----------------------------------------------------------------------------- screening
def _period(first: str, last: str) -> tuple[date, date]:
    today = date.today()
    try:
        start = date.fromisoformat(first) if first else date(today.year, 1, 1)
        end = date.fromisoformat(last) if last else today
    except ValueError as exc:
        raise ValidationFailed(
            _("Invalid period."), [FieldError("first", N_("expected YYYY-MM-DD"))]
        ) from exc
    return start, end


def _screening_view(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: KnowledgeBase,
    *,
    first: str = "",
    last: str = "",
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    start, end = _period(first, last)
    records = user.role is not Role.COMMITTEE and user.role is not Role.CLINICIAN
    recall: list[Any] = []
    if records:
        for result in (ScreeningResult.POSITIVE, ScreeningResult.INCONCLUSIVE):
            recall += screening.search(
                session=session,
                principal=user,
                result=result,
                outcome=ScreeningOutcome.PENDING,
                limit=200,
            )
    flagged = sorted(screening.screenable(session=session))
    return render(
        request,
        "screening.html",
        {
            "programmes": screening.programmes(session=session),
            "figures": screening.figures(session=session, principal=user, first=start, last=end)
            if user.role is not Role.CLINICIAN
            else None,
            "recall": recall,
            "records": records,
            "can_define": user.role in (Role.ADMIN, Role.MINISTRY),
            "flagged": [
                (code, kb.diseases[code].name if code in kb.diseases else code) for code in flagged
            ],
            "tests": labs.lab_tests(session=session),
            "provinces": province_names(),
            "first": start,
            "last": end,
            "errors": errors or [],
            "form": form or {},
        },
        status_code=status_code,
    )


@pages.get("/network/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    first: str = "",
    last: str = "",
) -> HTMLResponse:
    return _screening_view(request, user, session, kb, first=first, last=last)


@pages.post("/network/screening/programmes", response_model=None)
def add_programme_submit(
    request: Request, user: CurrentUser, session: DbSession, kb: Knowledge, form: FormFields
) -> Response:
    def add() -> None:
        data = ProgrammeIn.model_validate(
            {
                "code": form.get("code", "").strip().upper(),
                "name": form.get("name", ""),
                "orpha_codes": [k[6:] for k, v in form.items() if k.startswith("orpha-") and v],
                "test_code": form.get("test_code") or None,
                "provinces": form.get("provinces", "").replace(",", " ").split(),
                "started_on": form.get("started_on") or None,
            }
        )
        screening.add_programme(session=session, principal=user, kb=kb, data=data)

    return submitted(
        session,
        add,
        failed=lambda errors, status: _screening_view(
            request, user, session, kb, errors=errors, form=form, status_code=status
        ),
        done="/network/screening",
    )


@pages.post("/network/screening/import", response_model=None)
def import_submit(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    runner: Runner,
    tasks: BackgroundTasks,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Start the import as a background job and follow it on its page."""
    job = jobs.submit_import(
        session=session,
        principal=user,
        settings=settings,
        filename=file.filename or "upload.csv",
        content=read_upload(file),
    )
    tasks.add_task(runner.start, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _record_view(
    request: Request,
    user: Principal,
    session: DbSession,
    record_id: int,
    *,
    identity: object = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    record = screening.get_record(session=session, principal=user, record_id=record_id)
    return render(
        request,
        "screening_record.html",
        {
            "r": record,
            "programme": next(
                (p for p in screening.programmes(session=session) if p.id == record.programme_id),
                None,
            ),
            "lab": next(
                (
                    lab
                    for lab in labs.laboratories(session=session)
                    if lab.id == record.laboratory_id
                ),
                None,
            ),
            "provinces": province_names(),
            "outcomes": [o.value for o in ScreeningOutcome],
            "identity": identity,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/network/screening/records/{record_id}", response_class=HTMLResponse)
def record_page(
    record_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _record_view(request, user, session, record_id)


@pages.post("/network/screening/records/{record_id}/follow-up", response_model=None)
def follow_up_submit(
    record_id: int, request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    def save() -> None:
        data = ScreeningFollowUpIn.model_validate(
            {
                "recalled_on": form.get("recalled_on") or None,
                "confirmatory_test": form.get("confirmatory_test", ""),
                "confirmed_on": form.get("confirmed_on") or None,
                "outcome": form.get("outcome", ""),
                "patient_id": form.get("patient_id") or None,
                "first_treatment_on": form.get("first_treatment_on") or None,
                "version": form.get("version") or None,
            }
        )
        screening.follow_up(session=session, principal=user, record_id=record_id, data=data)

    return submitted(
        session,
        save,
        failed=lambda errors, status: _record_view(
            request, user, session, record_id, errors=errors, status_code=status
        ),
        done=f"/network/screening/records/{record_id}",
    )


@pages.post("/network/screening/records/{record_id}/identity", response_class=HTMLResponse)
def identity_submit(
    record_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    vault: Vault,
    form: FormFields,
) -> HTMLResponse:
    """The family's contact, to recall them (a reason; audited)."""
    shown: list[object] = []
    error = attempt(
        lambda: shown.append(
            screening.identity_of(
                session=session,
                principal=user,
                vault=vault,
                record_id=record_id,
                reason=form.get("reason", ""),
            )
        )
    )
    if error is not None:
        session.rollback()
        return _record_view(
            request,
            user,
            session,
            record_id,
            errors=error_lines(error),
            status_code=error.status_code,
        )
    return _record_view(request, user, session, record_id, identity=shown[0])
