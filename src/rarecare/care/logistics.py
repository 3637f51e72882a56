"""Drug demand, stock and travel burden (services over every active plan in scope).

These read patient data only in aggregate; each call is audited once with the patients used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, centre_scope, ensure_centre_access, require_role
from rarecare.audit import service as audit
from rarecare.care import therapy
from rarecare.care import travel as tr
from rarecare.care.demand import monthly_vials, months_from, stock_status
from rarecare.care.models import DrugStock
from rarecare.care.schemas import DemandOut, DemandRow, StockIn
from rarecare.centres.models import Centre, CentreLevel
from rarecare.errors import FieldError, ValidationFailed
from rarecare.geo import get_province
from rarecare.i18n import N_, _
from rarecare.storage.versioning import check_version


# ------------------------------------------------------------------------------- demand
def stock_of(*, session: Session, centre_id: int, drug: str) -> DrugStock | None:
    return session.scalar(
        select(DrugStock).where(DrugStock.centre_id == centre_id, DrugStock.drug == drug)
    )


def set_stock(
    *, session: Session, principal: Principal | None, centre_id: int, data: StockIn
) -> DrugStock:
    actor = require_role(principal, Role.CLINICIAN, Role.DATA_MANAGER, Role.ADMIN)
    ensure_centre_access(actor, {centre_id})
    entry = therapy.drug_entry(session=session, name=data.drug)
    row = stock_of(session=session, centre_id=centre_id, drug=entry.inn)
    if row is None:
        row = DrugStock(centre_id=centre_id, drug=entry.inn, on_hand=0, updated_by=actor.username)
        session.add(row)
    else:
        check_version(row, data.version, {"on_hand": data.on_hand, "lead_months": data.lead_months})
    row.on_hand, row.lead_months, row.updated_by = data.on_hand, data.lead_months, actor.username
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="set_stock",
        object_type="drug_stock",
        object_id=row.id,
        centre_id=centre_id,
        detail=data.model_dump(exclude={"version"}),
    )
    return row


def demand(
    *,
    session: Session,
    principal: Principal | None,
    months: int = 12,
    centre_id: int | None = None,
    today: date | None = None,
) -> DemandOut:
    """Vials per drug per centre per month for ``months`` months from the schedules of every
    active plan in scope, with the stock on hand and reorder alerts."""
    if not 1 <= months <= 36:
        raise ValidationFailed(
            _("Invalid forecast."), [FieldError("months", N_("expected 1 to 36"))]
        )
    actor = require_role(principal, *Role)
    ids = therapy.centres_in_scope(actor, centre_id)
    now = today or date.today()
    keys = months_from(now, months)
    y, m = map(int, keys[-1].split("-"))
    until = (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)
    picture = therapy.load_picture(session, centre_ids=ids)
    rows = therapy.schedule_picture(picture, today=now, until=until, alternatives_until=now)
    needs = picture.needs()
    counts = monthly_vials((r.appointment for r in rows if r.appointment.plan_id in needs), needs)
    stock = {
        (s.centre_id, s.drug): s
        for s in session.scalars(select(DrugStock))
        if ids is None or s.centre_id in ids
    }
    table: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for (cid, drug, month), n in counts.items():
        if month in keys:
            table[(cid, drug)][month] += n
    for key in stock:
        table.setdefault(key, dict.fromkeys(keys, 0))
    out_rows: list[DemandRow] = []
    for (cid, drug), per_month in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        held = stock.get((cid, drug))
        entry = picture.drugs.get(drug)
        status = (
            stock_status(
                cid, drug, held.on_hand, list(per_month.values()), lead_months=held.lead_months
            )
            if held
            else None
        )
        total = sum(per_month.values())
        out_rows.append(
            DemandRow(
                centre_id=cid,
                centre=picture.centres[cid].name,
                drug=drug,
                months=per_month,
                total=total,
                on_hand=held.on_hand if held else None,
                reorder_point=status.reorder_point if status else None,
                months_of_cover=status.months_of_cover if status else None,
                reorder=status.reorder if status else total > 0,
                cost_vnd=total * entry.price_vnd if entry and entry.price_vnd else None,
            )
        )
    audit.record(
        session=session,
        actor=actor,
        action="read_demand",
        object_type="patient",
        centre_id=centre_scope(actor),
        detail={"plans": len(picture.plans)},
    )
    return DemandOut(
        start=now,
        months=keys,
        rows=out_rows,
        plans=len(picture.plans),
        plans_without_weight=len(picture.plans) - len(needs),
    )


# ------------------------------------------------------------------------------- travel
def places(centres: list[Centre]) -> dict[str, tr.Place]:
    out: dict[str, tr.Place] = {}
    for c in centres:
        province = get_province(c.province_code)
        if province is not None:
            out[c.code] = tr.Place(c.code, province.lat, province.lon, c.province_code)
    return out


@dataclass
class TravelPicture:
    travellers: list[tr.Traveller]
    places: dict[str, tr.Place]
    capable: dict[str, set[str]]
    centres: dict[str, Centre]


def travel_picture(
    *, session: Session, principal: Principal | None, drug: str | None = None
) -> TravelPicture:
    actor = require_role(principal, *Role)
    scope = centre_scope(actor)
    picture = therapy.load_picture(session, centre_ids=[scope] if scope is not None else None)
    by_id = picture.centres
    travellers: list[tr.Traveller] = []
    for plan in picture.plans:
        if drug is not None and plan.drug != drug:
            continue
        pseudonym, province_code = picture.patients[plan.patient_id]
        home = get_province(province_code)
        if home is None:
            continue
        entry = picture.drugs.get(plan.drug)
        visit = therapy.visit_days(plan, entry)
        travellers.append(
            tr.Traveller(
                pseudonym,
                province_code,
                home.lat,
                home.lon,
                plan.drug,
                by_id[plan.centre_id].code,
                365 / visit,
            )
        )
    capable: dict[str, set[str]] = defaultdict(set)
    for c in by_id.values():
        for inn in c.therapies:
            capable[inn].add(c.code)
    audit.record(
        session=session,
        actor=actor,
        action="read_travel",
        object_type="patient",
        centre_id=scope,
        detail={"patients": len({t.key for t in travellers})},
    )
    return TravelPicture(
        travellers,
        places(list(by_id.values())),
        dict(capable),
        {c.code: c for c in by_id.values()},
    )


def travel(
    *,
    session: Session,
    principal: Principal | None,
    drug: str | None = None,
    enable: Sequence[str] = (),
) -> tuple[TravelPicture, tr.WhatIf]:
    """Travel burden of the patients on ``drug`` (every therapy when None) and, with ``enable``
    (centre codes), the what-if of that drug also given there: everyone goes to the nearest
    capable centre. ``enable`` is ignored without a drug."""
    inn = therapy.drug_entry(session=session, name=drug).inn if drug else None
    picture = travel_picture(session=session, principal=principal, drug=inn)
    unknown = [c for c in enable if c not in picture.places]
    if unknown:
        raise ValidationFailed(
            _("Invalid what-if."),
            [
                FieldError("enable", N_("no treatment centre %(code)s"), params={"code": c})
                for c in unknown
            ],
        )
    enabled = {inn: list(enable)} if inn and enable else {}
    result = tr.what_if(picture.travellers, picture.places, picture.capable, enabled, drug=inn)
    return picture, result


def recommend(
    *,
    session: Session,
    principal: Principal | None,
    drug: str,
    k: int = 3,
    level: CentreLevel | None = CentreLevel.PROVINCIAL,
) -> tr.Recommendation:
    """The ``k`` centres (provincial by default) that would save most travel for ``drug``."""
    if not 1 <= k <= 10:
        raise ValidationFailed(_("Invalid request."), [FieldError("k", N_("expected 1 to 10"))])
    entry = therapy.drug_entry(session=session, name=drug)
    picture = travel_picture(session=session, principal=principal, drug=entry.inn)
    candidates = [
        code
        for code, c in picture.centres.items()
        if entry.inn not in c.therapies
        and (level is None or c.level == level)
        and code in picture.places
    ]
    return tr.recommend_sites(picture.travellers, picture.places, candidates, k, drug=entry.inn)


def demand_export(report: DemandOut, fmt: str) -> bytes:
    """The forecast as CSV or XLSX, one row per centre and drug, for procurement."""
    from rarecare.interop.tabular import Column, Table, export, text

    columns = [
        Column("centre", text, description="Treatment centre"),
        Column("drug", text, description="INN"),
        *(Column(m, text, description=f"Vials needed in {m}") for m in report.months),
        Column("total", text, description="Vials over the forecast"),
        Column("on_hand", text, description="Vials in stock"),
        Column("reorder_point", text, description="Lead-time need + one month of safety stock"),
        Column("reorder", text, description="yes: order now"),
        Column("cost_vnd", text, description="Total at the list price"),
    ]
    rows = [
        {
            "centre": r.centre,
            "drug": r.drug,
            **r.months,
            "total": r.total,
            "on_hand": r.on_hand,
            "reorder_point": r.reorder_point,
            "reorder": r.reorder,
            "cost_vnd": r.cost_vnd,
        }
        for r in report.rows
    ]
    return export(Table(tuple(columns)), rows, fmt, "demand")
