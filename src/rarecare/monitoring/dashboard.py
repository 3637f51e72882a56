"""The indicator pages: the national dashboard (tiles with trend and target, a choropleth of the
34 provinces or the former 63, a time series, drill-down to a province), the province
dashboard, and each indicator's page (definition, formula in words, data table, CSV/XLSX with
small counts suppressed). Dashboards read stored values only; a refresh is a background job."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import CENTRE_ROLES
from rarecare.centres import service as centres
from rarecare.geo import current_provinces, former_provinces, populations, province_names
from rarecare.interop import tabular as tab
from rarecare.jobs.deps import Runner
from rarecare.monitoring import exports, indicators, jobs
from rarecare.monitoring.definitions import (
    BREAKDOWN_LABELS,
    INDICATORS,
    UNIT_LABELS,
    Indicator,
)
from rarecare.web.deps import CurrentUser, DbSession
from rarecare.web.downloads import download
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)


def _period(session: Any, period: str) -> str:
    if period:
        return period
    available = indicators.periods(session=session)
    quarter = indicators.quarter_of(date.today())
    return quarter if quarter in available or not available else available[0]


def _gap(definition: Indicator, value: float | None) -> float | None:
    if value is None or definition.target is None:
        return None
    return round(value - definition.target[0], 2)


@pages.get("/monitoring/indicators", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    period: str = "",
    indicator: str = "registered_per_100k",
    provinces: Annotated[str, Query(pattern="^(34|63)$")] = "34",
) -> HTMLResponse:
    chosen = _period(session, period)
    selected = indicators.indicator(indicator)
    figures = indicators.national(session=session, principal=user, period=chosen)
    quarters = indicators.recent_quarters(date.today())
    trends = indicators.series(session=session, principal=user, periods_wanted=quarters)
    centre_user = user.role in CENTRE_ROLES
    breakdown = "province" if provinces == "34" else "former_province"
    map_values: dict[str, float | None] = {}
    if not centre_user and breakdown in selected.breakdowns:
        map_values = {
            v.key: v.value
            for v in indicators.values(
                session=session,
                principal=user,
                code=selected.code,
                period=chosen,
                breakdown=breakdown,
            )
        }
    names = (
        {p.code: p.name for p in current_provinces()}
        if provinces == "34"
        else {p.code: p.name for p in former_provinces()}
    )
    tiles = [
        {
            "d": d,
            "value": figures[d.code].value if d.code in figures else None,
            "gap": _gap(d, figures[d.code].value if d.code in figures else None),
            "series": json.dumps([[q, trends.get(d.code, {}).get(q)] for q in quarters]),
        }
        for d in INDICATORS
    ]
    return render(
        request,
        "dashboard.html",
        {
            "period": chosen,
            "periods": indicators.periods(session=session),
            "tiles": tiles,
            "selected": selected,
            "indicators": INDICATORS,
            "units": UNIT_LABELS,
            "provinces": provinces,
            "map_json": json.dumps(
                {
                    "geo": f"/static/geo/vn-provinces-{provinces}.geojson",
                    "values": map_values,
                    "names": names,
                    "link": (
                        f"/monitoring/indicators/provinces/{{code}}?period={chosen}"
                        if provinces == "34"
                        else ""
                    ),
                },
                ensure_ascii=False,
            ),
            "series_json": json.dumps(
                {
                    "points": [[q, trends.get(selected.code, {}).get(q)] for q in quarters],
                    "target": selected.target[0] if selected.target else None,
                }
            ),
            "show_map": bool(map_values) or not centre_user,
            "map_rows": sorted(
                ((code, names.get(code, code), value) for code, value in map_values.items()),
                key=lambda row: row[1],
            ),
            "centre_user": centre_user,
            "last": indicators.last_refresh(session=session, period=chosen),
            "can_refresh": user.role in indicators.REFRESHERS,
        },
    )


@pages.get("/monitoring/indicators/provinces/{code}", response_class=HTMLResponse)
def province_page(
    request: Request, code: str, user: CurrentUser, session: DbSession, period: str = ""
) -> HTMLResponse:
    chosen = _period(session, period)
    mine = indicators.province_view(session=session, principal=user, period=chosen, province=code)
    country = indicators.national(session=session, principal=user, period=chosen)
    here = [c for c in centres.list_centres(session=session) if c.province_code == code]
    by_centre: dict[str, dict[str, float | None]] = {}
    for definition in INDICATORS:
        if "centre" not in definition.breakdowns:
            continue
        for value in indicators.values(
            session=session,
            principal=user,
            code=definition.code,
            period=chosen,
            breakdown="centre",
        ):
            by_centre.setdefault(value.key, {})[definition.code] = value.value
    population = populations().get(code)
    return render(
        request,
        "province_dashboard.html",
        {
            "code": code,
            "name": province_names().get(code, code),
            "period": chosen,
            "indicators": INDICATORS,
            "mine": mine,
            "country": country,
            "centres": here,
            "by_centre": by_centre,
            "population": population,
            "units": UNIT_LABELS,
        },
    )


@pages.get("/monitoring/indicators/centres/{centre_id}", response_class=HTMLResponse)
def centre_page(
    request: Request, centre_id: int, user: CurrentUser, session: DbSession, period: str = ""
) -> HTMLResponse:
    """A centre's figures by disease group (the last step of the drill-down)."""
    chosen = _period(session, period)
    by_group = indicators.centre_view(
        session=session, principal=user, period=chosen, centre_id=centre_id
    )
    shown = [d for d in INDICATORS if "centre_disease_group" in d.breakdowns]
    return render(
        request,
        "centre_dashboard.html",
        {
            "centre": centres.get_centre(session=session, centre_id=centre_id),
            "period": chosen,
            "groups": sorted(by_group.items()),
            "indicators": shown,
            "units": UNIT_LABELS,
        },
    )


