"""Data access requests and the data access committee.

draft → submitted → under review → approved (with conditions) / rejected (reason) → extract
released → closed; a released extract can be downloaded by its applicant only, until the
expiry the committee set. Who may do what:

- the applicant (a researcher): writes, documents and submits their own requests, sees the
  feasibility count (small numbers suppressed), downloads the released extract;
- a member of the data access committee: reviews, approves with conditions (choosing how dates
  leave: shifted, month or year) or rejects, and releases the extract;
- admins manage the committee and may release or close; ministry analysts and data managers
  read the register of requests (not drafts) for oversight. Nobody else sees a request.

Every step is audited and kept in the request's history."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare import attachments
from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from rarecare.geo import current_provinces
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring import service as monitoring
from rarecare.monitoring.models import Organisation, OrgKind
from rarecare.registry import cohort as cohorts
from rarecare.registry.models import ConsentPurpose
from rarecare.research import committee, extract
from rarecare.research.extract import VARIABLES
from rarecare.research.models import (
    AccessRequest,
    DocumentKind,
    Extract,
    RequestDocument,
    RequestEvent,
    RequestStatus,
)
from rarecare.research.schemas import (
    ApproveIn,
    CohortIn,
    FeasibilityOut,
    RejectIn,
    RequestIn,
)
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version
from rarecare.suppression import SMALL

S = RequestStatus
OVERSIGHT = (Role.ADMIN, Role.MINISTRY, Role.DATA_MANAGER)


# ------------------------------------------------------------------------------ reading
def _may_see(session: Session, actor: Principal, request: AccessRequest) -> bool:
    if request.applicant_id == actor.user_id:
        return True
    if request.status is S.DRAFT:
        return False
    return actor.role in OVERSIGHT or (
        actor.role is not Role.RESEARCHER and committee.is_member(session, actor)
    )


def get_request(*, session: Session, principal: Principal | None, request_id: int) -> AccessRequest:
    """A request the actor may see (another applicant's: not found); audited."""
    actor = require_authenticated(principal)
    request = session.get(AccessRequest, request_id)
    if request is None or not _may_see(session, actor, request):
        raise NotFound(_("No such data access request."))
    audit.record(
        session=session,
        actor=actor,
        action="read",
        object_type="access_request",
        object_id=request.id,
    )
    return request


def listing(*, session: Session, principal: Principal | None) -> list[AccessRequest]:
    """An applicant's own requests; for the committee and oversight roles every submitted one."""
    actor = require_authenticated(principal)
    query = select(AccessRequest).order_by(AccessRequest.id.desc())
    if actor.role is Role.RESEARCHER:
        query = query.where(AccessRequest.applicant_id == actor.user_id)
    elif actor.role in OVERSIGHT or committee.is_member(session, actor):
        query = query.where(AccessRequest.status != S.DRAFT)
    else:
        raise PermissionDenied()
    return list(session.scalars(query.limit(500)))


def purposes_for(organisation: Organisation) -> tuple[ConsentPurpose, ...]:
    """The consents a release to ``organisation`` needs: research reuse, and international
    sharing for a partner outside Vietnam."""
    if organisation.kind is OrgKind.INTERNATIONAL:
        return (ConsentPurpose.RESEARCH, ConsentPurpose.INTERNATIONAL)
    return (ConsentPurpose.RESEARCH,)


def cohort_of(request: AccessRequest, organisation: Organisation, today: date) -> cohorts.Cohort:
    data = CohortIn.model_validate(request.cohort)
    return cohorts.Cohort(
        purposes=purposes_for(organisation),
        orpha_codes=data.orpha_codes,
        hpo_ids=data.hpo_ids,
        sexes=data.sexes,
        provinces=data.provinces,
        diagnosis_year_from=data.diagnosis_year_from,
        diagnosis_year_to=data.diagnosis_year_to,
        age_min=data.age_min,
        age_max=data.age_max,
        today=today,
    )


def feasibility(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    request_id: int,
    today: date | None = None,
) -> FeasibilityOut:
    """How many patients who consent to the request's purposes its cohort holds; 1–4 are shown
    as "<5" and the number itself not returned."""
    request = get_request(session=session, principal=principal, request_id=request_id)
    org = session.get(Organisation, request.organisation_id)
    assert org is not None
    cohort = cohort_of(request, org, today or date.today())
    n = cohorts.count(session=session, kb=kb, cohort=cohort)
    audit.record(
        session=session,
        actor=require_authenticated(principal),
        action="feasibility",
        object_type="access_request",
        object_id=request.id,
        detail={"shown": "<5" if n in SMALL else n},
    )
    return FeasibilityOut(
        count=None if n in SMALL else n,
        shown="<5" if n in SMALL else str(n),
        purposes=[p.value for p in cohort.purposes],
    )


# ------------------------------------------------------------------------------ writing
def _check(session: Session, kb: KnowledgeBase, data: RequestIn) -> Organisation:
    problems: list[FieldError] = []
    for code in data.cohort.orpha_codes:
        disease = kb.disease(code)
        if disease is None or disease.source != "ORPHA":
            problems.append(
                FieldError(
                    "cohort.orpha_codes", N_("unknown ORPHA code %(code)s"), params={"code": code}
                )
            )
    for term in data.cohort.hpo_ids:
        if kb.term(term) is None:
            problems.append(
                FieldError("cohort.hpo_ids", N_("unknown HPO term %(code)s"), params={"code": term})
            )
    provinces = {p.code for p in current_provinces()}
    for code in data.cohort.provinces:
        if code not in provinces:
            problems.append(
                FieldError(
                    "cohort.provinces", N_("unknown province %(code)s"), params={"code": code}
                )
            )
    for name in data.variables:
        if name not in VARIABLES:
            problems.append(
                FieldError("variables", N_("unknown variable %(code)s"), params={"code": name})
            )
    if problems:
        raise ValidationFailed(_("The request was not saved."), problems)
    return monitoring.organisation_by_code(session, data.organisation_code, "organisation_code")


def _normalised(kb: KnowledgeBase, data: RequestIn) -> tuple[dict[str, object], list[str]]:
    cohort = data.cohort.model_dump(mode="json")
    cohort["orpha_codes"] = [kb.disease(c).code for c in data.cohort.orpha_codes]  # type: ignore[union-attr]
    variables = [v for v in VARIABLES if v in set(data.variables)]  # the catalogue's order
    return cohort, variables


def _step(
    session: Session, actor: Principal, request: AccessRequest, to: RequestStatus, note: str = ""
) -> None:
    request.events.append(
        RequestEvent(
            from_status=request.status.value, to_status=to.value, actor=actor.username, note=note
        )
    )
    request.status = to
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=f"request_{to.value}",
        object_type="access_request",
        object_id=request.id,
        detail={"note": note} if note else None,
    )


