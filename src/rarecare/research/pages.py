"""Research pages: an applicant's requests and the form to write one (cohort, variables,
documents, the suppressed feasibility count), a request with the steps its reader may take
(submit, review, approve with conditions, reject, release, close, download), the committee,
and what the Beacon answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from rarecare.access import Principal, Role
from rarecare.errors import PermissionDenied
from rarecare.geo import current_provinces
from rarecare.i18n import N_
from rarecare.jobs import service as jobs
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.monitoring import service as monitoring
from rarecare.registry.models import Sex
from rarecare.research import committee, service
from rarecare.research import jobs as research_jobs
from rarecare.research.extract import VARIABLES
from rarecare.research.models import AccessRequest, DateHandling, DocumentKind, RequestStatus
from rarecare.research.schemas import ApproveIn, MemberIn, RejectIn, RequestIn
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import attachment
from rarecare.web.forms import FormFields, submitted
from rarecare.web.site import Section
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="research",
    title=N_("Research"),
    summary=N_(
        "Data access requests reviewed by the data access committee, consent-aware extracts, "
        "and a GA4GH Beacon that answers whether patients with a disease or phenotype exist."
    ),
)
SEXES = (Sex.FEMALE, Sex.MALE)


def _form_data(form: dict[str, str], multi: dict[str, list[str]]) -> dict[str, Any]:
    def number(name: str) -> int | None:
        value = form.get(name, "").strip()
        return int(value) if value.lstrip("-").isdigit() else None

    return {
        "organisation_code": form.get("organisation_code", ""),
        "title": form.get("title", ""),
        "purpose": form.get("purpose", ""),
        "cohort": {
            "orpha_codes": form.get("orpha_codes", ""),
            "hpo_ids": form.get("hpo_ids", ""),
            "provinces": multi.get("provinces", []),
            "sexes": multi.get("sexes", []),
            "diagnosis_year_from": number("diagnosis_year_from"),
            "diagnosis_year_to": number("diagnosis_year_to"),
            "age_min": number("age_min"),
            "age_max": number("age_max"),
        },
        "variables": multi.get("variables", []),
        "duration_months": number("duration_months") or 0,
        "version": number("version"),
    }


def _as_form(request: AccessRequest, organisation_code: str) -> dict[str, str]:
    cohort = request.cohort
    out = {
        "organisation_code": organisation_code,
        "title": request.title,
        "purpose": request.purpose,
        "orpha_codes": " ".join(cohort.get("orpha_codes", [])),
        "hpo_ids": " ".join(cohort.get("hpo_ids", [])),
        "duration_months": str(request.duration_months),
        "version": str(request.version),
    }
    for name in ("diagnosis_year_from", "diagnosis_year_to", "age_min", "age_max"):
        if cohort.get(name) is not None:
            out[name] = str(cohort[name])
    return out


def _editor(
    request: Request,
    session: DbSession,
    *,
    form: dict[str, str],
    chosen: dict[str, list[str]],
    editing: AccessRequest | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "research_form.html",
        {
            "form": form,
            "chosen": chosen,
            "editing": editing,
            "organisations": monitoring.organisations(session=session),
            "provinces": current_provinces(),
            "sexes": SEXES,
            "variables": VARIABLES,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/research", response_class=HTMLResponse)
def research_home(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """An applicant's requests; the committee's queue and the register for oversight roles."""
    try:
        requests = service.listing(session=session, principal=user)
        allowed = True
    except PermissionDenied:  # clinicians: the Beacon and how to apply, no register
        requests, allowed = [], False
    member = committee.is_member(session, user)
    return render(
        request,
        "research.html",
        {
            "module": "research",
            "info": SECTION,
            "requests": requests,
            "allowed": allowed,
            "applicant": user.role is Role.RESEARCHER,
            "member": member,
            "queue": [
                r
                for r in requests
                if r.status in (RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW)
            ]
            if member
            else [],
            "today": date.today(),
        },
    )


@pages.get("/research/requests/new", response_class=HTMLResponse)
def new_request(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    if user.role is not Role.RESEARCHER:
        raise PermissionDenied()
    return _editor(request, session, form={"duration_months": "12"}, chosen={"variables": ["sex"]})


async def _multi(request: Request) -> dict[str, list[str]]:
    """The form's fields that hold several values (a dependency, so that the route itself runs
    in the thread pool)."""
    data = await request.form()
    return {
        name: [str(v) for v in data.getlist(name)] for name in ("provinces", "sexes", "variables")
    }


MultiFields = Annotated[dict[str, list[str]], Depends(_multi)]


@pages.post("/research/requests/new", response_model=None)
def create_request(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
    multi: MultiFields,
) -> Response:
    made: list[int] = []

    def create() -> None:
        data = RequestIn.model_validate(_form_data(form, multi))
        made.append(service.create(session=session, principal=user, kb=kb, data=data).id)

    return submitted(
        session,
        create,
        failed=lambda errors, status: _editor(
            request, session, form=form, chosen=multi, errors=errors, status_code=status
        ),
        done=lambda: f"/research/requests/{made[0]}",
    )


@pages.get("/research/requests/{request_id}/edit", response_class=HTMLResponse)
def edit_request(
    request_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    item = service.get_request(session=session, principal=user, request_id=request_id)
    if item.applicant_id != user.user_id or item.status is not RequestStatus.DRAFT:
        raise PermissionDenied()
    org = next(o for o in monitoring.organisations(session=session) if o.id == item.organisation_id)
    chosen = {
        "provinces": list(item.cohort.get("provinces", [])),
        "sexes": list(item.cohort.get("sexes", [])),
        "variables": list(item.variables),
    }
    return _editor(request, session, form=_as_form(item, org.code), chosen=chosen, editing=item)


@pages.post("/research/requests/{request_id}/edit", response_model=None)
def save_request(
    request_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
    multi: MultiFields,
) -> Response:

    def save() -> None:
        data = RequestIn.model_validate(_form_data(form, multi))
        service.update(session=session, principal=user, kb=kb, request_id=request_id, data=data)

    return submitted(
        session,
        save,
        failed=lambda errors, status: _editor(
            request,
            session,
            form=form,
            chosen=multi,
            editing=service.get_request(session=session, principal=user, request_id=request_id),
            errors=errors,
            status_code=status,
        ),
        done=f"/research/requests/{request_id}",
    )


# ------------------------------------------------------------------------------ a request
def _request_view(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: Knowledge,
    request_id: int,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
    job: JobOut | None = None,
) -> HTMLResponse:
    item = service.get_request(session=session, principal=user, request_id=request_id)
    member = committee.is_member(session, user)
    applicant = item.applicant_id == user.user_id
    orgs = {o.id: o for o in monitoring.organisations(session=session)}
    feasible = (
        service.feasibility(session=session, principal=user, kb=kb, request_id=item.id)
        if applicant or member
        else None
    )
    today = date.today()
    return render(
        request,
        "research_request.html",
        {
            "r": item,
            "organisation": orgs.get(item.organisation_id),
            "applicant": applicant,
            "member": member,
            "releaser": member or user.role is Role.ADMIN,
            "closer": applicant or member or user.role is Role.ADMIN,
            "feasibility": feasible,
            "variables": VARIABLES,
            "extract": service.extract_of(session=session, request=item),
            "downloads": service.downloads(session=session, request=item),
            "expired": item.is_expired(today),
            "handlings": list(DateHandling),
            "kinds": list(DocumentKind),
            "disease_names": {
                c: kb.diseases[c].name
                for c in item.cohort.get("orpha_codes", [])
                if c in kb.diseases
            },
            "term_names": {t: kb.term_name(t) for t in item.cohort.get("hpo_ids", [])},
            "today": today,
            "default_expiry": today + timedelta(days=30 * item.duration_months),
            "errors": errors or [],
            "job": job,
        },
        status_code=status_code,
    )


@pages.get("/research/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    runner: Runner,
    job: int | None = None,
) -> HTMLResponse:
    """The request; with ``job``, the release job started from it, followed live."""
    followed = (
        runner.progress(jobs.get(session=session, principal=user, job_id=job)) if job else None
    )
    return _request_view(request, user, session, kb, request_id, job=followed)


def _step(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: Knowledge,
    request_id: int,
    action: Callable[[], object],
) -> Response:
    return submitted(
        session,
        action,
        failed=lambda errors, status: _request_view(
            request, user, session, kb, request_id, errors=errors, status_code=status
        ),
        done=f"/research/requests/{request_id}",
    )


def _version(form: dict[str, str]) -> int | None:
    return int(form["version"]) if form.get("version", "").isdigit() else None


@pages.post("/research/requests/{request_id}/documents", response_model=None)
def upload_document(
    request_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()],
) -> Response:
    content = read_upload(file)

    def attach() -> None:
        service.attach(
            session=session,
            principal=user,
            request_id=request_id,
            kind=DocumentKind(kind)
            if kind in {k.value for k in DocumentKind}
            else DocumentKind.OTHER,
            filename=file.filename or "document",
            content=content,
        )

    return _step(request, user, session, kb, request_id, attach)


@pages.get("/research/requests/{request_id}/documents/{document_id}")
def document(request_id: int, document_id: int, user: CurrentUser, session: DbSession) -> Response:
    item = service.document(
        session=session, principal=user, request_id=request_id, document_id=document_id
    )
    return attachment(item.content, item.filename, item.media_type)


@pages.get("/research/requests/{request_id}/extract")
def download(request_id: int, user: CurrentUser, session: DbSession) -> Response:
    filename, content = service.download(session=session, principal=user, request_id=request_id)
    return attachment(content, filename, "application/zip")


@pages.post("/research/requests/{request_id}/{step}", response_model=None)
def request_step(
    request_id: int,
    step: str,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
    runner: Runner,
    tasks: BackgroundTasks,
) -> Response:
    """Submit, review, approve, reject, release or close: one form each on the request page."""
    version = _version(form)
    steps: dict[str, Callable[[], object]] = {
        "submit": lambda: service.submit(session=session, principal=user, request_id=request_id),
        "review": lambda: service.start_review(
            session=session, principal=user, request_id=request_id, version=version
        ),
        "approve": lambda: service.approve(
            session=session,
            principal=user,
            request_id=request_id,
            data=ApproveIn.model_validate(
                {
                    "conditions": form.get("conditions", ""),
                    "date_handling": form.get("date_handling", ""),
                    "expires_on": form.get("expires_on") or None,
                    "version": version,
                }
            ),
        ),
        "reject": lambda: service.reject(
            session=session,
            principal=user,
            request_id=request_id,
            data=RejectIn.model_validate({"reason": form.get("reason", ""), "version": version}),
        ),
        "close": lambda: service.close(
            session=session, principal=user, request_id=request_id, note=form.get("note", "")
        ),
    }
    if step == "release":  # in the background: the page follows the job
        started: list[int] = []

        def release() -> None:
            job = research_jobs.submit_release(
                session=session, principal=user, request_id=request_id
            )
            started.append(job.id)
            tasks.add_task(runner.start, job.id)

        return submitted(
            session,
            release,
            failed=lambda errors, status: _request_view(
                request, user, session, kb, request_id, errors=errors, status_code=status
            ),
            done=lambda: f"/research/requests/{request_id}?job={started[0]}",
        )
    if step not in steps:
        return _request_view(request, user, session, kb, request_id, status_code=404)
    return _step(request, user, session, kb, request_id, steps[step])


# ------------------------------------------------------------------------------ committee
def _committee_view(
    request: Request,
    user: Principal,
    session: DbSession,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "research_committee.html",
        {
            "members": committee.members(session=session),
            "organisations": monitoring.organisations(session=session),
            "admin": user.role is Role.ADMIN,
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/research/committee", response_class=HTMLResponse)
def committee_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _committee_view(request, user, session)


@pages.post("/research/committee", response_model=None)
def committee_change(
    request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Add a member (username, organisation) or remove one (``remove``: the member's id)."""

    def change() -> None:
        if form.get("remove", "").isdigit():
            committee.remove_member(session=session, principal=user, member_id=int(form["remove"]))
        else:
            data = MemberIn.model_validate(
                {
                    "username": form.get("username", ""),
                    "organisation_code": form.get("organisation_code", ""),
                }
            )
            committee.add_member(session=session, principal=user, data=data)

    return submitted(
        session,
        change,
        failed=lambda errors, status: _committee_view(
            request, user, session, errors=errors, status_code=status
        ),
        done="/research/committee",
    )


@pages.get("/research/beacon", response_class=HTMLResponse)
def beacon_page(request: Request, settings: AppSettings) -> HTMLResponse:
    """What the Beacon is, what it answers whom, and how to query it."""
    return render(
        request,
        "research_beacon.html",
        {
            "public": settings.beacon_public_granularity,
            "registered": settings.beacon_registered_granularity,
        },
    )
