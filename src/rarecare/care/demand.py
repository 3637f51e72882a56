"""Drug demand from scheduled appointments, and reorder points (pure code, no database).

Each appointment needs the plan's dose in whole vials. When the drug allows it and the centre
shares vials, the doses of one drug given at one centre on one day are pooled: that day needs
``ceil(sum of doses / vial strength)`` vials instead of the sum of each dose rounded up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from rarecare.care.dosing import vials
from rarecare.care.schedule import Appointment


@dataclass(frozen=True)
class DoseNeed:
    dose: float  # per administration, in the drug's dose unit
    strength: float  # per vial (or tablet)
    shareable: bool = False  # the drug allows sharing and the centre shares vials
    doses_per_visit: int = 1


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def monthly_vials(
    appointments: Iterable[Appointment], needs: Mapping[int, DoseNeed]
) -> dict[tuple[int, str, str], int]:
    """Vials per (centre, drug, month "YYYY-MM")."""
    pooled: dict[tuple[int, str, date], float] = defaultdict(float)
    pooled_strength: dict[tuple[int, str, date], float] = {}
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for a in appointments:
        if a.date is None:
            continue
        need = needs[a.plan_id]
        if need.shareable:
            key = (a.centre_id, a.drug, a.date)
            pooled[key] += need.dose * need.doses_per_visit
            pooled_strength[key] = need.strength
        else:
            out[(a.centre_id, a.drug, month_key(a.date))] += (
                vials(need.dose, need.strength) * need.doses_per_visit
            )
    for (centre, drug, day), total in pooled.items():
        out[(centre, drug, month_key(day))] += vials(total, pooled_strength[(centre, drug, day)])
    return dict(out)


def months_from(start: date, count: int) -> list[str]:
    y, m = start.year, start.month
    keys = []
    for _ in range(count):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


@dataclass(frozen=True)
class StockStatus:
    centre_id: int
    drug: str
    on_hand: int
    need_lead_time: int  # vials needed during the lead time
    reorder_point: int  # lead-time need + safety stock
    months_of_cover: float | None  # None: lasts the whole forecast
    reorder: bool


def stock_status(
    centre_id: int,
    drug: str,
    on_hand: int,
    monthly: list[int],
    *,
    lead_months: int = 2,
    safety_months: int = 1,
) -> StockStatus:
    """Reorder when the stock on hand is below the vials needed over the lead time plus a safety
    stock (both in months of the forecast)."""
    lead = sum(monthly[:lead_months])
    point = sum(monthly[: lead_months + safety_months])
    cover: float | None = None
    remaining = on_hand
    for i, need in enumerate(monthly):
        if need > remaining:
            cover = i + (remaining / need if need else 0.0)
            break
        remaining -= need
    return StockStatus(
        centre_id=centre_id,
        drug=drug,
        on_hand=on_hand,
        need_lead_time=lead,
        reorder_point=point,
        months_of_cover=cover,
        reorder=on_hand < point,
    )
