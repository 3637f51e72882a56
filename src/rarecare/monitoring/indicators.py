"""The national indicators as stored values: refresh (compute and store, with when and from how
many records), read (latest values per period and breakdown, time series), scoped in one place —
the ministry, the steering committee and administrators see every figure; centre staff see their
own centre's figures only. No patient-level data is read or returned here."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rarecare.access import CENTRE_ROLES, Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import NotFound, PermissionDenied
from rarecare.i18n import _
from rarecare.monitoring import cells, engine, sqlparts
from rarecare.monitoring.definitions import BY_CODE, Indicator
from rarecare.monitoring.models import IndicatorRefresh, IndicatorValue
from rarecare.storage.base import table_of

REFRESHERS = (Role.MINISTRY, Role.ADMIN, Role.COMMITTEE)
READERS = (Role.MINISTRY, Role.ADMIN, Role.COMMITTEE, Role.CLINICIAN, Role.DATA_MANAGER)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The ``count`` quarters up to ``today``'s, oldest first."""
    year, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _step in range(count):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def refresh(
    *,
    session: Session,
    principal: Principal | None,
    period: str,
    progress: Callable[[int, int], None] | None = None,
) -> IndicatorRefresh:
    """Compute every indicator for ``period`` and store the values, replacing the period's
    earlier ones (in the caller's transaction: readers see the old figures or the new)."""
    actor = require_role(principal, *REFRESHERS)
    sqlparts.period_range(period)  # a bad period is refused before any work
    started = time.perf_counter()
    values = engine.compute(session, period, progress)
    records = cells.record_count(session)  # brought up to date by the computation
    session.execute(delete(IndicatorRefresh).where(IndicatorRefresh.period == period))
    session.execute(delete(IndicatorValue).where(IndicatorValue.period == period))
    run = IndicatorRefresh(
        period=period,
        computed_by=actor.username,
        records=records,
        seconds=round(time.perf_counter() - started, 3),
        values_count=len(values),
    )
    session.add(run)
    session.flush()
    if values:
        session.execute(
            insert(table_of(IndicatorValue)),  # Core: half the ORM's time
            [
                {
                    "refresh_id": run.id,
                    "indicator": v.indicator,
                    "period": period,
                    "breakdown": v.breakdown,
                    "key": v.key[:120],
                    "numerator": v.numerator,
                    "denominator": v.denominator,
                    "value": v.value,
                }
                for v in values
            ],
        )
    audit.record(
        session=session,
        actor=actor,
        action="refresh",
        object_type="indicators",
        object_id=period,
        detail={"values": len(values), "records": records},
    )
    return run


def last_refresh(*, session: Session, period: str | None = None) -> IndicatorRefresh | None:
    query = select(IndicatorRefresh).order_by(IndicatorRefresh.computed_at.desc())
    if period:
        query = query.where(IndicatorRefresh.period == period)
    return session.scalars(query.limit(1)).first()


def periods(*, session: Session) -> list[str]:
    """The periods with stored values, newest first."""
    return sorted(set(session.scalars(select(IndicatorRefresh.period))), reverse=True)


def indicator(code: str) -> Indicator:
    found = BY_CODE.get(code)
    if found is None:
        raise NotFound()
    return found


def _scope(actor: Principal, breakdown: str) -> str | None:
    """The only group a centre user may read (their centre), or None for everyone else."""
    if actor.role in CENTRE_ROLES:
        if breakdown not in ("centre", "centre_disease_group"):
            raise PermissionDenied(_("Centre staff see their own centre's indicators only."))
        return str(actor.centre_id)
    return None


def values(
    *,
    session: Session,
    principal: Principal | None,
    code: str,
    period: str,
    breakdown: str = "",
) -> list[IndicatorValue]:
    """The stored values of one indicator for a period and breakdown, by group."""
    actor = require_role(principal, *READERS)
    definition = indicator(code)
    if breakdown not in definition.breakdowns:
        return []
    only = _scope(actor, breakdown)
    query = select(IndicatorValue).where(
        IndicatorValue.indicator == code,
        IndicatorValue.period == period,
        IndicatorValue.breakdown == breakdown,
    )
    if only is not None:
        query = query.where(
            IndicatorValue.key == only
            if breakdown == "centre"
            else IndicatorValue.key.startswith(f"{only}|", autoescape=True)
        )
    return list(session.scalars(query.order_by(IndicatorValue.key)))


def national(
    *, session: Session, principal: Principal | None, period: str
) -> dict[str, IndicatorValue]:
    """Every indicator's figure for the whole country (or, for centre staff, their centre)."""
    actor = require_role(principal, *READERS)
    breakdown, key = ("centre", str(actor.centre_id)) if actor.role in CENTRE_ROLES else ("", "")
    rows = session.scalars(
        select(IndicatorValue).where(
            IndicatorValue.period == period,
            IndicatorValue.breakdown == breakdown,
            IndicatorValue.key == key,
        )
    )
    return {row.indicator: row for row in rows}


def series(
    *,
    session: Session,
    principal: Principal | None,
    periods_wanted: list[str],
    breakdown: str = "",
    key: str = "",
) -> dict[str, dict[str, float | None]]:
    """indicator → period → value, for the trend lines."""
    actor = require_role(principal, *READERS)
    if actor.role in CENTRE_ROLES:
        breakdown, key = "centre", str(actor.centre_id)
    rows = session.execute(
        select(IndicatorValue.indicator, IndicatorValue.period, IndicatorValue.value).where(
            IndicatorValue.period.in_(periods_wanted),
            IndicatorValue.breakdown == breakdown,
            IndicatorValue.key == key,
        )
    )
    out: dict[str, dict[str, float | None]] = {}
    for code, period, value in rows:
        out.setdefault(code, {})[period] = value
    return out


def province_view(
    *, session: Session, principal: Principal | None, period: str, province: str
) -> dict[str, Any]:
    """A province's figures: its own value of each indicator (national roles only)."""
    require_role(principal, Role.MINISTRY, Role.ADMIN, Role.COMMITTEE)
    rows = session.scalars(
        select(IndicatorValue).where(
            IndicatorValue.period == period,
            IndicatorValue.breakdown == "province",
            IndicatorValue.key == province,
        )
    )
    return {row.indicator: row for row in rows}


def centre_view(
    *, session: Session, principal: Principal | None, period: str, centre_id: int
) -> dict[str, dict[str, IndicatorValue]]:
    """A centre's figures by disease group: group → indicator → value (its own staff, or the
    national roles)."""
    actor = require_role(principal, *READERS)
    if actor.role in CENTRE_ROLES and actor.centre_id != centre_id:
        raise NotFound()
    rows = session.scalars(
        select(IndicatorValue).where(
            IndicatorValue.period == period,
            IndicatorValue.breakdown == "centre_disease_group",
            IndicatorValue.key.startswith(f"{centre_id}|", autoescape=True),
        )
    )
    out: dict[str, dict[str, IndicatorValue]] = {}
    for row in rows:
        out.setdefault(row.key.split("|", 1)[1], {})[row.indicator] = row
    return out
