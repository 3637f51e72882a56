"""Care pages: centres, the centre calendar and daily list, the patient therapy tab, drug
demand and the travel what-if with its map."""

from __future__ import annotations

import calendar as cal
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare import i18n
from rarecare.access import Principal, Role
from rarecare.care import followup, logistics, summary, therapy
from rarecare.care import travel as tr
from rarecare.care.adherence import ADHERENT_PDC
from rarecare.care.schedule import WEEKDAYS, parse_opening_days
from rarecare.care.schemas import AdministrationIn, PlanChangeIn, PlanIn, PlanStopIn, StockIn
from rarecare.centres import service as centre_service
from rarecare.errors import FieldError, ValidationFailed
from rarecare.geo import current_provinces
from rarecare.geo.svg import MAP_H, MAP_W, outlines, xy
from rarecare.i18n import N_, _
from rarecare.registry import service as registry
from rarecare.registry.deps import Vault
from rarecare.web.deps import CurrentUser, DbSession, Knowledge, principal_of
from rarecare.web.forms import FormFields, submitted
from rarecare.web.site import Section
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="care",
    closed_to=frozenset({Role.COMMITTEE, Role.RESEARCHER}),
    title=N_("Care"),
    summary=N_(
        "Treatment centres, long-term therapy plans, infusion schedules, adherence, drug "
        "demand and travel burden."
    ),
)


@pages.get("/care", response_class=HTMLResponse)
def care_page(request: Request, session: DbSession) -> HTMLResponse:
    user: Principal | None = principal_of(request)
    alerts = followup.alerts(session=session, principal=user)[:20] if user else []
    adherence = followup.adherence(session=session, principal=user) if user else []
    centres = centre_service.list_centres(session=session)
    below = sorted(
        (r for r in adherence if r.pdc is not None and r.pdc < ADHERENT_PDC),
        key=lambda r: r.pdc or 0.0,
    )
    return render(
        request,
        "care.html",
        {
            "module": "care",
            "info": SECTION,
            "alerts": alerts,
            "centres": centres,
            "centre_names": {c.id: c.name for c in centres},
            "adherence": followup.centre_summary(adherence),
            "below": below[:20],
            "adherent": ADHERENT_PDC,
        },
    )


@pages.get("/centres/{centre_id}/calendar", response_class=HTMLResponse)
def centre_calendar(
    centre_id: int, request: Request, session: DbSession, user: CurrentUser, month: str = ""
) -> HTMLResponse:
    """A month of the centre: booked slots / capacity per open day, conflicts flagged."""
    today = date.today()
    try:
        year, mon = (int(x) for x in month.split("-")) if month else (today.year, today.month)
        first = date(year, mon, 1)
    except ValueError as exc:
        raise ValidationFailed(
            _("Invalid month."), [FieldError("month", N_("expected YYYY-MM"))]
        ) from exc
    days_in = cal.monthrange(first.year, first.month)[1]
    centre = centre_service.get_centre(session=session, centre_id=centre_id)
    rows = therapy.centre_schedule(
        session=session, principal=user, centre_id=centre_id, start=first, days=days_in
    )
    booked = Counter(r.appointment.date for r in rows if r.appointment.date)
    flagged = Counter(
        r.appointment.date for r in rows if r.appointment.date and r.appointment.status != "ok"
    )
    opening = parse_opening_days(centre.opening_days)
    weeks = cal.Calendar().monthdatescalendar(first.year, first.month)
    prev = (first - timedelta(days=1)).replace(day=1)
    nxt = first + timedelta(days=days_in)
    return render(
        request,
        "centre_calendar.html",
        {
            "centre": centre,
            "weeks": weeks,
            "first": first,
            "booked": booked,
            "flagged": flagged,
            "opening": opening,
            "today": today,
            "prev": f"{prev:%Y-%m}",
            "next": f"{nxt:%Y-%m}",
            "weekdays": WEEKDAYS,
        },
    )


@pages.get("/centres/{centre_id}/day/{day}", response_class=HTMLResponse)
def centre_day(
    centre_id: int, day: date, request: Request, session: DbSession, user: CurrentUser
) -> HTMLResponse:
    """The daily infusion list: who comes, which dose, how many vials; record what was given."""
    centre = centre_service.get_centre(session=session, centre_id=centre_id)
    rows = therapy.centre_schedule(
        session=session, principal=user, centre_id=centre_id, start=day, days=1
    )
    rows = [r for r in rows if r.appointment.date == day]
    vials: defaultdict[str, int] = defaultdict(int)
    for r in rows:
        vials[r.appointment.drug] += r.vials or 0
    return render(
        request,
        "centre_day.html",
        {
            "centre": centre,
            "day": day,
            "rows": rows,
            "vials": dict(vials),
            "today": date.today(),
            "can_write": user.role.value in ("clinician", "data_manager"),
        },
    )


