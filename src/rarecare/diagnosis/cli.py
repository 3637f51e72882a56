"""``rarecare diagnose`` and ``rarecare bench diagnosis``."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from rarecare.clikit import echo_json, fail, knowledge, load_settings
from rarecare.diagnosis import benchmark, service
from rarecare.diagnosis.benchmark import parse, read_cases
from rarecare.diagnosis.schemas import RankIn, RankOut
from rarecare.errors import RareCareError

bench_app = typer.Typer(
    help="Benchmarks that belong to the product (accuracy on real cases).", no_args_is_help=True
)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


def diagnose(
    observed: Annotated[str | None, typer.Option(help="Observed HPO ids, comma-separated")] = None,
    excluded: Annotated[str | None, typer.Option(help="Excluded HPO ids, comma-separated")] = None,
    sex: Annotated[str | None, typer.Option(help="female, male, other or unknown")] = None,
    onset: Annotated[
        str | None, typer.Option(help="Age at onset: years, P2Y6M or an HPO onset id")
    ] = None,
    phenopacket: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Rank a GA4GH Phenopacket v2 JSON file"),
    ] = None,
    top: Annotated[int, typer.Option(help="How many diseases to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with explanations)")] = False,
) -> None:
    """Rank rare diseases for a patient's phenotype (HPO terms in, diseases with reasons out)."""
    settings = load_settings(need_secrets=False)
    kb = knowledge(settings)
    try:
        if phenopacket is not None:
            case = parse(phenopacket.read_text(encoding="utf-8"), str(phenopacket))
            data = RankIn(
                observed=list(case.query.observed) or ["-"],
                excluded=list(case.query.excluded),
                sex=case.query.sex,
                onset=case.query.onset_years,
                top=top,
            )
        else:
            data = RankIn(
                observed=_split(observed), excluded=_split(excluded), sex=sex, onset=onset, top=top
            )
        ranking = service.rank(engine=service.engine_for(kb, settings.cache_dir), data=data)
    except RareCareError as exc:
        fail(exc)
    except ValueError as exc:  # pydantic: e.g. no observed term at all
        fail(exc)
    out = RankOut.of(ranking)
    if as_json:
        echo_json(out)
        return
    for warning in out.warnings:
        typer.echo(f"warning: {warning}")
    for r in out.results:
        codes = ", ".join(r.codes)
        typer.echo(f"{r.rank:>3}. {r.probability * 100:5.1f}%  {r.name[:60]:<60} {codes}")
    typer.echo(f"({out.candidates:,} candidates, {out.elapsed_ms:.1f} ms; {out.knowledge_version})")


@bench_app.command("diagnosis")
def bench_diagnosis(
    path: Annotated[
        Path, typer.Argument(exists=True, help="Directory or .tar.gz of Phenopacket v2 JSON files")
    ],
    leakage_free: Annotated[
        bool, typer.Option("--leakage-free", help="Drop the case's own PMID annotations")
    ] = False,
    both: Annotated[
        bool, typer.Option("--both", help="Run the plain and the leakage-free setting")
    ] = False,
    max_terms: Annotated[
        list[int] | None,
        typer.Option(
            "--max-terms",
            help="Also run with K observed terms per case chosen at random, excluded terms "
            "dropped (how clinicians query); repeat for several K",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the --max-terms choice")] = 0,
    reference: Annotated[
        bool,
        typer.Option(
            "--reference",
            help="Also run LIRICAL's likelihood ratios (the reference) on the same cases",
        ),
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N cases")] = None,
    json_out: Annotated[
        Path | None, typer.Option(help="Write the figures (and per-case ranks) as JSON")
    ] = None,
) -> None:
    """Accuracy of the diagnosis engine on real case reports: top-1/3/10, MRR, latency; every
    setting split into cases whose paper no annotation cites ("unseen") and the others
    ("cited"), with the reference ranker beside it (--reference)."""
    import numpy as np
    from rich.progress import Progress

    from rarecare.diagnosis.reference import LiricalScorer
    from rarecare.diagnosis.scoring import Scorer

    settings = load_settings(need_secrets=False)
    kb = knowledge(settings)
    engine = service.engine_for(kb, settings.cache_dir)
    cases = list(read_cases(path, limit))
    cited = benchmark.cited_pmids(engine.index)
    runs: list[tuple[str, bool, int | None]] = [
        ("leakage-free", True, None) if lf else ("plain", False, None)
        for lf in ([False, True] if both else [leakage_free])
    ]
    runs += [(f"{k} terms", False, k) for k in max_terms or []]
    rankers: list[tuple[str, Scorer | benchmark.Ranker, np.ndarray | None]] = [
        ("RareCare", engine.scorer, None)
    ]
    if reference:
        ref = LiricalScorer(kb, engine.index)
        rankers.append(("reference", ref, ref.allowed))
    report: dict[str, object] = {}
    rows: list[benchmark.SettingRow] = []
    for label, lf, k in runs:
        for name, scorer, allowed_rows in rankers:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"{name}: {len(cases)} cases ({label})", total=len(cases))
                result = benchmark.run(
                    kb,
                    scorer,
                    cases,
                    leakage_free=lf,
                    max_terms=k,
                    seed=seed,
                    allowed=allowed_rows,
                    cited=cited,
                    progress=partial(bar.advance, task),
                )
            rows.append(benchmark.SettingRow.of(label, name, result))
            key = label if name == "RareCare" else f"{label} / {name}"
            report[key] = result.summary() | {"cases": [c.__dict__ for c in result.cases]}
            if name == "RareCare":
                _print_result(label, result)
    typer.echo("")
    typer.echo(benchmark.comparison_table(rows))
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=1, default=str))
        typer.echo(f"wrote {json_out}")


def _print_result(label: str, result: benchmark.BenchmarkResult) -> None:
    typer.echo(
        f"\n{label}: {result.n_cases} cases, {result.n_evaluable} evaluable "
        f"({result.n_diseases} diseases), {result.knowledge_version}"
    )
    typer.echo(f"  {'':14}{'all cases':>12}{'evaluable':>12}")
    for metric in ("top1", "top3", "top10", "mrr"):
        overall, evaluable = getattr(result, metric), getattr(result, metric + "_evaluable")
        typer.echo(f"  {metric:<14}{overall:>12.3f}{evaluable:>12.3f}")
    typer.echo(f"  macro top-1   {result.macro_top1:>12.3f}")
    typer.echo(f"  latency ms    p50 {result.latency_ms_p50:.2f}  p95 {result.latency_ms_p95:.2f}")