@pages.get("/monitoring/indicators/{code}", response_class=HTMLResponse)
def indicator_page(
    request: Request,
    code: str,
    user: CurrentUser,
    session: DbSession,
    period: str = "",
    breakdown: str = "",
) -> HTMLResponse:
    chosen = _period(session, period)
    definition = indicators.indicator(code)
    if user.role in CENTRE_ROLES:
        breakdown = "centre"
    rows = indicators.values(
        session=session, principal=user, code=code, period=chosen, breakdown=breakdown
    )
    names = _group_names(session, breakdown, [r.key for r in rows])
    return render(
        request,
        "indicator.html",
        {
            "d": definition,
            "period": chosen,
            "periods": indicators.periods(session=session),
            "breakdown": breakdown,
            "breakdowns": [
                b for b in definition.breakdowns if user.role not in CENTRE_ROLES or b == "centre"
            ],
            "labels": BREAKDOWN_LABELS,
            "rows": rows,
            "names": names,
            "units": UNIT_LABELS,
            "last": indicators.last_refresh(session=session, period=chosen),
        },
    )


def _group_names(session: Any, breakdown: str, keys: list[str]) -> dict[str, str]:
    if breakdown == "province":
        return dict(province_names())
    if breakdown == "former_province":
        return {p.code: p.name for p in former_provinces()}
    if breakdown == "centre":
        return {str(c.id): c.name for c in centres.list_centres(session=session)}
    if breakdown == "centre_disease_group":
        centre_names = {str(c.id): c.name for c in centres.list_centres(session=session)}
        out = {}
        for key in keys:
            centre, _sep, group = key.partition("|")
            out[key] = f"{centre_names.get(centre, centre)} · {group or '–'}"
        return out
    return {}


@pages.get("/monitoring/indicators/{code}/download.{fmt}")
def indicator_download(
    code: str,
    fmt: str,
    user: CurrentUser,
    session: DbSession,
    period: str = "",
    breakdown: str = "",
) -> Response:
    """The indicator's table for a period and breakdown, small counts suppressed."""
    chosen = _period(session, period)
    if user.role in CENTRE_ROLES:
        breakdown = "centre"
    rows = exports.table_rows(
        session=session, principal=user, code=code, period=chosen, breakdown=breakdown
    )
    data = tab.export(exports.TABLE, rows, fmt if fmt in ("csv", "xlsx") else "csv", code)
    return download(data, f"rarecare-{code}-{chosen}.{fmt}", fmt)


@pages.post("/monitoring/indicators/refresh", response_model=None)
def refresh_submit(
    user: CurrentUser,
    session: DbSession,
    runner: Runner,
    tasks: BackgroundTasks,
    period: Annotated[str, Form()],
) -> Response:
    job = jobs.submit_refresh(session=session, principal=user, period=period)
    tasks.add_task(runner.start, job.id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
