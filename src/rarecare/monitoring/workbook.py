"""The action plan as a spreadsheet: a template to fill, an import (all or nothing: every bad
row and field named) and an export that re-imports. The first sheet holds the activities (one
row each, with their objective and key task); the sheet ``plan`` holds the plan's decision."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_role
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.interop import tabular as tab
from rarecare.interop.tabular import CellError, Column, Table
from rarecare.monitoring import service
from rarecare.monitoring.models import ActivityStatus, Plan, Task
from rarecare.monitoring.schemas import ActivityChangeIn, ActivityIn, PlanIn
from rarecare.outputs import OutputKind

PLAN_FIELDS = (
    ("code", "NAP-RD-2025-2026"),
    ("title", "Kế hoạch hành động quốc gia về quản lý bệnh hiếm 2025–2026"),
    ("decision_number", "2885/QĐ-BYT"),
    ("decision_date", "2025-09-12"),
    ("issuing_body", "Bộ Y tế"),
    ("period_start", "2025-09-12"),
    ("period_end", "2026-12-31"),
)


def _choice(values: list[str]) -> Any:
    def parse(value: str) -> str | None:
        v = value.strip().lower()
        if not v:
            return None
        if v not in values:
            raise CellError(
                N_("expected one of: %(options)s, got %(value)s"), options=", ".join(values)
            )
        return v

    return parse


def _percent(value: str) -> int | None:
    number = tab.whole_number(value.strip().rstrip("%"))
    if number is not None and not 0 <= number <= 100:
        raise CellError(N_("expected a whole number from 0 to 100, got %(value)s"))
    return number


ACTIVITIES = Table(
    (
        Column("objective", tab.text, True, "The plan objective", "Hoàn thiện thể chế"),
        Column("task_code", tab.text, True, "Key task number", "1"),
        Column("task", tab.text, True, "Key task", "Hoàn thiện thể chế, rà soát văn bản"),
        Column("code", tab.text, True, "Activity code, unique in the plan", "1.1"),
        Column("title", tab.text, True, "Activity", "Rà soát văn bản quy phạm pháp luật"),
        Column("lead", tab.text, True, "Code of the lead organisation", "MSA"),
        Column("partners", tab.code_list, False, "Codes of partner organisations", "HID, DAV"),
        Column("start_date", tab.iso_date, False, "YYYY-MM-DD", "2025-10-01"),
        Column("deadline", tab.iso_date, True, "YYYY-MM-DD", "2026-03-31"),
        Column(
            "status",
            _choice([s.value for s in ActivityStatus]),
            False,
            "not_started, on_track, at_risk, delayed, done, cancelled",
            "on_track",
        ),
        Column("percent_done", _percent, False, "0–100", "40"),
        Column("expected_output", tab.text, False, "What it must produce", "Báo cáo rà soát"),
        Column(
            "output_kind",
            _choice([k.value for k in OutputKind]),
            False,
            "A RareCare output whose approval completes it: "
            + ", ".join(k.value for k in OutputKind),
            "",
        ),
    )
)


def template() -> bytes:
    return _workbook([{c.name: c.example for c in ACTIVITIES.columns}], dict(PLAN_FIELDS))


def export(*, session: Session, principal: Principal | None, plan_id: int | None = None) -> bytes:
    """The plan and every activity ``principal`` may see, in the template's shape."""
    plan = service.get_plan(session=session, principal=principal, plan_id=plan_id)
    seen = {a.id for a in service.activities(session=session, principal=principal, plan_id=plan.id)}
    codes = {o.id: o.code for o in service.organisations(session=session)}
    rows = [
        {
            "objective": objective.title,
            "task_code": task.code,
            "task": task.title,
            "code": a.code,
            "title": a.title,
            "lead": codes.get(a.lead_id, ""),
            "partners": [codes[p] for p in a.partner_ids if p in codes],
            "start_date": a.start_date,
            "deadline": a.deadline,
            "status": a.status.value,
            "percent_done": a.percent_done,
            "expected_output": a.expected_output,
            "output_kind": a.output_kind or "",
        }
        for objective in plan.objectives
        for task in objective.tasks
        for a in task.activities
        if a.id in seen
    ]
    header = {name: getattr(plan, name) for name, _example in PLAN_FIELDS}
    return _workbook(rows, header)


