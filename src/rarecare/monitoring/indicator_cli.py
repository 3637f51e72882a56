"""``rarecare indicators ...``: refresh the stored indicator values, list them, export them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from rarecare.clikit import OPERATOR, fail, load_settings, session_scope
from rarecare.errors import RareCareError
from rarecare.monitoring import exports, indicators
from rarecare.monitoring.definitions import INDICATORS

indicators_app = typer.Typer(
    help="National indicators: refresh, show, export.", no_args_is_help=True
)


@indicators_app.command("refresh")
def refresh(
    period: Annotated[
        list[str] | None,
        typer.Option(help="2026, 2026Q1 or 202603 (repeatable); default: the last 8 quarters"),
    ] = None,
) -> None:
    """Recompute every indicator for the periods (with a progress bar) and store the values."""
    settings = load_settings()
    wanted = period or indicators.recent_quarters(date.today())
    try:
        with typer.progressbar(length=len(wanted) * 3, label="indicators") as bar:
            for one in wanted:
                with session_scope(settings) as session:
                    run = indicators.refresh(
                        session=session,
                        principal=OPERATOR,
                        period=one,
                        progress=lambda n, total: bar.update(1),
                    )
                    line = (
                        f"{one}: {run.values_count:,} values from {run.records:,} records "
                        f"in {run.seconds:.2f} s"
                    )
                typer.echo(f"\n{line}")
    except RareCareError as exc:
        fail(exc)


@indicators_app.command("show")
def show(
    period: Annotated[str, typer.Option(help="e.g. 2026Q1")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The national figure of every indicator for a period (stored values)."""
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            figures = indicators.national(session=session, principal=OPERATOR, period=period)
            rows = {
                i.code: (figures[i.code].value if i.code in figures else None) for i in INDICATORS
            }
    except RareCareError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for code, value in rows.items():
        typer.echo(f"{code:<28} {'–' if value is None else f'{value:,.2f}'}")


@indicators_app.command("export")
def export(
    period: Annotated[str, typer.Option(help="e.g. 2026Q1")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or dhis2")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Where to write it")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="DHIS2 mapping (dataElements, orgUnits) JSON")
    ] = None,
) -> None:
    """National and province figures, small counts suppressed; ``dhis2``: a dataValueSets JSON
    for a ministry DHIS2 (see the mapping file in the docs)."""
    if fmt not in ("csv", "xlsx", "dhis2"):
        fail("--format is csv, xlsx or dhis2", code=2)
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            if fmt == "dhis2":
                payload = exports.dhis2(
                    session=session, principal=OPERATOR, period=period, mapping_file=mapping
                )
                data = json.dumps(payload, ensure_ascii=False, indent=1).encode()
            else:
                data = exports.export_table(
                    session=session, principal=OPERATOR, period=period, fmt=fmt
                )
    except RareCareError as exc:
        fail(exc)
    target = out or Path(f"rarecare-indicators-{period}.{'json' if fmt == 'dhis2' else fmt}")
    target.write_bytes(data)
    typer.echo(f"wrote {target}")