# ------------------------------------------------------------------------- therapy tab
def _therapy_view(
    request: Request,
    user: Principal,
    session: DbSession,
    patient_id: int,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    record = registry.open_record(
        session=session, principal=user, patient_id=patient_id, action="read_plans"
    )
    centres = {c.id: c for c in centre_service.list_centres(session=session)}
    mine = centres.get(user.centre_id or 0)
    drugs = therapy.current_drugs(session=session)
    offered = sorted(d for d in drugs if mine is None or d in mine.therapies)
    return render(
        request,
        "therapy.html",
        {
            "p": record.patient,
            "plans": therapy.plans_of(session=session, record=record),
            "schedule": therapy.patient_schedule(session=session, record=record)[:12],
            "given": therapy.administrations_of(session=session, record=record)[:20],
            "alerts": followup.alerts(session=session, principal=user, record=record),
            "adherence": {
                row.plan.id: row
                for row in followup.adherence(session=session, principal=user, record=record)
            },
            "weight": registry.latest_weight(record.patient),
            "drugs": offered,
            "centres": centres,
            "adherent": ADHERENT_PDC,
            "today": date.today(),
            "can_write": user.role.value in ("clinician", "data_manager"),
            "errors": errors or [],
        },
        status_code=status_code,
    )


@pages.get("/registry/patients/{patient_id}/therapy", response_class=HTMLResponse)
def therapy_tab(
    patient_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _therapy_view(request, user, session, patient_id)


def _act(
    request: Request,
    user: Principal,
    session: DbSession,
    patient_id: int,
    action: Callable[[], object],
    back: str,
) -> Response:
    """Run a form action of the therapy tab: back to ``back`` on success, the tab with the
    errors (nothing written) on failure."""
    return submitted(
        session,
        action,
        failed=lambda errors, status: _therapy_view(
            request, user, session, patient_id, errors=errors, status_code=status
        ),
        done=back,
    )


@pages.get("/registry/patients/{patient_id}/summary.pdf")
def patient_summary_pdf(
    patient_id: int, user: CurrentUser, session: DbSession, kb: Knowledge, vault: Vault
) -> Response:
    """The printable summary for a referral letter (the identity in it is an audited reveal)."""
    data = summary.summary(session=session, principal=user, vault=vault, patient_id=patient_id)
    body = summary.to_pdf(data, kb, lang=i18n.current_locale.get())
    name = f"{data.patient.pseudonym}-{data.made_on.isoformat()}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )


@pages.post("/registry/patients/{patient_id}/therapy/plans", response_model=None)
def therapy_create_plan(
    patient_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    drug: Annotated[str, Form()],
    start_date: Annotated[str, Form()],
    kb: Knowledge,
    weight_kg: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    indication_override: Annotated[str, Form()] = "",
) -> Response:
    def create() -> None:
        data = PlanIn.model_validate(
            {
                "drug": drug,
                "start_date": start_date,
                "weight_kg": weight_kg or None,
                "note": note,
                "indication_override": indication_override,
            }
        )
        therapy.create_plan(
            session=session, principal=user, patient_id=patient_id, data=data, kb=kb
        )

    back = f"/registry/patients/{patient_id}/therapy#schedule"
    return _act(request, user, session, patient_id, create, back)


@pages.post("/care/plans/{plan_id}/stop", response_model=None)
def therapy_stop_plan(
    plan_id: int, request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Stop a plan on a date, with the reason (kept in the plan's note and the audit)."""
    patient_id = int(form.get("patient_id", "0") or 0)

    def stop() -> None:
        on = PlanStopIn.model_validate({"end_date": form.get("end_date") or None}).end_date
        therapy.stop_plan(
            session=session,
            principal=user,
            plan_id=plan_id,
            on=on,
            version=int(form["version"]) if form.get("version", "").isdigit() else None,
            reason=form.get("reason", ""),
        )

    back = f"/registry/patients/{patient_id}/therapy#plans"
    return _act(request, user, session, patient_id, stop, back)


@pages.post("/care/plans/{plan_id}/change", response_model=None)
def therapy_change_plan(
    plan_id: int, request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """A new dose or interval from a date (the plan stops the day before)."""
    patient_id = int(form.get("patient_id", "0") or 0)

    def change() -> None:
        data = PlanChangeIn.model_validate(
            {
                name: form.get(name) or None
                for name in ("from_date", "dose", "interval_days", "weight_kg", "version")
            }
            | {"reason": form.get("reason", "")}
        )
        therapy.change_plan(session=session, principal=user, plan_id=plan_id, data=data)

    back = f"/registry/patients/{patient_id}/therapy#plans"
    return _act(request, user, session, patient_id, change, back)


@pages.post("/care/plans/{plan_id}/administrations", response_model=None)
def record_given(
    plan_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    patient_id: Annotated[int, Form()],
    given_on: Annotated[str, Form()],
    lot: Annotated[str, Form()] = "",
    reactions: Annotated[str, Form()] = "",
    dose: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    def record() -> None:
        data = AdministrationIn.model_validate(
            {"given_on": given_on, "lot": lot, "reactions": reactions, "dose": dose or None}
        )
        therapy.record_administration(session=session, principal=user, plan_id=plan_id, data=data)

    back = (
        next
        if next.startswith("/") and not next.startswith("//")
        else (f"/registry/patients/{patient_id}/therapy#given")
    )
    return _act(request, user, session, patient_id, record, back)


# ------------------------------------------------------------------------------ demand
@pages.get("/care/demand", response_class=HTMLResponse)
def demand_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> HTMLResponse:
    report = logistics.demand(session=session, principal=user, months=months)
    return render(
        request,
        "demand.html",
        {
            "report": report,
            "months": months,
            "drugs": sorted(therapy.current_drugs(session=session)),
            "centres": centre_service.list_centres(session=session),
        },
    )


@pages.post("/care/demand/stock", response_model=None)
def demand_stock(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    centre_id: Annotated[int, Form()],
    drug: Annotated[str, Form()],
    on_hand: Annotated[int, Form()],
) -> Response:
    logistics.set_stock(
        session=session,
        principal=user,
        centre_id=centre_id,
        data=StockIn(drug=drug, on_hand=on_hand),
    )
    return RedirectResponse("/care/demand", status_code=303)


# ------------------------------------------------------------------------------ travel
@pages.get("/care/travel", response_class=HTMLResponse)
def travel_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    drug: str = "",
    enable: Annotated[list[str] | None, Query()] = None,
    k: Annotated[int, Query(ge=1, le=10)] = 3,
) -> HTMLResponse:
    """Where patients travel from and to; enable a therapy at more centres to see the saving."""
    drugs = therapy.current_drugs(session=session)
    picture, result = logistics.travel(
        session=session, principal=user, drug=drug or None, enable=enable or ()
    )
    chosen = result.drug
    recommendation = (
        logistics.recommend(session=session, principal=user, drug=chosen, k=k) if chosen else None
    )
    flows: defaultdict[tuple[str, str], float] = defaultdict(float)
    patients: Counter[str] = Counter()
    for a in result.assignments:
        flows[(a.traveller.province, a.after)] += a.traveller.trips_per_year
        patients[a.traveller.province] += 1
    provinces = {p.code: p for p in current_provinces()}
    points = [
        {"code": p.code, "name": p.short, "xy": xy(p.lat, p.lon), "patients": patients[p.code]}
        for p in provinces.values()
    ]
    sites = [
        {
            "code": code,
            "xy": xy(place.lat, place.lon),
            "capable": bool(chosen and code in picture.capable.get(chosen, set())),
            "enabled": code in (enable or []),
        }
        for code, place in picture.places.items()
    ]
    lines = [
        {
            "from": xy(provinces[prov].lat, provinces[prov].lon),
            "to": xy(picture.places[code].lat, picture.places[code].lon),
            "trips": trips,
        }
        for (prov, code), trips in flows.items()
        if prov in provinces and code in picture.places and trips
    ]
    return render(
        request,
        "travel.html",
        {
            "drugs": sorted(drugs),
            "drug": chosen or "",
            "enable": enable or [],
            "k": k,
            "result": result,
            "recommendation": recommendation,
            "points": points,
            "sites": sites,
            "lines": lines,
            "centres": picture.centres,
            "map_w": MAP_W,
            "map_h": MAP_H,
            "outlines": outlines(),
            "road_factor": tr.ROAD_FACTOR,
            "local_km": tr.LOCAL_KM,
        },
    )
