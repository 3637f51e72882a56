"""``rarecare network ...``: screening results import (a year of births at once), the
screening template, overdue samples and referrals waiting for an answer."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from rarecare.access import Principal, Role
from rarecare.clikit import OPERATOR, session_scope

network_app = typer.Typer(
    help="The care network: referrals, laboratory samples, newborn screening.",
    no_args_is_help=True,
)


@network_app.command("screening-template")
def screening_template(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output)")
    ] = None,
) -> None:
    """The screening results template with one example row."""
    from rarecare.network import screening_import

    data = screening_import.template(fmt)
    if out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {out}")


@network_app.command("import-screening")
def import_screening(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX following the template")
    ],
    workers: Annotated[
        int, typer.Option(help="Processes that check and encrypt the rows (default: one per CPU)")
    ] = os.cpu_count() or 1,
) -> None:
    """Import a screening laboratory's results: every row or none; each problem names its row."""
    from rich.progress import Progress

    from rarecare.clikit import load_settings
    from rarecare.network import screening_import
    from rarecare.registry import keys

    settings = load_settings()
    operator = Principal(user_id=0, username="cli", role=Role.DATA_MANAGER)
    with session_scope(settings) as session, Progress(transient=True) as bar:
        vault = keys.vault_for(session=session, settings=settings)
        task = bar.add_task(f"importing {path.name}", total=None)
        report = screening_import.import_results(
            session=session,
            principal=operator,
            vault=vault,
            content=path.read_bytes(),
            filename=path.name,
            workers=workers,
            progress=partial(bar.advance, task),
        )
    typer.echo(f"{report['rows']} rows checked, {report['written']} screening records imported")


@network_app.command("worklist")
def worklist(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Referrals waiting for an answer over 7 days and samples past their turnaround, nationwide."""
    from rarecare.clikit import load_settings
    from rarecare.network import labs, referrals

    with session_scope(load_settings()) as session:
        waiting = referrals.worklist(session=session, principal=OPERATOR)["awaiting"]
        late = labs.overdue(session=session, principal=OPERATOR)
        rows: dict[str, list[dict[str, object]]] = {
            "awaiting": [
                {"referral": r.id, "sent_at": r.sent_at.isoformat(), "to_centre_id": r.to_centre_id}
                for r in waiting
            ],
            "overdue_samples": [
                {
                    "sample": s.id,
                    "test": s.test.code,
                    "centre_id": s.centre_id,
                    "due_on": str(d.due_on),
                }
                for s, d in late
            ],
        }
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{len(rows['awaiting'])} referrals waiting for an answer over 7 days")
    for r in rows["awaiting"]:
        sent = str(r["sent_at"])[:10]
        typer.echo(f"  referral {r['referral']} sent {sent} to centre {r['to_centre_id']}")
    typer.echo(f"{len(rows['overdue_samples'])} samples overdue")
    for s in rows["overdue_samples"]:
        typer.echo(
            f"  sample {s['sample']} ({s['test']}) at centre {s['centre_id']}, due {s['due_on']}"
        )
