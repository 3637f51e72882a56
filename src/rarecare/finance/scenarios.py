"""Saved budget-impact scenarios: an analyst keeps a scenario (its inputs and what it gave),
compares several side by side — totals and each year's cost to the fund — and exports the
comparison (CSV or XLSX) for a submission. National roles only, like the calculator."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from rarecare.finance import service
from rarecare.finance.models import BudgetScenario
from rarecare.finance.schemas import BudgetIn
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase

ANALYSTS = (Role.ADMIN, Role.MINISTRY)
MAX_COMPARED = 6


def save(
    *,
    session: Session,
    principal: Principal | None,
    name: str,
    data: BudgetIn,
    kb: KnowledgeBase | None = None,
) -> BudgetScenario:
    """Compute a scenario and keep it under a name."""
    actor = require_role(principal, *ANALYSTS)
    name = name.strip()
    if not 2 <= len(name) <= 200:
        raise ValidationFailed(
            _("The scenario was not saved."),
            [FieldError("name", N_("a name of 2 to 200 characters"))],
        )
    impact, derived = service.budget_impact(session=session, principal=actor, data=data, kb=kb)
    scenario = BudgetScenario(
        name=name,
        drug=impact.inputs.drug,
        inputs=data.model_dump(mode="json"),
        result=to_jsonable_python(impact.as_dict() | {"derived": derived}),
        created_by=actor.username,
    )
    session.add(scenario)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="save_scenario",
        object_type="budget_scenario",
        object_id=scenario.id,
        detail={"name": name, "drug": scenario.drug},
    )
    return scenario


def listing(*, session: Session, principal: Principal | None) -> Sequence[BudgetScenario]:
    require_role(principal, *ANALYSTS)
    return session.scalars(select(BudgetScenario).order_by(BudgetScenario.id.desc())).all()


def delete(*, session: Session, principal: Principal | None, scenario_id: int) -> None:
    """Its author, or an administrator, removes a scenario."""
    actor = require_role(principal, *ANALYSTS)
    scenario = session.get(BudgetScenario, scenario_id)
    if scenario is None:
        raise NotFound()
    if actor.role is not Role.ADMIN and scenario.created_by != actor.username:
        raise PermissionDenied(_("Only its author or an administrator removes a scenario."))
    session.delete(scenario)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="delete_scenario",
        object_type="budget_scenario",
        object_id=scenario_id,
    )


# a comparison's columns: the scenario, its inputs, its totals (then each year's cost to the fund)
_OWN = ("id", "name", "drug")
_INPUTS = ("coverage", "current_coverage", "start", "prevalence_per_100k", "registered_patients",
           "cost_per_patient_year")  # fmt: skip
_TOTALS = ("total_fund", "total_families", "total_incremental_fund")


@dataclass(frozen=True)
class Comparison:
    scenarios: list[BudgetScenario]
    years: int  # the longest horizon among them

    def rows(self) -> list[dict[str, Any]]:
        """One row per scenario: its inputs, totals and each year's cost to the fund."""
        out = []
        for s in self.scenarios:
            row: dict[str, Any] = {
                **{name: getattr(s, name) for name in _OWN},
                **{name: s.result["inputs"][name] for name in _INPUTS},
                **{name: s.result[name] for name in _TOTALS},
            }
            for year in s.result["years"]:
                row[f"fund_year_{year['year']}"] = year["fund"]
            out.append(row)
        return out

    def columns(self) -> list[str]:
        return [*_OWN, *_INPUTS, *_TOTALS, *(f"fund_year_{y}" for y in range(1, self.years + 1))]


def compare(
    *, session: Session, principal: Principal | None, scenario_ids: Sequence[int]
) -> Comparison:
    """Several scenarios side by side (2 to 6, in the order asked)."""
    require_role(principal, *ANALYSTS)
    ids = list(dict.fromkeys(scenario_ids))
    if not 1 <= len(ids) <= MAX_COMPARED:
        raise ValidationFailed(
            _("Choose the scenarios to compare."),
            [FieldError("ids", N_("choose 1 to 6 scenarios"))],
        )
    found = {
        s.id: s for s in session.scalars(select(BudgetScenario).where(BudgetScenario.id.in_(ids)))
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound()
    scenarios = [found[i] for i in ids]
    return Comparison(scenarios, max(len(s.result["years"]) for s in scenarios))


def export(comparison: Comparison, fmt: str) -> tuple[bytes, str]:
    """The comparison as CSV or XLSX (one row per scenario)."""
    columns, rows = comparison.columns(), comparison.rows()
    name = "rarecare-budget-scenarios-" + "-".join(str(s.id) for s in comparison.scenarios)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        return text.getvalue().encode("utf-8-sig"), f"{name}.csv"
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "scenarios"
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), f"{name}.xlsx"
    raise ValidationFailed(
        _("Unknown export format."), [FieldError("format", N_("expected csv or xlsx"))]
    )
