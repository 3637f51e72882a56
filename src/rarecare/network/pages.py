"""Care network pages: the centre's worklist (referrals in and out, those waiting for an answer
over a week, overdue samples, notifications), a referral with the steps its centre may take,
and a patient's referrals and laboratory tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import CENTRE_ROLES, Principal, Role
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.diagnosis.deps import Engine
from rarecare.errors import NotFound
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.network import labs, notifications, referrals
from rarecare.network.models import ReferralStatus, SampleStatus
from rarecare.network.schemas import (
    BackReferralIn,
    OutcomeIn,
    ReferralIn,
    SampleIn,
    SampleResultIn,
)
from rarecare.registry import service as registry
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import attachment
from rarecare.web.forms import FormFields, submitted
from rarecare.web.site import Section
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="network",
    closed_to=frozenset({Role.RESEARCHER}),
    title=N_("Network"),
    summary=N_(
        "Referrals between centres tracked end to end, laboratory tests and samples, newborn "
        "screening, and the centres of expertise."
    ),
)


def _centre_names(session: DbSession) -> dict[int, Any]:
    return {c.id: c for c in centres.list_centres(session=session)}


@pages.get("/network", response_class=HTMLResponse)
def network_home(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """The centre's worklist (national roles: every centre's; the steering committee, which
    sees no patient-level data, the directory and the screening figures only)."""
    records = user.role is not Role.COMMITTEE
    lists = (
        referrals.worklist(session=session, principal=user)
        if records
        else {"incoming": [], "outgoing": [], "awaiting": [], "closed": []}
    )
    return render(
        request,
        "network.html",
        {
            "module": "network",
            "info": SECTION,
            "records": records,
            "lists": lists,
            "late": {r.id for r in lists["awaiting"]},
            "overdue": labs.overdue(session=session, principal=user) if records else [],
            "notes": [
                (n, notifications.text_of(n))
                for n in notifications.recent(session=session, principal=user, limit=20)
            ],
            "timings": referrals.timings(session=session, principal=user) if records else {},
            "centres": _centre_names(session),
        },
    )


@pages.get("/network/notifications/badge", response_model=None)
def notifications_badge(request: Request, user: CurrentUser, session: DbSession) -> Response:
    """The header's count of the centre's unread notifications (loaded after the page; nothing
    when there are none)."""
    unread = notifications.unread_count(session=session, principal=user)
    if not unread:
        return Response(status_code=204)
    return render(request, "_unread_badge.html", {"unread": unread})


@pages.post("/network/notifications/read", response_model=None)
def notifications_read(user: CurrentUser, session: DbSession) -> Response:
    notifications.mark_read(session=session, principal=user)
    return RedirectResponse("/network", status_code=303)


# ------------------------------------------------------------------------------ a referral
def _referral_view(
    request: Request,
    user: Principal,
    session: DbSession,
    referral_id: int,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    referral = referrals.get_referral(session=session, principal=user, referral_id=referral_id)
    everyone = _centre_names(session)
    receiver = user.centre_id == referral.to_centre_id
    return render(
        request,
        "referral.html",
        {
            "r": referral,
            "centres": everyone,
            "receiver": receiver,
            "sender": user.centre_id == referral.from_centre_id,
            "awaiting": referrals.is_awaiting(referral),
            "near_home": [
                c
                for c in everyone.values()
                if c.level is not CentreLevel.NATIONAL and c.id != referral.to_centre_id
            ],
            "today": date.today(),
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/network/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    referral_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _referral_view(request, user, session, referral_id)


def _step(
    request: Request,
    user: Principal,
    session: DbSession,
    referral_id: int,
    action: Callable[[], object],
    back: str | Callable[[], str] | None = None,
) -> Response:
    """Run a form's action: on success to ``back`` (a path, or a function giving it once the
    action ran), else the referral page with the errors (nothing written)."""
    return submitted(
        session,
        action,
        failed=lambda errors, status: _referral_view(
            request, user, session, referral_id, errors=errors, status_code=status
        ),
        done=back or f"/network/referrals/{referral_id}",
    )


def _version(form: dict[str, str]) -> int | None:
    return int(form["version"]) if form.get("version", "").isdigit() else None


@pages.post("/network/referrals/{referral_id}/{step}", response_model=None)
def referral_step(
    referral_id: int,
    step: str,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
) -> Response:
    """Accept, decline, withdraw, seen, outcome or back: one form each on the referral page."""
    version = _version(form)
    steps: dict[str, Callable[[], object]] = {
        "accept": lambda: referrals.accept(
            session=session, principal=user, referral_id=referral_id, version=version
        ),
        "decline": lambda: referrals.decline(
            session=session,
            principal=user,
            referral_id=referral_id,
            reason=form.get("reason", ""),
            version=version,
        ),
        "withdraw": lambda: referrals.withdraw(
            session=session, principal=user, referral_id=referral_id, reason=form.get("reason", "")
        ),
        "seen": lambda: referrals.mark_seen(
            session=session,
            principal=user,
            referral_id=referral_id,
            seen_on=date.fromisoformat(form.get("seen_on") or date.today().isoformat()),
            version=version,
        ),
        "outcome": lambda: referrals.return_diagnosis(
            session=session,
            principal=user,
            kb=kb,
            referral_id=referral_id,
            data=OutcomeIn.model_validate(
                {
                    "outcome": form.get("outcome", ""),
                    "orpha_code": form.get("orpha_code") or None,
                    "version": version,
                }
            ),
        ),
    }
    if step == "back":
        made: list[int] = []

        def back() -> None:
            data = BackReferralIn.model_validate(
                {
                    "to_centre_code": form.get("to_centre_code", ""),
                    "reason": form.get("reason", ""),
                    "drug": form.get("drug", ""),
                }
            )
            made.append(
                referrals.back_refer(
                    session=session, principal=user, referral_id=referral_id, data=data
                ).id
            )

        return _step(
            request, user, session, referral_id, back, lambda: f"/network/referrals/{made[0]}"
        )
    if step not in steps:
        return _referral_view(request, user, session, referral_id, status_code=404)
    back_to = "/network" if step in ("decline", "withdraw") else None
    return _step(request, user, session, referral_id, steps[step], back_to)


@pages.post("/network/referrals/{referral_id}/attachments", response_model=None)
def referral_attach(
    referral_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    file: Annotated[UploadFile, File()],
) -> Response:
    content = read_upload(file)

    def attach() -> None:
        referrals.attach(
            session=session,
            principal=user,
            referral_id=referral_id,
            filename=file.filename or "attachment",
            content=content,
        )

    return _step(request, user, session, referral_id, attach)


@pages.get("/network/referrals/{referral_id}/attachments/{attachment_id}")
def referral_attachment(
    referral_id: int, attachment_id: int, user: CurrentUser, session: DbSession
) -> Response:
    item = referrals.attachment(
        session=session, principal=user, referral_id=referral_id, attachment_id=attachment_id
    )
    return attachment(item.content, item.filename, item.media_type)


# ------------------------------------------------------------------ a patient's network tab
def _patient_view(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: KnowledgeBase,
    patient_id: int,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    record = registry.open_record(
        session=session, principal=user, patient_id=patient_id, action="read"
    )
    everyone = _centre_names(session)
    suspected = [record.patient.orpha_code] if record.patient.orpha_code else []
    tests = labs.lab_tests(session=session)
    tests.sort(key=lambda t: (not set(t.orpha_codes) & set(suspected), t.name))
    return render(
        request,
        "patient_network.html",
        {
            "p": record.patient,
            "referrals": referrals.of_patient(session=session, record=record),
            "samples": [(s, labs.due(s)) for s in labs.samples_of(session=session, record=record)],
            "tests": tests,
            "centres": everyone,
            "others": [c for c in everyone.values() if c.id != user.centre_id],
            "can_write": user.role in CENTRE_ROLES,
            "statuses": [SampleStatus.SENT, SampleStatus.RECEIVED, SampleStatus.CANCELLED],
            "suspected": suspected,
            "kb": kb,
            "today": date.today(),
            "errors": errors or [],
            "form": form or {},
        },
        status_code=status_code,
    )


@pages.get("/registry/patients/{patient_id}/network", response_class=HTMLResponse)
def patient_network(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession, kb: Knowledge
) -> HTMLResponse:
    return _patient_view(request, user, session, kb, patient_id)


def _patient_act(
    request: Request,
    user: Principal,
    session: DbSession,
    kb: KnowledgeBase,
    patient_id: int,
    action: Callable[[], object],
    form: dict[str, str],
    back: str | Callable[[], str] | None = None,
) -> Response:
    return submitted(
        session,
        action,
        failed=lambda errors, status: _patient_view(
            request, user, session, kb, patient_id, errors=errors, form=form, status_code=status
        ),
        done=back or f"/registry/patients/{patient_id}/network",
    )


@pages.post("/registry/patients/{patient_id}/referrals", response_model=None)
def refer_submit(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    engine: Engine,
    form: FormFields,
) -> Response:
    """Send a referral; then its page, to attach letters."""
    made: list[int] = []

    def send() -> None:
        data = ReferralIn.model_validate(
            {
                "to_centre_code": form.get("to_centre_code", ""),
                "reason": form.get("reason", ""),
                "suspected": [c for c in form.get("suspected", "").replace(",", " ").split() if c],
                "urgency": form.get("urgency") or "routine",
            }
        )
        made.append(
            referrals.send(
                session=session,
                principal=user,
                kb=kb,
                engine=engine,
                patient_id=patient_id,
                data=data,
            ).id
        )

    return _patient_act(
        request, user, session, kb, patient_id, send, form, lambda: f"/network/referrals/{made[0]}"
    )


@pages.post("/registry/patients/{patient_id}/samples", response_model=None)
def order_submit(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
) -> Response:
    def order() -> None:
        data = SampleIn.model_validate(
            {
                "test_code": form.get("test_code", ""),
                "ordered_on": form.get("ordered_on") or None,
            }
        )
        labs.order(session=session, principal=user, patient_id=patient_id, data=data)

    return _patient_act(request, user, session, kb, patient_id, order, form)


@pages.post("/network/samples/{sample_id}/step", response_model=None)
def sample_step_submit(
    sample_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    form: FormFields,
) -> Response:
    patient_id = int(form.get("patient_id", "0") or 0)

    def step() -> None:
        labs.step(
            session=session,
            principal=user,
            sample_id=sample_id,
            status=SampleStatus(form.get("status", "")),
            on=date.fromisoformat(form["on"]) if form.get("on") else None,
            version=_version(form),
        )

    return _patient_act(request, user, session, kb, patient_id, step, form)


@pages.post("/network/samples/{sample_id}/result", response_model=None)
def sample_result_submit(
    sample_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kb: Knowledge,
    patient_id: Annotated[int, Form()],
    result_text: Annotated[str, Form()] = "",
    interpretation: Annotated[str, Form()] = "",
    resulted_on: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    content = read_upload(file) if file is not None and file.filename else b""

    def result() -> None:
        data = SampleResultIn.model_validate(
            {
                "result_text": result_text,
                "interpretation": interpretation,
                "resulted_on": resulted_on or None,
                "version": version or None,
            }
        )
        labs.record_result(
            session=session,
            principal=user,
            sample_id=sample_id,
            data=data,
            attachment=(file.filename or "report", content)
            if file is not None and content
            else None,
        )

    form = {"result_text": result_text, "interpretation": interpretation}
    return _patient_act(request, user, session, kb, patient_id, result, form)


@pages.get("/network/samples/{sample_id}/report")
def sample_report(sample_id: int, user: CurrentUser, session: DbSession) -> Response:
    sample = labs.get_sample(
        session=session, principal=user, sample_id=sample_id, action="read_attachment"
    )
    if sample.attachment is None:
        raise NotFound(_("No report is attached."))
    return attachment(sample.attachment, sample.attachment_name, sample.attachment_type)


__all__ = ["SECTION", "ReferralStatus", "pages"]
