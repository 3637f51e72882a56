"""Indicator figures leaving RareCare: CSV/XLSX tables (small counts suppressed, the licence and
source stated) and DHIS2 ``dataValueSets`` JSON through a documented mapping file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.interop import tabular as tab
from rarecare.interop.tabular import Column, Table
from rarecare.monitoring import indicators
from rarecare.monitoring.definitions import BY_CODE, INDICATORS, Indicator, Unit
from rarecare.monitoring.models import IndicatorValue
from rarecare.suppression import SMALL, shown, suppress

LICENCE = "CC BY 4.0 — RareCare, Bộ Y tế (Ministry of Health of Viet Nam)"

TABLE = Table(
    tuple(
        Column(name, tab.text)
        for name in (
            "indicator",
            "period",
            "breakdown",
            "key",
            "numerator",
            "denominator",
            "value",
            "unit",
            "source",
            "licence",
        )
    )
)


@dataclass(frozen=True)
class Row:
    value: IndicatorValue
    hidden: bool


def protected(definition: Indicator, rows: list[IndicatorValue]) -> list[Row]:
    """The rows of one breakdown with small counts hidden and, where needed, their partners
    (complementary suppression over the groups and their total)."""
    if definition.unit in (Unit.DAYS,):  # medians: hidden when based on fewer than 5 records
        return [Row(r, r.numerator in SMALL) for r in rows]
    counts = [[int(r.numerator)] for r in rows]
    if not counts:
        return []
    hidden = suppress(counts)
    out = []
    for k, row in enumerate(rows):
        small_base = (
            row.denominator is not None
            and definition.unit != Unit.PER_100K
            and (row.denominator in SMALL)
        )
        out.append(Row(row, hidden[k][0] or small_base))
    return out


def table_rows(
    *, session: Session, principal: Principal | None, code: str, period: str, breakdown: str
) -> list[dict[str, Any]]:
    definition = indicators.indicator(code)
    rows = indicators.values(
        session=session, principal=principal, code=code, period=period, breakdown=breakdown
    )
    out = []
    for row in protected(definition, rows):
        value = row.value
        out.append(
            {
                "indicator": code,
                "period": period,
                "breakdown": breakdown or "national",
                "key": value.key,
                "numerator": shown(value.numerator, row.hidden),
                "denominator": "" if value.denominator is None else f"{value.denominator:g}",
                "value": "" if row.hidden else ("" if value.value is None else f"{value.value:g}"),
                "unit": definition.unit.value,
                "source": definition.source,
                "licence": LICENCE,
            }
        )
    return out


def export_table(
    *,
    session: Session,
    principal: Principal | None,
    period: str,
    fmt: str,
    codes: list[str] | None = None,
    breakdowns: tuple[str, ...] = ("", "province"),
) -> bytes:
    rows: list[dict[str, Any]] = []
    for definition in INDICATORS:
        if codes and definition.code not in codes:
            continue
        for breakdown in breakdowns:
            if breakdown in definition.breakdowns:
                rows += table_rows(
                    session=session,
                    principal=principal,
                    code=definition.code,
                    period=period,
                    breakdown=breakdown,
                )
    return tab.export(TABLE, rows, fmt, title=f"indicators {period}")


def default_mapping() -> dict[str, Any]:
    text = (resources.files("rarecare.monitoring") / "dhis2_mapping.json").read_text("utf-8")
    mapping: dict[str, Any] = json.loads(text)
    return mapping


def dhis2(
    *,
    session: Session,
    principal: Principal | None,
    period: str,
    mapping_file: Path | None = None,
) -> dict[str, Any]:
    """A DHIS2 ``dataValueSets`` payload: national and province values of every mapped
    indicator (suppressed values are left out: DHIS2 takes numbers only)."""
    mapping = json.loads(mapping_file.read_text("utf-8")) if mapping_file else default_mapping()
    elements: dict[str, str] = mapping["dataElements"]
    units: dict[str, str] = mapping["orgUnits"]
    values = []
    for code, element in elements.items():
        definition = BY_CODE.get(code)
        if definition is None:
            continue
        for breakdown in ("", "province"):
            if breakdown not in definition.breakdowns:
                continue
            rows = indicators.values(
                session=session,
                principal=principal,
                code=code,
                period=period,
                breakdown=breakdown,
            )
            for row in protected(definition, rows):
                unit = units.get(row.value.key)
                if row.hidden or unit is None or row.value.value is None:
                    continue
                values.append(
                    {
                        "dataElement": element,
                        "period": period,
                        "orgUnit": unit,
                        "value": f"{row.value.value:g}",
                    }
                )
    return {"dataValues": values}
