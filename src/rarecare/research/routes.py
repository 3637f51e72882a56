"""Research JSON API: data access requests and the committee (``/api/research``), and the GA4GH
Beacon v2 endpoint (``/api/beacon/v2``), whose errors are Beacon error responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from rarecare.errors import RareCareError
from rarecare.i18n import gettext
from rarecare.jobs.deps import Runner
from rarecare.jobs.schemas import JobOut
from rarecare.research import beacon, committee, jobs, service
from rarecare.research.extract import VARIABLES
from rarecare.research.models import DocumentKind
from rarecare.research.schemas import (
    ApproveIn,
    DocumentOut,
    FeasibilityOut,
    MemberIn,
    RejectIn,
    RequestIn,
    RequestOut,
)
from rarecare.web.deps import AppSettings, CurrentUser, DbSession, Knowledge, MaybePrincipal
from rarecare.web.downloads import attachment
from rarecare.web.uploads import read_upload

api = APIRouter(prefix="/api/research", tags=["research"])
beacon_api = APIRouter(prefix="/api/beacon/v2", tags=["beacon"])


# ------------------------------------------------------------------------------ requests
@api.get("/variables")
def variables() -> dict[str, str]:
    """The variables a request may ask for, with their labels."""
    return {name: gettext(label) for name, label in VARIABLES.items()}


@api.get("/requests", response_model=list[RequestOut])
def requests(user: CurrentUser, session: DbSession) -> list[RequestOut]:
    """An applicant's own requests; for the committee and oversight roles, every submitted one."""
    return [RequestOut.model_validate(r) for r in service.listing(session=session, principal=user)]


