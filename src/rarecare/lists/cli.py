"""``rarecare lists ...``: versions, import (with --dry-run), approval, export and diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from rarecare.clikit import OPERATOR, echo_json, fail, knowledge, load_settings, session_scope
from rarecare.lists import schedule, service
from rarecare.lists.models import ListKind, VersionStatus
from rarecare.lists.schemas import ImportMode, VersionIn, VersionOut

lists_app = typer.Typer(
    help="The national rare disease list and the rare drug list.", no_args_is_help=True
)
Kind = Annotated[ListKind, typer.Argument(help="diseases or drugs")]


@lists_app.command("versions")
def versions(kind: Kind, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """All versions of a list, newest first."""
    settings = load_settings()
    with session_scope(settings) as session:
        items = service.list_versions(session=session, principal=OPERATOR, kind=kind)
        counts = service.entry_counts(session=session, version_ids=[v.id for v in items])
        out = [
            VersionOut.model_validate(v).model_copy(update={"entry_count": counts.get(v.id, 0)})
            for v in items
        ]
    if as_json:
        echo_json(out)
        return
    for v in out:
        typer.echo(
            f"#{v.id:<4} {v.status.value:<10} {v.decision_number:<16} {v.entry_count:>5}  {v.title}"
        )


@lists_app.command("template")
def template(
    kind: Kind,
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output)")
    ] = None,
) -> None:
    """The import template with one example row."""
    data, _name = service.template_file(kind, fmt)
    if out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {out}")


@lists_app.command("import")
def import_(
    kind: Kind,
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX following the template")
    ],
    title: Annotated[str | None, typer.Option(help="Title of a new draft version")] = None,
    version: Annotated[
        int | None, typer.Option(help="Import into this existing draft instead")
    ] = None,
    decision: Annotated[str, typer.Option(help="Decision number, e.g. 2885/QĐ-BYT")] = "",
    decision_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    effective_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing")
    ] = False,
    mode: Annotated[
        ImportMode,
        typer.Option(help="replace: the draft becomes the file; merge: add and update entries"),
    ] = ImportMode.REPLACE,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm a replacement that removes entries")
    ] = False,
) -> None:
    """Import a list file into a draft: every row or none; each problem names row and column."""
    if (title is None) == (version is None):
        fail("give either --title (new draft) or --version (existing draft)", code=2)
    settings = load_settings()
    kb = knowledge(settings)
    with session_scope(settings) as session:
        if version is None:
            data = VersionIn(
                title=title or "",
                decision_number=decision,
                decision_date=date.fromisoformat(decision_date) if decision_date else None,
                effective_from=date.fromisoformat(effective_from) if effective_from else None,
            )
            version = service.create_version(
                session=session, principal=OPERATOR, kind=kind, data=data
            ).id
        report = service.import_file(
            session=session,
            principal=OPERATOR,
            kb=kb,
            version_id=version,
            content=path.read_bytes(),
            filename=path.name,
            dry_run=dry_run,
            mode=mode,
            confirm=yes,
        )
        if dry_run:
            session.rollback()
    prefix = "dry run, nothing written: " if dry_run else f"draft #{report.version_id}: "
    typer.echo(
        f"{prefix}{report.rows} rows ({report.added} added, {report.removed} removed, "
        f"{report.changed} changed)"
    )


@lists_app.command("approve")
def approve(version_id: Annotated[int, typer.Argument(help="The draft to approve")]) -> None:
    """Approve a draft; the approved version of the same list becomes superseded — at once,
    or on the draft's effective date when that is later (approved, scheduled)."""
    settings = load_settings()
    with session_scope(settings) as session:
        version = service.approve(session=session, principal=OPERATOR, version_id=version_id)
        if version.status is VersionStatus.SCHEDULED:
            typer.echo(f"approved #{version.id} {version.title}, in force from "
                       f"{version.effective_from:%d/%m/%Y}")  # fmt: skip
        else:
            typer.echo(f"approved #{version.id} {version.title}")


@lists_app.command("activate")
def activate() -> None:
    """Mark the scheduled versions whose effective date has come as in force (the server does
    it every 15 minutes; for installations that run no server, from cron)."""
    settings = load_settings()
    with session_scope(settings) as session:
        done = schedule.activate_due(session=session)
        for version in done:
            typer.echo(f"in force: #{version.id} {version.title}")
        if not done:
            typer.echo("nothing to activate")


@lists_app.command("export")
def export(
    version_id: int,
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out: Annotated[Path | None, typer.Option(help="File to write")] = None,
) -> None:
    """Export a version's entries."""
    settings = load_settings()
    with session_scope(settings) as session:
        data, name = service.export_file(
            session=session, principal=OPERATOR, version_id=version_id, fmt=fmt
        )
    target = out or Path(name)
    target.write_bytes(data)
    typer.echo(f"wrote {target}")


@lists_app.command("diff")
def diff(
    from_id: int, to_id: int, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Entries added, removed and changed between two versions."""
    settings = load_settings()
    with session_scope(settings) as session:
        result = service.diff(session=session, principal=OPERATOR, from_id=from_id, to_id=to_id)
    if as_json:
        echo_json(result)
        return
    for row in result.added:
        typer.echo(f"+ {row.get('orpha_code') or row.get('inn')} {row.get('name_en', '')}")
    for row in result.removed:
        typer.echo(f"- {row.get('orpha_code') or row.get('inn')} {row.get('name_en', '')}")
    for change in result.changed:
        for f in change.changes:
            typer.echo(f"~ {change.label}: {f.field}: {f.old!r} -> {f.new!r}")