def _workbook(rows: list[dict[str, Any]], plan: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activities"
    sheet.append(ACTIVITIES.names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([tab.cell_out(row.get(name)) for name in ACTIVITIES.names])
    header = book.create_sheet("plan")
    for key, value in plan.items():
        header.append([key, value.isoformat() if isinstance(value, date) else tab.cell_out(value)])
    notes = book.create_sheet("columns")
    notes.append(["column", "required", "description", "example"])
    for column in ACTIVITIES.columns:
        notes.append(
            [column.name, "yes" if column.required else "no", column.description, column.example]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plan_sheet(content: bytes) -> tuple[dict[str, str], list[FieldError]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationFailed(
            _("The file is not a readable XLSX workbook."), [FieldError("file", str(exc))]
        ) from exc
    if "plan" not in book.sheetnames:
        return {}, [FieldError("plan", N_("the workbook has no sheet named 'plan'"))]
    values = {
        str(row[0]).strip(): tab.cell_text(row[1]).strip()
        for row in book["plan"].iter_rows(values_only=True, max_row=50, max_col=2)
        if row and row[0]
    }
    book.close()
    return values, []


def import_plan(
    *, session: Session, principal: Principal | None, content: bytes, filename: str = "plan.xlsx"
) -> dict[str, int]:
    """Create the plan (or complete an existing one of the same code): objectives and key
    tasks as named, activities added or — when their code exists — changed (kept in their
    history). All or nothing: any bad row or field refuses the whole file, naming each."""
    actor = require_role(principal, *service.EDITORS)
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        raise ValidationFailed(
            _("Invalid file."), [FieldError("file", N_("expected an XLSX workbook"))]
        )
    header, errors = _plan_sheet(content)
    rows, row_errors = tab.read_rows(ACTIVITIES, content, filename)
    errors += row_errors
    plan_data: PlanIn | None = None
    try:
        plan_data = PlanIn.model_validate(header)
    except ValueError as exc:
        for problem in getattr(exc, "errors", lambda: [])():
            where = ".".join(str(p) for p in problem["loc"]) or "plan"
            errors.append(FieldError(f"plan.{where}", problem["msg"]))
    orgs = {o.code: o for o in service.organisations(session=session)}
    seen_codes: dict[str, int] = {}
    for number, values in rows:
        for name in ("lead",):
            if values.get(name) and values[name] not in orgs:
                errors.append(
                    FieldError(
                        name,
                        N_("no organisation %(code)s"),
                        params={"code": values[name]},
                        row=number,
                    )
                )
        for code in values.get("partners") or []:
            if code not in orgs:
                errors.append(
                    FieldError(
                        "partners",
                        N_("no organisation %(code)s"),
                        params={"code": code},
                        row=number,
                    )
                )
        start, deadline = values.get("start_date"), values.get("deadline")
        if start and deadline and deadline < start:
            errors.append(FieldError("deadline", N_("before the start date"), row=number))
        code = values.get("code")
        if code:
            if code in seen_codes:
                errors.append(
                    FieldError(
                        "code",
                        N_("%(code)s also on row %(first)s"),
                        params={"code": code, "first": seen_codes[code]},
                        row=number,
                    )
                )
            seen_codes[code] = number
    if errors or plan_data is None:
        raise ValidationFailed(_("The plan was not imported; nothing was written."), errors)
    plan = _plan(session, actor, plan_data)
    created = changed = 0
    for number, values in rows:
        task = _task(session, actor, plan, values["objective"], values["task_code"], values["task"])
        existing = next(
            (a for t in service.tasks_of(plan) for a in t.activities if a.code == values["code"]),
            None,
        )
        try:
            if existing is None:
                service.create_activity(
                    session=session,
                    principal=actor,
                    data=ActivityIn(
                        task_id=task.id,
                        code=values["code"],
                        title=values["title"],
                        lead_code=values["lead"],
                        partner_codes=values.get("partners") or [],
                        start_date=values.get("start_date"),
                        deadline=values["deadline"],
                        status=ActivityStatus(values.get("status") or "not_started"),
                        percent_done=values.get("percent_done") or 0,
                        expected_output=values.get("expected_output") or "",
                        output_kind=values.get("output_kind"),
                    ),
                )
                created += 1
            else:
                before = existing.version
                service.update_activity(
                    session=session,
                    principal=actor,
                    activity_id=existing.id,
                    data=ActivityChangeIn.model_validate(
                        {
                            k: v
                            for k, v in {
                                "title": values["title"],
                                "lead_code": values["lead"],
                                "start_date": values.get("start_date"),
                                "deadline": values["deadline"],
                                "status": values.get("status"),
                                "percent_done": values.get("percent_done"),
                                "expected_output": values.get("expected_output"),
                            }.items()
                            if v is not None
                        }
                    ),
                )
                session.flush()
                changed += existing.version != before
        except ValidationFailed as exc:  # a row the checks above let through
            raise ValidationFailed(
                _("The plan was not imported; nothing was written."),
                [replace(d, row=number) for d in exc.details],
            ) from exc
    session.refresh(plan)
    return {"plan_id": plan.id, "activities": len(rows), "created": created, "changed": changed}


def _plan(session: Session, actor: Principal, data: PlanIn) -> Plan:
    try:
        plan = next(
            p for p in service.plans(session=session, principal=actor) if p.code == data.code
        )
    except StopIteration:
        return service.create_plan(session=session, principal=actor, data=data)
    return service.get_plan(session=session, principal=actor, plan_id=plan.id)


def _task(
    session: Session, actor: Principal, plan: Plan, objective_title: str, code: str, title: str
) -> Task:
    objective = next((o for o in plan.objectives if o.title == objective_title), None)
    if objective is None:
        objective = service.add_objective(
            session=session, principal=actor, plan_id=plan.id, title=objective_title
        )
    task = next((t for t in objective.tasks if t.code == code), None)
    if task is None:
        task = service.add_task(
            session=session, principal=actor, objective_id=objective.id, code=code, title=title
        )
        session.refresh(objective)
    return task
