"""Appointments from therapy plans, placed within centre capacity (pure code, no database).

Each plan gives *ideal* dates: from its start (loading doses at their day offsets, then one dose
every ``interval_days``), or, once doses have been given, from the last administration. A dose
whose ideal date has passed without an administration is *overdue* and is offered from today;
the doses after it follow from that date.

Placement is greedy in order of ideal date (ties by plan): an appointment takes its ideal day if
the centre is open and has a free infusion slot (chairs × infusions per chair), otherwise the
nearest open day with a free slot within a tolerance (``tolerance_days``: a day for weekly
therapies, up to three for longer intervals), and is flagged *moved* with the reason. If no day
in the window is free it is flagged a *conflict* and given the first free day after the window.
Every moved or conflicting appointment lists alternative free days near its ideal date.
Therapies that are not given at the centre (oral drugs) take no slot.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from rarecare.i18n import N_, format_day, gettext, weekday_name

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
SEARCH_LIMIT_DAYS = 60


class Status(StrEnum):
    OK = "ok"
    OVERDUE = "overdue"  # offered from today, the ideal date has passed
    MOVED = "moved"  # within tolerance of the ideal date
    CONFLICT = "conflict"  # no free slot within tolerance


STATUS_LABELS: dict[str, str] = {
    Status.OK: N_("on time"),
    Status.OVERDUE: N_("Overdue"),
    Status.MOVED: N_("moved"),
    Status.CONFLICT: N_("no free slot"),
}


@dataclass(frozen=True)
class CentreCalendar:
    centre_id: int
    opening_days: frozenset[int]  # 0 = Monday … 6 = Sunday
    chairs: int
    infusions_per_chair: int = 2
    closed_dates: frozenset[date] = frozenset()

    @property
    def daily_capacity(self) -> int:
        return self.chairs * self.infusions_per_chair

    def is_open(self, day: date) -> bool:
        return day.weekday() in self.opening_days and day not in self.closed_dates

    def closed_reason(self, day: date) -> Reason:
        """Why ``day`` has no slot (put into words by :func:`words`)."""
        if day in self.closed_dates:
            return (N_("the centre is closed that day"), {})
        return (N_("the centre is closed on %(weekday)s"), {"weekday": Weekday(day)})


@dataclass(frozen=True)
class Weekday:
    """A day shown as its day of the week ("Thứ Bảy", "Saturday")."""

    day: date


# a message of the catalogue and its values (dates, weekdays, numbers or other reasons): kept
# as data while schedules are built — national forecasts place hundreds of thousands of
# appointments — and put into the reader's words only when shown
Reason = tuple[str, dict[str, "date | Weekday | int | Reason"]]


def words(reason: Reason) -> str:
    """A reason in the current language, dates as it writes them."""
    message, values = reason
    shown: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, Weekday):
            shown[key] = weekday_name(value.day)
        elif isinstance(value, date):
            shown[key] = format_day(value)
        elif isinstance(value, tuple):
            shown[key] = words(value)
        else:
            shown[key] = value
    return gettext(message) % shown if shown else gettext(message)


def parse_opening_days(mask: str) -> frozenset[int]:
    """``"1111100"`` (Monday first) → {0, 1, 2, 3, 4}."""
    return frozenset(i for i, c in enumerate(mask[:7]) if c == "1")


@dataclass(frozen=True)
class PlanSpec:
    plan_id: int
    patient_key: str  # the pseudonym
    centre_id: int
    drug: str
    interval_days: int
    start: date
    end: date | None = None
    loading_days: tuple[int, ...] = ()
    uses_slot: bool = True
    doses_per_visit: int = 1  # oral therapies: a visit dispenses several doses
    given: tuple[date, ...] = ()  # dates of recorded administrations, any order

    def offset(self, k: int) -> int:
        """Days from the first dose to dose ``k`` (0-based)."""
        loading = self.loading_days or (0,)
        if k < len(loading):
            return loading[k]
        return loading[-1] + (k - len(loading) + 1) * self.interval_days

    def tolerance_days(self) -> int:
        return max(0, min(3, self.interval_days // 5))


@dataclass(slots=True)
class Appointment:
    plan_id: int
    patient_key: str
    centre_id: int
    drug: str
    number: int  # 0-based dose number of the plan
    ideal: dt.date
    date: dt.date | None = None
    status: Status = Status.OK
    reasons: list[Reason] = field(default_factory=list)
    alternatives: list[dt.date] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """Why the appointment is overdue, moved or in conflict, in the current language."""
        return "; ".join(words(r) for r in self.reasons)


def ideal_dates(plan: PlanSpec, today: date, until: date) -> list[tuple[int, date, bool]]:
    """(dose number, ideal date, overdue) for the doses due up to ``until``."""
    given = sorted(plan.given)
    g = len(given)
    if given:
        anchor, base = given[-1], plan.offset(g - 1)
    else:
        anchor, base = plan.start, 0
    out: list[tuple[int, date, bool]] = []
    k = g
    shift = 0  # days the rest of the plan slips after an overdue dose
    end = min(until, plan.end) if plan.end else until
    while True:
        ideal = anchor + timedelta(days=plan.offset(k) - base + shift)
        if ideal > end:
            break
        if ideal < today:
            shift += (today - ideal).days
            out.append((k, ideal, True))
        else:
            out.append((k, ideal, False))
        k += 1
    return out


def build(
    plans: Iterable[PlanSpec],
    calendars: dict[int, CentreCalendar],
    *,
    today: date,
    until: date,
    booked: dict[tuple[int, date], int] | None = None,
    alternatives_until: date | None = None,
) -> list[Appointment]:
    """Appointments of every plan from ``today`` to ``until``, placed within capacity.

    ``booked`` holds slots already taken per (centre, day), e.g. by other plans not in
    ``plans``; it is updated in place. Alternative days are proposed for moved or conflicting
    appointments due up to ``alternatives_until`` (default: all of them; forecasts that do not
    show them pass ``today`` to skip the work)."""
    offer_until = until if alternatives_until is None else alternatives_until
    used: dict[tuple[int, date], int] = booked if booked is not None else defaultdict(int)
    wanted: list[tuple[date, int, int, Appointment]] = []
    result: list[Appointment] = []
    for plan in plans:
        tolerance = plan.tolerance_days()
        for number, ideal, overdue in ideal_dates(plan, today, until):
            appointment = Appointment(
                plan.plan_id, plan.patient_key, plan.centre_id, plan.drug, number, ideal
            )
            if overdue:
                appointment.status = Status.OVERDUE
                appointment.reasons.append((N_("due on %(day)s, not recorded"), {"day": ideal}))
            target = max(ideal, today)
            if plan.uses_slot:
                wanted.append((target, plan.plan_id, tolerance, appointment))
            else:  # taken at home: dispensed on an open day, no infusion slot
                calendar = calendars[plan.centre_id]
                day = target
                for _ in range(14):
                    if calendar.is_open(day):
                        break
                    day += timedelta(days=1)
                appointment.date = day
                result.append(appointment)
    wanted.sort(key=lambda w: (w[0], w[1]))
    for target, _plan_id, tolerance, appointment in wanted:
        calendar = calendars[appointment.centre_id]
        _place(appointment, target, tolerance, calendar, used, today, target <= offer_until)
        result.append(appointment)
    result.sort(key=lambda a: (a.date or a.ideal, a.centre_id, a.plan_id))
    return result


def _free(calendar: CentreCalendar, used: dict[tuple[int, date], int], day: date) -> bool:
    return calendar.is_open(day) and used.get((calendar.centre_id, day), 0) < (
        calendar.daily_capacity
    )


def _place(
    appointment: Appointment,
    target: date,
    tolerance: int,
    calendar: CentreCalendar,
    used: dict[tuple[int, date], int],
    today: date,
    offer: bool = True,
) -> None:
    if _free(calendar, used, target):
        appointment.date = target
    else:
        why: Reason = (
            calendar.closed_reason(target)
            if not calendar.is_open(target)
            else (N_("all %(n)s infusion slots are booked"), {"n": calendar.daily_capacity})
        )
        for delta in _deltas(tolerance):
            day = target + timedelta(days=delta)
            if day >= today and _free(calendar, used, day):
                appointment.date = day
                if appointment.status is Status.OK:
                    appointment.status = Status.MOVED
                appointment.reasons.append((N_("%(day)s: %(why)s"), {"day": target, "why": why}))
                break
        else:
            day = target + timedelta(days=tolerance + 1)
            for _ in range(SEARCH_LIMIT_DAYS):
                if _free(calendar, used, day):
                    appointment.date = day
                    break
                day += timedelta(days=1)
            appointment.status = Status.CONFLICT
            appointment.reasons.append(
                (
                    N_("%(day)s: %(why)s, and no free slot within ±%(n)s days"),
                    {"day": target, "why": why, "n": tolerance},
                )
            )
        if offer:
            appointment.alternatives = alternatives(
                calendar, used, target, today, exclude=appointment
            )
    if appointment.date is not None:
        key = (calendar.centre_id, appointment.date)
        used[key] = used.get(key, 0) + 1


@cache
def _deltas(tolerance: int) -> tuple[int, ...]:
    """0 excluded: +1, -1, +2, -2, …"""
    out: list[int] = []
    for d in range(1, tolerance + 1):
        out += [d, -d]
    return tuple(out)


def alternatives(
    calendar: CentreCalendar,
    used: dict[tuple[int, date], int],
    around: date,
    today: date,
    *,
    exclude: Appointment | None = None,
    count: int = 3,
) -> list[date]:
    """The ``count`` free days nearest to ``around`` (not before today)."""
    found: list[date] = []
    for delta in [0, *_deltas(SEARCH_LIMIT_DAYS)]:
        day = around + timedelta(days=delta)
        if day < today or (exclude is not None and day == exclude.date):
            continue
        if _free(calendar, used, day):
            found.append(day)
            if len(found) == count:
                break
    return sorted(found)
