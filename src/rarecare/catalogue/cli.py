"""``rarecare catalogue ...`` and ``rarecare hpo ...``: the knowledge base from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rarecare.catalogue import service
from rarecare.clikit import OPERATOR, echo_json, fail, knowledge, load_settings, session_scope
from rarecare.errors import RareCareError

catalogue_app = typer.Typer(
    help="The disease catalogue (ORPHA, OMIM, ICD-10, genes).", no_args_is_help=True
)
hpo_app = typer.Typer(help="Human Phenotype Ontology terms.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Limit = Annotated[int, typer.Option(help="How many results.")]


@catalogue_app.command("search")
def search(
    text: Annotated[
        str, typer.Argument(help="pompe, 'Pompe disease', ORPHA:365, OMIM:232300, E74.0, GAA")
    ],
    limit: Limit = 10,
    as_json: AsJson = False,
) -> None:
    """Search diseases by name, synonym, code or gene symbol (best first)."""
    results = service.search(kb=knowledge(), query=text, limit=limit)
    if as_json:
        echo_json(results)
        return
    if not results:
        typer.echo("nothing found")
    for r in results:
        exact = ", ".join(x.code for x in r.equivalents if x.relation == "exact")
        icd = ", ".join(x.code for x in r.icd10[:3])
        typer.echo(
            f"{r.code:<14} {r.name[:60]:<60} {exact:<14} {icd:<8} "
            f"[{r.match_kind}: {r.matched[:30]}]"
        )


@catalogue_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="ORPHA:365 or OMIM:232300")], as_json: AsJson = False
) -> None:
    """Everything the catalogue knows about one disease."""
    try:
        detail = service.disease_detail(kb=knowledge(), code=code, feature_limit=500)
    except RareCareError as exc:
        fail(exc)
    if as_json:
        echo_json(detail)
        return
    typer.echo(f"{detail.code}  {detail.name}  ({detail.disorder_type or detail.source})")
    if detail.synonyms:
        typer.echo("synonyms:    " + "; ".join(detail.synonyms))
    for label, xrefs in (
        ("equivalents", detail.equivalents),
        ("ICD-10", detail.icd10),
        ("ICD-11", detail.icd11),
    ):
        if xrefs:
            typer.echo(f"{label + ':':<13}" + "; ".join(f"{x.code} ({x.relation})" for x in xrefs))
    if detail.genes:
        typer.echo("genes:       " + ", ".join(g.symbol for g in detail.genes))
    if detail.inheritance:
        typer.echo("inheritance: " + ", ".join(detail.inheritance))
    if detail.onset:
        typer.echo("onset:       " + ", ".join(detail.onset))
    if detail.definition:
        typer.echo("\n" + detail.definition + f"\n  ({detail.credit})")
    if detail.features:
        typer.echo("\nfeatures:")
        for f in detail.features[:25]:
            typer.echo(
                f"  {f.hpo_id}  {f.name[:50]:<50} {'absent' if f.negated else f.frequency_label}"
            )
    if detail.provisional:
        typer.echo("\nknown only by name (Mondo); HPO does not annotate it yet")
    if detail.named_features:
        typer.echo(
            "\nnamed in its "
            + " and ".join(sorted({f.source for f in detail.named_features}))
            + ":"
        )
        for n in detail.named_features:
            typer.echo(f"  {n.hpo_id}  {n.name[:50]:<50} {'variable' if n.variable else ''}")


@catalogue_app.command("stats")
def stats(as_json: AsJson = False) -> None:
    """Counts per source, source versions and the load time."""
    facts = knowledge().stats()
    if as_json:
        echo_json(facts)
        return
    for key, value in facts.items():
        typer.echo(f"{key:<30} {value}")


@catalogue_app.command("import-official-mappings")
def import_official(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Orphadata en_product1.xml")
    ],
) -> None:
    """Import Orphanet's official ORPHA–ICD-10/ICD-11 mapping (Orphadata product 1 XML)."""
    settings = load_settings()
    kb = knowledge(settings)
    with session_scope(settings) as session:
        result = service.import_official_mappings(
            session=session, principal=OPERATOR, kb=kb, content=path.read_bytes()
        )
    typer.echo(
        f"imported {result.rows} mappings for {result.orpha_codes} ORPHAcodes "
        f"({result.source_version})"
    )


@hpo_app.command("search")
def hpo_search(
    text: Annotated[str, typer.Argument(help="A label, synonym or HP id")],
    limit: Limit = 10,
    as_json: AsJson = False,
) -> None:
    """Find HPO terms (obsolete ids resolve to their replacement)."""
    results = service.search_terms(kb=knowledge(), query=text, limit=limit)
    if as_json:
        echo_json(results)
        return
    if not results:
        typer.echo("nothing found")
    for r in results:
        note = f"  (replaces {r.matched})" if r.replaced else ""
        typer.echo(f"{r.id}  {r.name}{note}")
