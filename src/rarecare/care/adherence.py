"""Adherence: proportion of days covered and missed or late doses (pure code, no database).

PDC (proportion of days covered) follows the usual pharmacy-claims definition: each
administration covers ``interval_days`` days from the day it is given; when a dose is given
before the previous one has run out, its days start where the previous cover ends (no double
counting); the covered days inside the period are divided by the days of the period. A PDC of
0.8 or more is the customary threshold for an adherent patient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from rarecare.care.schedule import PlanSpec
from rarecare.i18n import N_, format_day, ngettext

ADHERENT_PDC = 0.8
ALERT_LABELS: dict[str, str] = {"missed": N_("missed"), "late": N_("late")}


def pdc(
    given: Iterable[date], interval_days: int, period_start: date, period_end: date
) -> float | None:
    """Covered days / days in [period_start, period_end] (both included); None for an empty
    period."""
    days = (period_end - period_start).days + 1
    if days <= 0:
        return None
    covered = 0
    cover_end = date.min  # first day not yet covered
    for day in sorted(given):
        start = max(day, cover_end)
        end = start + timedelta(days=interval_days)  # exclusive
        cover_end = end
        lo, hi = max(start, period_start), min(end, period_end + timedelta(days=1))
        if hi > lo:
            covered += (hi - lo).days
    return min(1.0, covered / days)


@dataclass(frozen=True)
class DoseAlert:
    plan_id: int
    patient_key: str
    centre_id: int
    drug: str
    kind: str  # "missed" | "late"
    due: date
    days: int  # days overdue (missed) or days late (late)
    given: date | None = None

    @property
    def message(self) -> str:
        """The alert in the current language."""
        values = {
            "drug": self.drug,
            "due": format_day(self.due),
            "days": self.days,
            "given": format_day(self.given) if self.given else "?",
        }
        if self.kind == "missed":
            return (
                ngettext(
                    "%(drug)s: the dose due on %(due)s has not been recorded (%(days)s day "
                    "overdue)",
                    "%(drug)s: the dose due on %(due)s has not been recorded (%(days)s days "
                    "overdue)",
                    self.days,
                )
                % values
            )
        return (
            ngettext(
                "%(drug)s: the dose due on %(due)s was given %(days)s day late, on %(given)s",
                "%(drug)s: the dose due on %(due)s was given %(days)s days late, on %(given)s",
                self.days,
            )
            % values
        )


def grace_days(plan: PlanSpec) -> int:
    """How late a dose may be before it counts as late or missed: the scheduling tolerance,
    and at least one day."""
    return max(1, plan.tolerance_days())


def dose_alerts(plan: PlanSpec, today: date, *, late_window_days: int = 90) -> list[DoseAlert]:
    """A *missed* alert when the next dose is overdue beyond the grace days; a *late* alert for
    each administration of the last ``late_window_days`` given later than due + grace."""
    alerts: list[DoseAlert] = []
    given = sorted(plan.given)
    grace = grace_days(plan)
    for k in range(1, len(given)):
        due = given[k - 1] + timedelta(days=plan.offset(k) - plan.offset(k - 1))
        late = (given[k] - due).days
        if late > grace and (today - given[k]).days <= late_window_days:
            alerts.append(
                DoseAlert(
                    plan.plan_id,
                    plan.patient_key,
                    plan.centre_id,
                    plan.drug,
                    "late",
                    due,
                    late,
                    given[k],
                )
            )
    if given:
        due = given[-1] + timedelta(days=plan.offset(len(given)) - plan.offset(len(given) - 1))
    else:
        due = plan.start
    if plan.end is not None and due > plan.end:
        return alerts
    overdue = (today - due).days
    if overdue > grace:
        alerts.append(
            DoseAlert(
                plan.plan_id, plan.patient_key, plan.centre_id, plan.drug, "missed", due, overdue
            )
        )
    return alerts
