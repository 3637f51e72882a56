"""``rarecare care ...``: therapy arithmetic from the approved rare drug list."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from rarecare.care.dosing import plan
from rarecare.care.therapy import regimen_of_entry
from rarecare.clikit import echo_json, fail, load_settings, session_scope
from rarecare.errors import NotFound, RareCareError
from rarecare.lists import service as lists

care_app = typer.Typer(help="Care: therapy plans, schedules, demand, travel.", no_args_is_help=True)


@care_app.command("dose")
def dose(
    drug: Annotated[str, typer.Option(help="INN or brand name on the approved rare drug list")],
    weight_kg: Annotated[
        float | None, typer.Option(help="Patient weight (per-kg regimens)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Dose, whole vials, administrations and vials per year, and the yearly drug cost."""
    settings = load_settings()
    with session_scope(settings) as session:
        entry = lists.approved_drug(session=session, name=drug)
        if entry is None:
            fail(NotFound(f"{drug!r} is not on the approved rare drug list."))
        regimen = regimen_of_entry(entry)
    try:
        result = plan(regimen, weight_kg)
    except RareCareError as exc:
        fail(exc)
    if as_json:
        echo_json(asdict(result) | {"strength_unit": regimen.strength_unit})
        return
    typer.echo(
        f"{result.drug}: {result.dose:g} {result.dose_unit} per administration = "
        f"{result.vials_per_administration} × {result.strength:g} {regimen.strength_unit} vials"
    )
    typer.echo(
        f"{result.administrations_per_year} administrations and {result.vials_per_year} vials"
        " a year"
        + (
            f" (first year {result.administrations_first_year} and {result.vials_first_year})"
            if result.administrations_first_year != result.administrations_per_year
            else ""
        )
    )
    if result.yearly_cost is not None:
        typer.echo(
            f"yearly drug cost: {result.yearly_cost:,.0f} VND"
            " (list price; illustrative in the demo)"
        )


@care_app.command("demand")
def demand(
    months: Annotated[int, typer.Option(help="Months to forecast (1-36)")] = 12,
    centre: Annotated[str | None, typer.Option(help="Centre code (default: all)")] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write CSV or XLSX for procurement")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Vials per drug per centre per month from every active plan, stock and reorder alerts."""
    from pathlib import Path

    from rarecare.care import logistics
    from rarecare.centres import service as centres
    from rarecare.clikit import OPERATOR

    settings = load_settings()
    try:
        with session_scope(settings) as session:
            centre_id = (
                centres.get_centre_by_code(session=session, code=centre).id if centre else None
            )
            report = logistics.demand(
                session=session, principal=OPERATOR, months=months, centre_id=centre_id
            )
    except RareCareError as exc:
        fail(exc)
    if output:
        fmt = Path(output).suffix.lstrip(".").lower()
        if fmt not in ("csv", "xlsx"):
            fail(RareCareError("--output must end in .csv or .xlsx"))
        Path(output).write_bytes(logistics.demand_export(report, fmt))
        typer.echo(f"wrote {output}")
        return
    if as_json:
        echo_json(report.model_dump(mode="json"))
        return
    typer.echo(f"{report.plans} active plans; vials per month from {report.months[0]}")
    for row in report.rows:
        flag = "  REORDER" if row.reorder else ""
        stock = "-" if row.on_hand is None else str(row.on_hand)
        typer.echo(
            f"{row.centre[:34]:<34} {row.drug:<20} total {row.total:>6}  stock {stock:>6}{flag}"
        )
        typer.echo("    " + " ".join(f"{m[2:]}:{n}" for m, n in row.months.items()))


@care_app.command("travel")
def travel(
    drug: Annotated[str | None, typer.Option(help="Therapy (default: every therapy)")] = None,
    what_if: Annotated[
        list[str] | None,
        typer.Option("--what-if", help="Centre code that would start giving --drug (repeat)"),
    ] = None,
    recommend: Annotated[
        int, typer.Option(help="Recommend this many provincial centres for --drug")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Travel burden today, the what-if of enabling a therapy at more centres, and where to
    start it next (greedy, ≥ 63% of the optimal saving)."""
    from rarecare.care import logistics
    from rarecare.care import travel as tr
    from rarecare.clikit import OPERATOR

    if (what_if or recommend) and not drug:
        fail(RareCareError("--what-if and --recommend need --drug"))
    settings = load_settings()
    try:
        with session_scope(settings) as session:
            _picture, result = logistics.travel(
                session=session, principal=OPERATOR, drug=drug, enable=what_if or ()
            )
            inn = result.drug
            rec = (
                logistics.recommend(session=session, principal=OPERATOR, drug=inn, k=recommend)
                if recommend and inn
                else None
            )
    except RareCareError as exc:
        fail(exc)
    summary = {
        "drug": inn,
        "enabled": what_if or [],
        "road_factor": tr.ROAD_FACTOR,
        "before": asdict(result.before),
        "after": asdict(result.after),
        "km_saved": result.km_saved,
        "trips_saved": result.trips_saved,
        "patients_moved": result.patients_moved,
        "recommendation": asdict(rec) if rec else None,
    }
    if as_json:
        echo_json(summary)
        return
    b, a = result.before, result.after
    typer.echo(
        f"today: {b.patients} patients, {b.trips:,.0f} trips and {b.km:,.0f} km a year"
        f" ({b.out_of_province_trips:,.0f} trips out of their province)"
    )
    if what_if:
        typer.echo(
            f"with {inn} also at {', '.join(what_if)}: {a.km:,.0f} km a year;"
            f" saved {result.km_saved:,.0f} km and {result.trips_saved:,.0f} out-of-province"
            f" trips; {result.patients_moved} patients change centre"
        )
    if rec:
        for site, gain in rec.steps:
            typer.echo(f"recommend {site}: saves {gain:,.0f} km a year")
        typer.echo(f"({rec.guarantee})")