def create(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase, data: RequestIn
) -> AccessRequest:
    """A new request, a draft of the applicant's until they submit it."""
    actor = require_role(principal, Role.RESEARCHER)
    org = _check(session, kb, data)
    cohort, variables = _normalised(kb, data)
    request = AccessRequest(
        applicant_id=actor.user_id,
        applicant=actor.username,
        organisation_id=org.id,
        title=data.title.strip(),
        purpose=data.purpose.strip(),
        cohort=cohort,
        variables=variables,
        duration_months=data.duration_months,
        status=S.DRAFT,
        pseudonym_salt=secrets.token_hex(32),
    )
    request.events.append(RequestEvent(to_status=S.DRAFT.value, actor=actor.username))
    session.add(request)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create_request",
        object_type="access_request",
        object_id=request.id,
    )
    return request


def _own(
    session: Session, principal: Principal | None, request_id: int, *states: RequestStatus
) -> tuple[Principal, AccessRequest]:
    actor = require_role(principal, Role.RESEARCHER)
    request = session.get(AccessRequest, request_id)
    if request is None or request.applicant_id != actor.user_id:
        raise NotFound(_("No such data access request."))
    if states and request.status not in states:
        raise Conflict(_("The request is no longer in a state that allows this."))
    return actor, request


def update(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    request_id: int,
    data: RequestIn,
) -> AccessRequest:
    actor, request = _own(session, principal, request_id, S.DRAFT)
    check_version(request, data.version, {})
    org = _check(session, kb, data)
    cohort, variables = _normalised(kb, data)
    request.organisation_id = org.id
    request.title, request.purpose = data.title.strip(), data.purpose.strip()
    request.cohort, request.variables = cohort, variables
    request.duration_months = data.duration_months
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="update_request",
        object_type="access_request",
        object_id=request.id,
    )
    return request


