"""Public statistics: a selection of the national indicators, for the country and per province,
read from the stored values with small counts suppressed (counts 1–4 shown as "<5" and their
complementary cells hidden, as every figure that leaves the ministry's views), a chart drawn
on the server, and the open-data CSV with its licence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.geo import province_names
from rarecare.monitoring import exports, indicators
from rarecare.monitoring.definitions import BY_CODE, Indicator
from rarecare.portal.pages import cacheable
from rarecare.web.deps import DbSession
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

# what the public sees: counts and rates of the registry, delays, the lists' reach
PUBLIC = (
    "registered",
    "registered_per_100k",
    "new_registrations",
    "days_symptoms_to_diagnosis",
    "confirmed_genetic",
    "on_listed_drug",
    "listed_with_guideline",
    "listed_with_drug",
)
BY_PROVINCE = ("registered", "registered_per_100k")


@dataclass
class Figure:
    definition: Indicator
    value: str  # as published: a number, "<5", "x" (hidden) or "" (no figure)


def _latest_period(session: Session, period: str | None) -> str | None:
    known = indicators.periods(session=session)
    if period in known:
        return period
    years = [p for p in known if len(p) == 4]
    return years[0] if years else (known[0] if known else None)


def _published(row: dict[str, Any], definition: Indicator) -> str:
    if definition.denominator is None:
        return str(row["numerator"])
    return str(row["value"])


def figures(*, session: Session, period: str) -> list[Figure]:
    out = []
    for code in PUBLIC:
        definition = BY_CODE[code]
        rows = exports.table_rows(
            session=session, principal=SYSTEM, code=code, period=period, breakdown=""
        )
        out.append(Figure(definition, _published(rows[0], definition) if rows else ""))
    return out


def by_province(*, session: Session, period: str) -> list[dict[str, str]]:
    """One row per province: the published registered count and rate per 100,000."""
    names = province_names()
    table: dict[str, dict[str, str]] = {
        code: {"code": code, "name": name} for code, name in names.items()
    }
    for code in BY_PROVINCE:
        definition = BY_CODE[code]
        for row in exports.table_rows(
            session=session, principal=SYSTEM, code=code, period=period, breakdown="province"
        ):
            if row["key"] in table:
                table[row["key"]][code] = _published(row, definition)
    return sorted(table.values(), key=lambda r: r["name"])


def bars(rows: list[dict[str, str]], field: str) -> list[dict[str, Any]]:
    """Horizontal bars of a published figure (hidden figures drawn as no bar)."""
    numbers = {}
    for row in rows:
        try:
            numbers[row["code"]] = float(row.get(field, ""))
        except ValueError:
            continue
    top = max(numbers.values(), default=0.0) or 1.0
    return [
        {
            "name": row["name"],
            "shown": row.get(field, ""),
            "width": round(numbers.get(row["code"], 0.0) / top * 100, 1),
        }
        for row in rows
    ]


@pages.get("/public/statistics", response_class=HTMLResponse)
def statistics_page(request: Request, session: DbSession, period: str | None = None) -> Response:
    chosen = _latest_period(session, period)
    rows = by_province(session=session, period=chosen) if chosen else []
    context = {
        "period": chosen,
        "periods": indicators.periods(session=session),
        "figures": figures(session=session, period=chosen) if chosen else [],
        "rows": rows,
        "bars": bars(rows, "registered_per_100k"),
        "licence": exports.LICENCE,
    }
    return cacheable(request, render(request, "portal_statistics.html", context))


@pages.get("/public/statistics.csv")
def open_data(request: Request, session: DbSession, period: str | None = None) -> Response:
    chosen = _latest_period(session, period)
    body = (
        exports.export_table(
            session=session,
            principal=SYSTEM,
            period=chosen,
            fmt="csv",
            codes=list(PUBLIC),
            breakdowns=("", "province"),
        )
        if chosen
        else b""
    )
    response = Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rarecare-{chosen or "none"}.csv"'},
    )
    return cacheable(request, response)