@api.post("/requests", response_model=RequestOut, status_code=201)
def create_request(
    data: RequestIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> RequestOut:
    """A new data access request (a draft until submitted)."""
    return RequestOut.model_validate(
        service.create(session=session, principal=user, kb=kb, data=data)
    )


@api.get("/requests/{request_id}", response_model=RequestOut)
def get_request(request_id: int, user: CurrentUser, session: DbSession) -> RequestOut:
    return RequestOut.model_validate(
        service.get_request(session=session, principal=user, request_id=request_id)
    )


@api.put("/requests/{request_id}", response_model=RequestOut)
def update_request(
    request_id: int, data: RequestIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> RequestOut:
    """Change a draft (with ``version``: refused if it changed since)."""
    return RequestOut.model_validate(
        service.update(session=session, principal=user, kb=kb, request_id=request_id, data=data)
    )


@api.post("/requests/{request_id}/documents", response_model=DocumentOut, status_code=201)
def upload_document(
    request_id: int,
    user: CurrentUser,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    kind: Annotated[DocumentKind, Form()],
) -> DocumentOut:
    """Attach the protocol, the ethics approval or another document (PDF, PNG, JPEG)."""
    content = read_upload(file)
    return DocumentOut.model_validate(
        service.attach(
            session=session,
            principal=user,
            request_id=request_id,
            kind=kind,
            filename=file.filename or "document",
            content=content,
        )
    )


@api.get("/requests/{request_id}/documents/{document_id}")
def get_document(
    request_id: int, document_id: int, user: CurrentUser, session: DbSession
) -> Response:
    item = service.document(
        session=session, principal=user, request_id=request_id, document_id=document_id
    )
    return attachment(item.content, item.filename, item.media_type)


@api.get("/requests/{request_id}/feasibility", response_model=FeasibilityOut)
def feasibility(
    request_id: int, user: CurrentUser, session: DbSession, kb: Knowledge
) -> FeasibilityOut:
    """How many consenting patients the cohort holds; 1–4 shown as "<5"."""
    return service.feasibility(session=session, principal=user, kb=kb, request_id=request_id)


@api.post("/requests/{request_id}/submit", response_model=RequestOut)
def submit(request_id: int, user: CurrentUser, session: DbSession) -> RequestOut:
    """Send the draft to the committee (the protocol and the ethics approval attached)."""
    return RequestOut.model_validate(
        service.submit(session=session, principal=user, request_id=request_id)
    )


@api.post("/requests/{request_id}/review", response_model=RequestOut)
def start_review(
    request_id: int, user: CurrentUser, session: DbSession, version: int | None = None
) -> RequestOut:
    """A committee member takes the request under review."""
    return RequestOut.model_validate(
        service.start_review(
            session=session, principal=user, request_id=request_id, version=version
        )
    )


@api.post("/requests/{request_id}/approve", response_model=RequestOut)
def approve(request_id: int, data: ApproveIn, user: CurrentUser, session: DbSession) -> RequestOut:
    """Approve with conditions, the date handling and the expiry of the extract."""
    return RequestOut.model_validate(
        service.approve(session=session, principal=user, request_id=request_id, data=data)
    )


@api.post("/requests/{request_id}/reject", response_model=RequestOut)
def reject(request_id: int, data: RejectIn, user: CurrentUser, session: DbSession) -> RequestOut:
    return RequestOut.model_validate(
        service.reject(session=session, principal=user, request_id=request_id, data=data)
    )


@api.post("/requests/{request_id}/release", status_code=202, response_model=JobOut)
def release(
    request_id: int, user: CurrentUser, session: DbSession, runner: Runner, tasks: BackgroundTasks
) -> JobOut:
    """Build and release the extract of an approved request, in the background: follow the job
    at ``/api/jobs/{id}``; the request is then "released"."""
    job = jobs.submit_release(session=session, principal=user, request_id=request_id)
    tasks.add_task(runner.start, job.id)  # once this request's transaction has committed
    return JobOut.model_validate(job)


@api.post("/requests/{request_id}/close", response_model=RequestOut)
def close(
    request_id: int,
    user: CurrentUser,
    session: DbSession,
    note: Annotated[str, Body(embed=True)] = "",
) -> RequestOut:
    return RequestOut.model_validate(
        service.close(session=session, principal=user, request_id=request_id, note=note)
    )


@api.get("/requests/{request_id}/extract")
def download_extract(request_id: int, user: CurrentUser, session: DbSession) -> Response:
    """The released extract (ZIP: extract.csv + manifest.json), for its applicant until expiry."""
    filename, content = service.download(session=session, principal=user, request_id=request_id)
    return attachment(content, filename, "application/zip")


@api.get("/committee")
def committee_members(user: CurrentUser, session: DbSession) -> list[dict[str, Any]]:
    """The data access committee: member, organisation."""
    return [
        {"id": m.id, "username": username, "organisation": org.code, "added_at": m.added_at}
        for m, username, org in committee.members(session=session)
    ]


@api.post("/committee", status_code=201)
def add_member(data: MemberIn, user: CurrentUser, session: DbSession) -> dict[str, Any]:
    member = committee.add_member(session=session, principal=user, data=data)
    return {"id": member.id, "username": data.username, "organisation": data.organisation_code}


@api.delete("/committee/{member_id}", status_code=204)
def remove_member(member_id: int, user: CurrentUser, session: DbSession) -> Response:
    committee.remove_member(session=session, principal=user, member_id=member_id)
    return Response(status_code=204)


# ------------------------------------------------------------------------------ Beacon v2
def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@beacon_api.get("")
@beacon_api.get("/info")
def beacon_info(request: Request) -> dict[str, Any]:
    """The beacon: who runs it, what it answers."""
    return beacon.info(_base(request))


@beacon_api.get("/configuration")
def beacon_configuration(settings: AppSettings) -> dict[str, Any]:
    return beacon.configuration(public=settings.beacon_public_granularity)


@beacon_api.get("/map")
def beacon_map(request: Request) -> dict[str, Any]:
    return beacon.beacon_map(_base(request))


@beacon_api.get("/entry_types")
def beacon_entry_types() -> dict[str, Any]:
    return beacon.entry_types()


@beacon_api.get("/filtering_terms")
@beacon_api.get("/individuals/filtering_terms")
def beacon_filtering_terms(session: DbSession, kb: Knowledge) -> dict[str, Any]:
    """The ORPHA/OMIM diseases, HPO terms and sexes present among consenting records."""
    return beacon.filtering_terms(session=session, kb=kb)


def _answer(
    session: DbSession,
    kb: Knowledge,
    settings: AppSettings,
    principal: MaybePrincipal,
    filters: list[str],
    requested: str,
) -> Any:
    allowed = (
        settings.beacon_registered_granularity
        if principal is not None
        else settings.beacon_public_granularity
    )
    if requested not in beacon.GRANULARITIES:
        requested = "boolean"
    if allowed == "none":
        return JSONResponse(
            beacon.error(401, gettext("Log in to query this beacon."), requested), status_code=401
        )
    try:
        return beacon.individuals(
            session=session, kb=kb, filter_ids=filters, requested=requested, allowed=allowed
        )
    except RareCareError as exc:
        message = "; ".join([exc.message, *map(str, exc.details)])
        return JSONResponse(beacon.error(400, message, requested), status_code=400)


@beacon_api.get("/individuals")
def beacon_individuals(
    session: DbSession,
    kb: Knowledge,
    settings: AppSettings,
    principal: MaybePrincipal,
    filters: Annotated[str, Query(description="CURIEs, comma-separated")] = "",
    requestedGranularity: str = "boolean",  # noqa: N803 - Beacon's parameter name
) -> Any:
    """Do consenting individuals match every filter? A boolean, or a count where allowed."""
    ids = [f for f in filters.split(",") if f.strip()]
    return _answer(session, kb, settings, principal, ids, requestedGranularity)


@beacon_api.post("/individuals")
def beacon_individuals_post(
    session: DbSession,
    kb: Knowledge,
    settings: AppSettings,
    principal: MaybePrincipal,
    body: Annotated[dict[str, Any], Body()],
) -> Any:
    """The same question as a Beacon request body (``query.filters``,
    ``query.requestedGranularity``)."""
    query: dict[str, Any] = body["query"] if isinstance(body.get("query"), dict) else {}
    meta: dict[str, Any] = body["meta"] if isinstance(body.get("meta"), dict) else {}
    raw = query.get("filters") or []
    ids = [
        str(f.get("id", "")) if isinstance(f, dict) else str(f)
        for f in (raw if isinstance(raw, list) else [])
    ]
    requested = str(
        query.get("requestedGranularity") or meta.get("requestedGranularity") or "boolean"
    )
    return _answer(session, kb, settings, principal, ids, requested)
