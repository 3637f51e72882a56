"""The plan as a workbook: the template imports, an export re-imports unchanged, a changed
status is kept in the activity's history, and a bad file is refused whole with every bad row
and field named."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from rarecare.errors import PermissionDenied, ValidationFailed
from rarecare.monitoring import service, workbook

from .conftest import PlanWorld


def _edited(content: bytes, rows: dict[int, dict[str, object]]) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book["activities"]
    header = [c.value for c in sheet[1]]
    for number, values in rows.items():
        for name, value in values.items():
            sheet.cell(row=number, column=header.index(name) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_imports_as_a_new_plan(db: Session, world: PlanWorld) -> None:
    template = _edited(workbook.template(), {2: {"lead": "MSA", "partners": "HOSP-A"}})
    book = load_workbook(io.BytesIO(template))
    book["plan"]["B1"] = "NAP-2"
    out = io.BytesIO()
    book.save(out)
    counts = workbook.import_plan(session=db, principal=world.committee, content=out.getvalue())
    assert (counts["created"], counts["changed"]) == (1, 0)
    plan = service.get_plan(session=db, principal=world.committee, plan_id=counts["plan_id"])
    [task] = service.tasks_of(plan)
    assert (task.code, [a.code for a in task.activities]) == ("1", ["1.1"])


def test_an_export_reimports_unchanged_and_a_new_status_is_kept_in_history(
    db: Session, world: PlanWorld
) -> None:
    exported = workbook.export(session=db, principal=world.committee)
    again = workbook.import_plan(session=db, principal=world.committee, content=exported)
    assert (again["created"], again["changed"]) == (0, 0)
    row = 2 + [a.code for a in world.plan.objectives[0].tasks[0].activities].index("2.2")
    changed = workbook.import_plan(
        session=db,
        principal=world.committee,
        content=_edited(exported, {row: {"status": "delayed", "percent_done": 45}}),
    )
    assert changed["changed"] == 1
    history = service.history(session=db, principal=world.committee, activity_id=world.led_by_a.id)
    assert {(c.field, c.old, c.new) for c in history} == {
        ("status", "on_track", "delayed"),
        ("percent_done", "40", "45"),
    }


def test_a_bad_workbook_is_refused_whole_naming_every_row_and_field(
    db: Session, world: PlanWorld
) -> None:
    exported = workbook.export(session=db, principal=world.committee)
    bad = _edited(
        exported,
        {
            2: {"lead": "NOBODY"},
            3: {"deadline": "31/02/2026"},
            4: {"status": "almost", "percent_done": 140, "code": "2.2"},
        },
    )
    before = [a.lead_id for a in service.activities(session=db, principal=world.committee)]
    with pytest.raises(ValidationFailed) as caught:
        workbook.import_plan(session=db, principal=world.committee, content=bad)
    named = {(d.row, d.field) for d in caught.value.details}
    assert {(2, "lead"), (3, "deadline"), (4, "status"), (4, "percent_done")} <= named
    assert any(d.field == "code" and d.row == 4 for d in caught.value.details)  # a duplicate
    assert [a.lead_id for a in service.activities(session=db, principal=world.committee)] == before


def test_only_the_committee_imports_a_plan(db: Session, world: PlanWorld) -> None:
    with pytest.raises(PermissionDenied):
        workbook.import_plan(session=db, principal=world.cast.analyst, content=workbook.template())
