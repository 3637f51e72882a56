"""Care JSON API: centre schedules and stock, therapy plans, schedules, administrations, alerts,
adherence, demand, travel."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from rarecare.care import followup, logistics, therapy
from rarecare.care.adherence import ADHERENT_PDC
from rarecare.care.schemas import (
    AdherenceOut,
    AdministrationIn,
    AdministrationOut,
    AlertOut,
    AppointmentOut,
    DemandOut,
    PlanChangeIn,
    PlanIn,
    PlanOut,
    StockIn,
)
from rarecare.care.therapy import Scheduled
from rarecare.care.travel import Burden, Recommendation, WhatIf
from rarecare.registry import service as registry
from rarecare.registry.deps import opened
from rarecare.registry.service import PatientRecord
from rarecare.web.deps import CurrentUser, DbSession, Knowledge
from rarecare.web.downloads import check_format, download

api = APIRouter(prefix="/api/centres", tags=["care"])
plans_api = APIRouter(prefix="/api", tags=["care"])


def appointment_out(row: Scheduled) -> AppointmentOut:
    a = row.appointment
    return AppointmentOut(
        plan_id=a.plan_id,
        patient=a.patient_key,
        patient_id=row.patient_id,
        centre_id=a.centre_id,
        drug=a.drug,
        number=a.number,
        ideal=a.ideal,
        date=a.date,
        status=a.status.value,
        reason=a.reason,
        alternatives=a.alternatives,
        dose=row.dose,
        dose_unit=row.dose_unit,
        vials=row.vials,
    )


@api.get("/{centre_id}/schedule", response_model=list[AppointmentOut])
def api_centre_schedule(
    centre_id: int,
    user: CurrentUser,
    session: DbSession,
    start: date | None = None,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
) -> list[AppointmentOut]:
    """Appointments at a centre (its staff and national roles), with conflicts flagged."""
    rows = therapy.centre_schedule(
        session=session,
        principal=user,
        centre_id=centre_id,
        start=start or date.today(),
        days=days,
    )
    return [appointment_out(r) for r in rows]


@api.put("/{centre_id}/stock", status_code=204)
def api_set_stock(centre_id: int, data: StockIn, user: CurrentUser, session: DbSession) -> None:
    """Vials of a drug on hand at the centre (its staff)."""
    logistics.set_stock(session=session, principal=user, centre_id=centre_id, data=data)


# ---------------------------------------------------------------------------- therapy plans
@plans_api.post("/registry/patients/{patient_id}/plans", response_model=PlanOut, status_code=201)
def api_create_plan(
    patient_id: int, data: PlanIn, user: CurrentUser, session: DbSession, kb: Knowledge
) -> PlanOut:
    """A therapy plan for the patient at the user's centre, for one of the drug's listed
    indications or off-label with ``indication_override`` (the reason, audited)."""
    return PlanOut.model_validate(
        therapy.create_plan(
            session=session, principal=user, patient_id=patient_id, data=data, kb=kb
        )
    )


@plans_api.get("/registry/patients/{patient_id}/plans", response_model=list[PlanOut])
def api_plans(
    record: Annotated[PatientRecord, opened("read_plans")], session: DbSession
) -> list[PlanOut]:
    return [PlanOut.model_validate(p) for p in therapy.plans_of(session=session, record=record)]


@plans_api.get("/registry/patients/{patient_id}/schedule", response_model=list[AppointmentOut])
def api_patient_schedule(
    record: Annotated[PatientRecord, opened("read_plans")],
    session: DbSession,
    days: Annotated[int, Query(ge=1, le=366)] = 120,
) -> list[AppointmentOut]:
    """The patient's next appointments (dose at the latest weight)."""
    rows = therapy.patient_schedule(session=session, record=record, days=days)
    return [appointment_out(r) for r in rows]


@plans_api.post(
    "/care/plans/{plan_id}/administrations", response_model=AdministrationOut, status_code=201
)
def api_record_administration(
    plan_id: int, data: AdministrationIn, user: CurrentUser, session: DbSession
) -> AdministrationOut:
    """Record a dose given (by default the planned dose, whole vials)."""
    return AdministrationOut.model_validate(
        therapy.record_administration(session=session, principal=user, plan_id=plan_id, data=data)
    )


@plans_api.post("/care/plans/{plan_id}/stop", response_model=PlanOut)
def api_stop_plan(
    plan_id: int,
    user: CurrentUser,
    session: DbSession,
    version: Annotated[
        int | None, Query(description="The version it was read at (changed since: 409)")
    ] = None,
) -> PlanOut:
    return PlanOut.model_validate(
        therapy.stop_plan(session=session, principal=user, plan_id=plan_id, version=version)
    )


@plans_api.post("/care/plans/{plan_id}/change", response_model=PlanOut, status_code=201)
def api_change_plan(
    plan_id: int, data: PlanChangeIn, user: CurrentUser, session: DbSession
) -> PlanOut:
    """A new dose or interval from a date: the plan stops the day before, a new plan of the
    same drug starts that day (answered)."""
    return PlanOut.model_validate(
        therapy.change_plan(session=session, principal=user, plan_id=plan_id, data=data)
    )


@plans_api.get("/care/alerts", response_model=list[AlertOut])
def api_alerts(
    user: CurrentUser, session: DbSession, centre_id: int | None = None
) -> list[AlertOut]:
    """Missed and late doses (a centre's own for its staff)."""
    return [
        AlertOut(
            plan_id=a.plan_id,
            patient=a.patient_key,
            centre_id=a.centre_id,
            drug=a.drug,
            kind=a.kind,
            due=a.due,
            days=a.days,
            given=a.given,
            message=a.message,
        )
        for a in followup.alerts(session=session, principal=user, centre_id=centre_id)
    ]


