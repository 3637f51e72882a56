"""``rarecare plan ...`` and ``rarecare report ...``: the action plan as a workbook (template,
import, export), its status, and the quarterly report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rarecare.clikit import OPERATOR, echo_json, fail, load_settings, session_scope
from rarecare.errors import RareCareError
from rarecare.monitoring import report, service, workbook

plan_app = typer.Typer(help="The national action plan: workbook, status.", no_args_is_help=True)
report_app = typer.Typer(help="Reports of the steering committee.", no_args_is_help=True)


@plan_app.command("template")
def plan_template(
    out: Annotated[Path, typer.Option(help="Where to write the workbook")] = Path(
        "plan-template.xlsx"
    ),
    fmt: Annotated[str, typer.Option("--format", help="xlsx")] = "xlsx",
) -> None:
    """An empty plan workbook with an example row and the columns explained."""
    if fmt != "xlsx":
        fail("only --format xlsx is offered", code=2)
    out.write_bytes(workbook.template())
    typer.echo(f"wrote {out}")


@plan_app.command("import")
def plan_import(file: Annotated[Path, typer.Argument(help="The plan workbook (.xlsx)")]) -> None:
    """Create or complete the plan from a workbook: all or nothing, every bad row named."""
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            counts = workbook.import_plan(
                session=session, principal=OPERATOR, content=file.read_bytes(), filename=file.name
            )
    except RareCareError as exc:
        fail(exc)
    typer.echo(
        f"plan {counts['plan_id']}: {counts['activities']} activities "
        f"({counts['created']} new, {counts['changed']} changed)"
    )


@plan_app.command("export")
def plan_export(
    out: Annotated[Path, typer.Option(help="Where to write the workbook")] = Path("plan.xlsx"),
) -> None:
    """The current plan as a workbook (re-imports as it is)."""
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            out.write_bytes(workbook.export(session=session, principal=OPERATOR))
    except RareCareError as exc:
        fail(exc)
    typer.echo(f"wrote {out}")


@plan_app.command("status")
def plan_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Activities by state (overdue included) for the plan and each key task."""
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            status = service.status(session=session, principal=OPERATOR)
    except RareCareError as exc:
        fail(exc)
    if as_json:
        echo_json(status)
        return
    typer.echo(f"{status.title} ({status.decision_number}), as of {status.as_of:%d/%m/%Y}")
    typer.echo("  " + ", ".join(f"{k}: {v}" for k, v in sorted(status.by_state.items())))
    for task in status.tasks:
        states = ", ".join(f"{k} {v}" for k, v in sorted(task.by_state.items()))
        typer.echo(f"{task.code:>4}. {task.percent:>3}%  {task.title}  [{states}]")


@report_app.command("quarterly")
def report_quarterly(
    period: Annotated[str, typer.Option(help="The quarter, e.g. 2026Q1")],
    fmt: Annotated[str, typer.Option("--format", help="pdf or xlsx")] = "pdf",
    lang: Annotated[str, typer.Option(help="vi or en")] = "vi",
    out: Annotated[Path | None, typer.Option(help="Where to write it")] = None,
) -> None:
    """The steering committee's quarterly report."""
    if fmt not in ("pdf", "xlsx") or lang not in ("vi", "en"):
        fail("--format is pdf or xlsx, --lang vi or en", code=2)
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            content = report.quarterly(session=session, principal=OPERATOR, period=period)
            data = report.render(content, fmt, lang)
    except RareCareError as exc:
        fail(exc)
    target = out or Path(report.filename(content, fmt))
    target.write_bytes(data)
    typer.echo(f"wrote {target} ({len(data):,} bytes)")