def attach(
    *,
    session: Session,
    principal: Principal | None,
    request_id: int,
    kind: DocumentKind,
    filename: str,
    content: bytes,
) -> RequestDocument:
    """A protocol, ethics approval or other document (PDF, PNG, JPEG; ≤ 10 MB), before the
    committee decides."""
    actor, request = _own(session, principal, request_id, S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW)
    name, media_type = attachments.checked(filename, content)
    document = RequestDocument(
        kind=kind,
        filename=name,
        media_type=media_type,
        size=len(content),
        content=content,
        uploaded_by=actor.username,
    )
    request.documents.append(document)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="upload_document",
        object_type="access_request",
        object_id=request.id,
        detail={"kind": kind.value, "filename": name, "size": len(content)},
    )
    return document


def document(
    *, session: Session, principal: Principal | None, request_id: int, document_id: int
) -> RequestDocument:
    request = get_request(session=session, principal=principal, request_id=request_id)
    found = next((d for d in request.documents if d.id == document_id), None)
    if found is None:
        raise NotFound(_("No such document."))
    return found


def submit(*, session: Session, principal: Principal | None, request_id: int) -> AccessRequest:
    """Send a draft to the committee: its protocol and ethics approval must be attached."""
    actor, request = _own(session, principal, request_id, S.DRAFT)
    kinds = {d.kind for d in request.documents}
    needed = {
        DocumentKind.PROTOCOL: N_("the study protocol is missing"),
        DocumentKind.ETHICS: N_("the ethics approval is missing"),
    }
    missing = [FieldError("documents", text) for kind, text in needed.items() if kind not in kinds]
    if missing:
        raise ValidationFailed(_("The request was not submitted."), missing)
    request.submitted_at = utcnow()
    _step(session, actor, request, S.SUBMITTED)
    return request


def _for_committee(
    session: Session,
    principal: Principal | None,
    request_id: int,
    version: int | None,
    *states: RequestStatus,
) -> tuple[Principal, AccessRequest]:
    actor = committee.require_member(session, principal)
    request = session.get(AccessRequest, request_id)
    if request is None or request.status is S.DRAFT:
        raise NotFound(_("No such data access request."))
    check_version(request, version, {})
    if request.status not in states:
        raise Conflict(_("The request is no longer in a state that allows this."))
    return actor, request


def start_review(
    *, session: Session, principal: Principal | None, request_id: int, version: int | None = None
) -> AccessRequest:
    actor, request = _for_committee(session, principal, request_id, version, S.SUBMITTED)
    request.reviewer = actor.username
    _step(session, actor, request, S.UNDER_REVIEW)
    return request


def approve(
    *,
    session: Session,
    principal: Principal | None,
    request_id: int,
    data: ApproveIn,
    today: date | None = None,
) -> AccessRequest:
    """Approve with conditions, choosing how dates leave and until when the extract may be
    downloaded."""
    actor, request = _for_committee(session, principal, request_id, data.version, S.UNDER_REVIEW)
    if data.expires_on <= (today or date.today()):
        raise ValidationFailed(
            _("The request was not approved."),
            [FieldError("expires_on", N_("must be after today"))],
        )
    request.conditions = data.conditions.strip()
    request.date_handling = data.date_handling
    request.expires_on = data.expires_on
    request.reviewer, request.decided_at = actor.username, utcnow()
    _step(session, actor, request, S.APPROVED, request.conditions)
    return request


def reject(
    *, session: Session, principal: Principal | None, request_id: int, data: RejectIn
) -> AccessRequest:
    actor, request = _for_committee(
        session, principal, request_id, data.version, S.SUBMITTED, S.UNDER_REVIEW
    )
    request.reason = data.reason.strip()
    request.reviewer, request.decided_at = actor.username, utcnow()
    _step(session, actor, request, S.REJECTED, request.reason)
    return request


def close(
    *, session: Session, principal: Principal | None, request_id: int, note: str = ""
) -> AccessRequest:
    """End a request: its applicant (withdrawing it), a committee member or an admin. A released
    extract can no longer be downloaded."""
    actor = require_authenticated(principal)
    request = session.get(AccessRequest, request_id)
    allowed = request is not None and (
        request.applicant_id == actor.user_id
        or (
            request.status is not S.DRAFT
            and (actor.role is Role.ADMIN or committee.is_member(session, actor))
        )
    )
    if request is None or not allowed:
        raise NotFound(_("No such data access request."))
    if request.status in (S.CLOSED, S.REJECTED):
        raise Conflict(_("The request is no longer in a state that allows this."))
    _step(session, actor, request, S.CLOSED, note.strip())
    return request