@plans_api.get("/care/adherence", response_model=list[AdherenceOut])
def api_adherence(
    user: CurrentUser,
    session: DbSession,
    centre_id: int | None = None,
    patient_id: int | None = None,
    days: Annotated[int, Query(ge=7, le=3650)] = 365,
) -> list[AdherenceOut]:
    """Proportion of days covered per active plan."""
    record = (
        registry.open_record(
            session=session, principal=user, patient_id=patient_id, action="read_plans"
        )
        if patient_id is not None
        else None
    )
    rows = followup.adherence(
        session=session, principal=user, centre_id=centre_id, record=record, days=days
    )
    return [
        AdherenceOut(
            plan_id=r.plan.id,
            patient=r.pseudonym,
            centre_id=r.plan.centre_id,
            drug=r.plan.drug,
            period_start=r.period_start,
            period_end=r.period_end,
            administrations=r.administrations,
            pdc=r.pdc,
            adherent=None if r.pdc is None else r.pdc >= ADHERENT_PDC,
        )
        for r in rows
    ]


class CentreAdherenceOut(BaseModel):
    centre_id: int
    plans: int
    mean_pdc: float
    adherent_share: float


@plans_api.get("/care/adherence/centres", response_model=list[CentreAdherenceOut])
def api_centre_adherence(
    user: CurrentUser,
    session: DbSession,
    days: Annotated[int, Query(ge=7, le=3650)] = 365,
) -> list[CentreAdherenceOut]:
    """Mean PDC and the share of adherent plans (PDC ≥ 0.8) per centre in scope."""
    rows = followup.adherence(session=session, principal=user, days=days)
    return [CentreAdherenceOut(**vars(c)) for c in followup.centre_summary(rows)]


@plans_api.get("/care/demand", response_model=DemandOut)
def api_demand(
    user: CurrentUser,
    session: DbSession,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
    centre_id: int | None = None,
) -> DemandOut:
    """Vials per drug per centre per month from active plans, with stock and reorder alerts."""
    return logistics.demand(session=session, principal=user, months=months, centre_id=centre_id)


@plans_api.get("/care/demand.{fmt}")
def api_demand_export(
    fmt: str,
    user: CurrentUser,
    session: DbSession,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> Response:
    """The forecast for procurement (csv or xlsx)."""
    check_format(fmt)
    report = logistics.demand(session=session, principal=user, months=months)
    return download(logistics.demand_export(report, fmt), f"drug-demand.{fmt}", fmt)


# ---------------------------------------------------------------------------------- travel
class BurdenOut(BaseModel):
    patients: int
    trips: float
    km: float
    out_of_province_trips: float


def burden_out(b: Burden) -> BurdenOut:
    return BurdenOut(
        patients=b.patients,
        trips=round(b.trips, 1),
        km=round(b.km),
        out_of_province_trips=round(b.out_of_province_trips, 1),
    )


class WhatIfIn(BaseModel):
    drug: str = Field(min_length=2)
    enable: list[str] = Field(min_length=1, description="Centre codes that start giving it")


class WhatIfOut(BaseModel):
    drug: str | None
    enabled: dict[str, list[str]]
    before: BurdenOut
    after: BurdenOut
    km_saved: float
    trips_saved: float
    patients_moved: int
    per_centre_after: dict[str, BurdenOut]
    road_factor: float
    local_km: float


def what_if_out(result: WhatIf) -> WhatIfOut:
    from rarecare.care.travel import LOCAL_KM, ROAD_FACTOR

    return WhatIfOut(
        drug=result.drug,
        enabled=result.enabled,
        before=burden_out(result.before),
        after=burden_out(result.after),
        km_saved=round(result.km_saved),
        trips_saved=round(result.trips_saved, 1),
        patients_moved=result.patients_moved,
        per_centre_after={k: burden_out(v) for k, v in result.per_centre_after.items()},
        road_factor=ROAD_FACTOR,
        local_km=LOCAL_KM,
    )


@plans_api.get("/care/travel", response_model=WhatIfOut)
def api_travel(user: CurrentUser, session: DbSession, drug: str | None = None) -> WhatIfOut:
    """Today's travel burden: trips and km per year, per centre and in total."""
    return what_if_out(logistics.travel(session=session, principal=user, drug=drug or None)[1])


@plans_api.post("/care/travel/what-if", response_model=WhatIfOut)
def api_what_if(data: WhatIfIn, user: CurrentUser, session: DbSession) -> WhatIfOut:
    """Enable a therapy at more centres: km and trips saved."""
    return what_if_out(
        logistics.travel(session=session, principal=user, drug=data.drug, enable=data.enable)[1]
    )


class RecommendationOut(BaseModel):
    drug: str
    sites: list[str]
    km_saved: float
    steps: list[tuple[str, float]]
    guarantee: str


@plans_api.get("/care/travel/recommend", response_model=RecommendationOut)
def api_recommend(
    drug: str,
    user: CurrentUser,
    session: DbSession,
    k: Annotated[int, Query(ge=1, le=10)] = 3,
) -> RecommendationOut:
    """The k provincial centres that would save the most travel if they gave the drug."""
    rec: Recommendation = logistics.recommend(session=session, principal=user, drug=drug, k=k)
    return RecommendationOut(
        drug=rec.drug,
        sites=rec.sites,
        km_saved=round(rec.km_saved),
        steps=[(s, round(g)) for s, g in rec.steps],
        guarantee=rec.guarantee,
    )
