"""``rarecare finance ...``: budget impact and coverage rules from the command line."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from rarecare.clikit import OPERATOR, echo_json, fail, knowledge, load_settings, session_scope
from rarecare.errors import RareCareError
from rarecare.finance import service
from rarecare.finance.schemas import BudgetIn

finance_app = typer.Typer(help="Finance: coverage rules, budget impact.", no_args_is_help=True)


@finance_app.command("budget-impact")
def budget_impact(
    drug: Annotated[str, typer.Option(help="INN or brand name on the rare drug list")],
    coverage: Annotated[float, typer.Option(help="% paid by the insurance fund")] = 100,
    years: Annotated[int, typer.Option(help="1 to 5")] = 5,
    start: Annotated[str, typer.Option(help="First day covered (YYYY-MM-DD)")] = "",
    prevalence: Annotated[
        float | None,
        typer.Option(help="Cases per 100,000 (default: Orphanet's for the drug's indications)"),
    ] = None,
    population: Annotated[float, typer.Option()] = 101_300_000,
    diagnosis_rate: Annotated[float, typer.Option(help="Share of undiagnosed found a year")] = 0.05,
    uptake: Annotated[float, typer.Option(help="Share who start treatment")] = 1.0,
    discontinuation: Annotated[float, typer.Option(help="Share stopping a year")] = 0.05,
    weight_kg: Annotated[float | None, typer.Option(help="Mean weight")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Projected yearly cost to the insurance fund and to families of covering a drug."""
    settings = load_settings()
    try:
        data = BudgetIn(
            drug=drug,
            coverage=coverage,
            years=years,
            start=date.fromisoformat(start) if start else date(date.today().year + 1, 1, 1),
            prevalence_per_100k=prevalence,
            population=population,
            diagnosis_rate=diagnosis_rate,
            uptake=uptake,
            discontinuation=discontinuation,
            weight_kg=weight_kg,
        )
        with session_scope(settings) as session:
            impact, derived = service.budget_impact(
                session=session, principal=OPERATOR, data=data, kb=knowledge(settings)
            )
    except RareCareError as exc:
        fail(exc)
    except ValueError as exc:  # pydantic's ValidationError and bad dates
        fail(RareCareError(str(exc)))
    if as_json:
        echo_json(impact.as_dict() | {"derived": derived})
        return
    inputs = impact.inputs
    typer.echo(
        f"{inputs.drug} at {inputs.coverage:g}% from {inputs.start}"
        f" (now {inputs.current_coverage:g}%)"
        f": {inputs.registered_patients} registered eligible patients, "
        f"{impact.expected_prevalent:,.0f} expected cases, "
        f"{inputs.cost_per_patient_year:,.0f} VND per patient-year"
    )
    typer.echo(
        f"{'year':>4} {'treated':>8} {'new':>6} {'total cost':>18} {'fund':>18} {'families':>18}"
    )
    for y in impact.years:
        typer.echo(
            f"{y.year:>4} {y.treated_start:>8.1f} {y.new_patients:>6.1f} {y.total_cost:>18,.0f}"
            f" {y.fund:>18,.0f} {y.families:>18,.0f}"
        )
    typer.echo(
        f"total to the fund {impact.total_fund:,.0f} VND"
        f" (incremental {impact.total_incremental:,.0f}),"
        f" to families {impact.total_families:,.0f} VND"
    )


@finance_app.command("rules")
def rules(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The coverage rules in force."""
    settings = load_settings()
    with session_scope(settings) as session:
        version, current = service.current_rules(session=session)
    if as_json:
        echo_json({"version": version, "rules": current.model_dump(mode="json")})
        return
    typer.echo(f"coverage rules v{version}: default {current.default_rate:g}%")
    for g in current.groups:
        typer.echo(f"  {g.code}: {g.label} {g.rate:g}%")