# ------------------------------------------------------------------------------ extracts
def check_release(*, session: Session, principal: Principal | None, request_id: int) -> Principal:
    """The actor, if they may release this request's extract now: a committee member or an
    admin, the request approved."""
    actor = require_authenticated(principal)
    if actor.role is not Role.ADMIN:
        actor = committee.require_member(session, actor)
    request = session.get(AccessRequest, request_id)
    if request is None or request.status is S.DRAFT:
        raise NotFound(_("No such data access request."))
    if request.status is not S.APPROVED:
        raise Conflict(_("The request is no longer in a state that allows this."))
    return actor


def release(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    request_id: int,
    today: date | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Extract:
    """Build and release the extract of an approved request: the consenting members of its
    cohort now, the requested variables only, project pseudonyms, dates as the committee chose,
    and a manifest (request, conditions, checksum). A committee member or an admin releases;
    ``progress`` hears (rows written, rows in all)."""
    actor = check_release(session=session, principal=principal, request_id=request_id)
    request = session.get(AccessRequest, request_id)
    assert request is not None
    today = today or date.today()
    org = session.get(Organisation, request.organisation_id)
    assert org is not None
    assert request.date_handling is not None
    cohort = cohort_of(request, org, today)
    released: list[str] = []
    total = cohorts.count(session=session, kb=kb, cohort=cohort) if progress else None
    row_of = extract.row_reader(
        list(request.variables),
        handling=request.date_handling,
        salt=request.pseudonym_salt,
        kb=kb,
    )

    def rows() -> Iterator[dict[str, str]]:
        for batch in cohorts.members(session=session, kb=kb, cohort=cohort):
            if progress is not None:
                progress(len(released), total)
            for patient in batch:
                released.append(patient.pseudonym)
                yield row_of(patient)

    manifest = {
        "request_id": request.id,
        "title": request.title,
        "applicant": request.applicant,
        "organisation": org.code,
        "generated_at": utcnow().isoformat(),
        "expires_on": request.expires_on.isoformat() if request.expires_on else None,
        "conditions": request.conditions,
        "date_handling": request.date_handling.value,
        "consents_required": [p.value for p in cohort.purposes],
        "cohort": request.cohort,
        "source": "RareCare registry",
    }
    content, checksum, count = extract.package(rows(), list(request.variables), manifest)
    item = Extract(
        request_id=request.id,
        rows=count,
        sha256=checksum,
        content=content,
        released_by=actor.username,
    )
    session.add(item)
    _step(session, actor, request, S.RELEASED, f"{count} rows, sha256 {checksum}")
    audit.record(
        session=session,
        actor=actor,
        action="release_extract",
        object_type="patient",
        detail={"request": request.id, "sha256": checksum, "returned": released},
    )
    return item


def download(
    *, session: Session, principal: Principal | None, request_id: int, today: date | None = None
) -> tuple[str, bytes]:
    """(file name, ZIP) of a released extract, for its applicant only, until it expires."""
    actor, request = _own(session, principal, request_id)
    if request.status is not S.RELEASED:
        raise Conflict(_("There is no released extract to download."))
    if request.is_expired(today or date.today()):
        raise PermissionDenied(_("The extract has expired and can no longer be downloaded."))
    item = session.scalar(select(Extract).where(Extract.request_id == request.id))
    assert item is not None
    audit.record(
        session=session,
        actor=actor,
        action="download_extract",
        object_type="access_request",
        object_id=request.id,
        detail={"sha256": item.sha256, "rows": item.rows},
    )
    return f"rarecare-extract-{request.id}.zip", item.content


def extract_of(*, session: Session, request: AccessRequest) -> Extract | None:
    """The released extract's record (rows, checksum) of a request already read."""
    return session.scalar(select(Extract).where(Extract.request_id == request.id))


def downloads(*, session: Session, request: AccessRequest) -> int:
    """How many times the extract of a request already read was downloaded (the audit log)."""
    return audit.count(
        session=session,
        action="download_extract",
        object_type="access_request",
        object_id=request.id,
    )
