"""``rarecare care ...``: therapy arithmetic from the approved rare drug list."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from rarecare.care.dosing import Regimen, plan
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
            return
        regimen = Regimen(
            drug=entry.inn,
            dose=entry.dose,
            dose_unit=entry.dose_unit,
            per_kg=entry.dose_basis == "per_kg",
            interval_days=entry.interval_days,
            strength=entry.strength,
            strength_unit=entry.strength_unit,
            loading_days=tuple(entry.loading_days),
            price_per_vial=entry.price_vnd,
        )
    try:
        result = plan(regimen, weight_kg)
    except RareCareError as exc:
        fail(exc)
        return
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
