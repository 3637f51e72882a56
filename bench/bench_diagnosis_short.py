"""Diagnosis for the patient in front of you (issue 20), on the phenopacket-store development
split, in one run: RareCare and the reference ranker (plain LIRICAL-style) side by side in the
plain, leakage-free, 3-term and 5-term settings, each split into cases whose paper no
annotation cites ("unseen") and the others; the calibration of the post-test probability
(expected calibration error, reliability table); the next best question against a random term
of the case; latency of 30-term queries and of the questions. Writes its section of
docs/benchmarks.md.

    .venv/bin/python -m bench.bench_diagnosis_short [PATH]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

from bench.report import pct, write_section
from rarecare.diagnosis import DiagnosisEngine, Query, benchmark
from rarecare.diagnosis.benchmark import SettingRow, comparison_table, read_cases
from rarecare.diagnosis.query import check
from rarecare.diagnosis.questions import evaluate, next_questions
from rarecare.diagnosis.reference import LiricalScorer
from rarecare.diagnosis.scoring import Scorer
from rarecare.errors import ValidationFailed
from rarecare.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "phenopacket-store-dev.tar.gz"
CACHE = ROOT / "var" / "cache"
SEED = 0


def calibration(
    engine: DiagnosisEngine, cases: list[benchmark.Case], k: int | None
) -> tuple[float, list[tuple[int, float, float]]]:
    """Expected calibration error of the top candidate's probability, and the reliability
    table (cases, mean stated probability, share correct) over ten bins."""
    kb, index = engine.kb, engine.index
    count, stated, right = np.zeros(10), np.zeros(10), np.zeros(10)
    for full in cases:
        case = benchmark.shortened(full, k, SEED) if k else full
        rows = benchmark.correct_rows(kb, index, full.diseases[0] if full.diseases else "")
        try:
            checked = check(benchmark.known(kb, case.query), kb, index)
        except ValidationFailed:
            continue
        terms = len(checked.observed) + len(checked.excluded)
        p = engine.scorer.posterior(engine.scorer.scores(checked), terms)
        top = int(np.argmax(p))
        b = min(9, int(p[top] * 10))
        count[b] += 1
        stated[b] += p[top]
        right[b] += top in rows
    ece = float(np.abs(right - stated).sum() / count.sum())
    table = [
        (int(count[b]), stated[b] / max(count[b], 1), right[b] / max(count[b], 1))
        for b in range(10)
    ]
    return ece, table


def targets(rows: list[SettingRow]) -> str:
    """Each target of issue 20 with the figure of this run and whether it is met."""
    fig = {(r.setting, r.ranker): r.figures for r in rows}

    def at(setting: str, ranker: str, part: str = "all") -> tuple[float, float]:
        one, ten, _n = fig[(setting, ranker)][part]
        return one, ten

    checks = []
    for setting in ("3 terms", "5 terms"):
        (o1, o10), (r1, r10) = at(setting, "RareCare"), at(setting, "reference")
        ok = o1 >= r1 + 5 and o10 >= r10 + 5
        checks.append(
            f"{setting} ≥ reference + 5: {o1:.1f} / {o10:.1f} against "
            f"{r1 + 5:.1f} / {r10 + 5:.1f} ({'met' if ok else 'not met'})"
        )
    (c1, _c10), (rc1, _rc10) = (
        at("leakage-free", "RareCare", "cited"),
        at("leakage-free", "reference", "cited"),
    )
    ok = c1 >= max(26.0, rc1)
    checks.append(
        f"leakage-free, cited papers top-1 ≥ 26% and ≥ the reference: {c1:.1f} "
        f"({'met' if ok else 'not met'})"
    )
    (p1, p10), (u1, u10) = at("plain", "RareCare"), at("plain", "RareCare", "unseen")
    ok = p1 >= 47 and p10 >= 70 and u1 >= 22 and u10 >= 47
    checks.append(
        f"no regression (plain ≥ 47 / 70, unseen ≥ 22 / 47): {p1:.1f} / {p10:.1f}, "
        f"{u1:.1f} / {u10:.1f} ({'met' if ok else 'not met'})"
    )
    return "; ".join(checks)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    kb = load_knowledge(CACHE)
    engine = DiagnosisEngine.load(kb, CACHE)
    ref = LiricalScorer(kb, engine.index)
    rankers: tuple[tuple[str, Scorer | benchmark.Ranker, np.ndarray | None], ...] = (
        ("RareCare", engine.scorer, None),
        ("reference", ref, ref.allowed),
    )
    cases = list(read_cases(path))
    cited = benchmark.cited_pmids(engine.index)

    def margin(k: int, seed: int) -> tuple[float, float]:
        """RareCare's top-1 / top-10 less the reference's, K terms chosen with ``seed``."""
        ours, theirs = (
            SettingRow.of(
                "",
                name,
                benchmark.run(kb, scorer, cases, max_terms=k, seed=seed, allowed=mask),
            ).figures["all"]
            for name, scorer, mask in rankers
        )
        return ours[0] - theirs[0], ours[1] - theirs[1]

    started = time.perf_counter()
    rows: list[SettingRow] = []
    for label, lf, k in (
        ("plain", False, None),
        ("leakage-free", True, None),
        ("3 terms", False, 3),
        ("5 terms", False, 5),
    ):
        for name, scorer, mask in rankers:
            result = benchmark.run(
                kb,
                scorer,
                cases,
                leakage_free=lf,
                max_terms=k,
                seed=SEED,
                allowed=mask,
                cited=cited,
            )
            rows.append(SettingRow.of(label, name, result))
    accuracy_seconds = time.perf_counter() - started
    # the same short settings with other random choices of terms: how much the margin moves
    by_setting = {(r.setting, r.ranker): r.figures["all"] for r in rows}
    seeds: list[str] = []
    for k in (3, 5):
        ours, theirs = (
            by_setting[(f"{k} terms", "RareCare")],
            by_setting[(f"{k} terms", "reference")],
        )
        margins = [(ours[0] - theirs[0], ours[1] - theirs[1])]  # SEED's, from the table
        margins += [margin(k, seed) for seed in (SEED + 1, SEED + 2)]
        cells = ", ".join(
            f"seed {SEED + i}: {a:+.1f} / {b:+.1f}" for i, (a, b) in enumerate(margins)
        )
        mean = np.mean(margins, axis=0)
        seeds.append(f"{k} terms {cells} (mean {mean[0]:+.1f} / {mean[1]:+.1f})")
    calibrated = {k: calibration(engine, cases, k) for k in (None, 3)}
    shuffled = list(cases)
    random.Random(1).shuffle(shuffled)
    questions = evaluate(engine, shuffled, start=3, rounds=3, seed=SEED)

    # latency: 30-term queries (ranking) and the questions, single cold queries
    rng = random.Random(4)
    terms = list(engine.index.terms)
    rank_ms, ask_ms = [], []
    for _ in range(200):
        engine.scorer._cache.clear()
        query = Query(observed=tuple(rng.sample(terms, 30)))
        t = time.perf_counter()
        engine.rank(query, top=10, explain=False)
        rank_ms.append((time.perf_counter() - t) * 1000)
        checked = engine.check(Query(observed=tuple(rng.sample(terms, 3))))
        scores = engine.scorer.scores(checked)
        t = time.perf_counter()
        next_questions(engine, checked, scores)
        ask_ms.append((time.perf_counter() - t) * 1000)

    def reliability(k: int | None) -> str:
        ece, table = calibrated[k]
        cells = " · ".join(
            f"{b * 10}–{b * 10 + 10}%: {n} cases, {s * 100:.0f}% stated, {r * 100:.0f}% right"
            for b, (n, s, r) in enumerate(table)
            if n
        )
        return f"ECE {ece:.3f} — {cells}"

    p = engine.scorer.params
    body = f"""## Diagnosis with few terms (issue 20)

Commands: `.venv/bin/python -m bench.bench_diagnosis_short` (this section, {accuracy_seconds:.0f} s
for the eight accuracy runs); the same table from the product's own command:
`rarecare bench diagnosis {path.name} --both --reference --max-terms 3 --max-terms 5`.
{len(cases):,} cases; "unseen": the case's PMID is cited by no annotation line of the knowledge
base ({sum(1 for c in cases if not cited.intersection(c.pmids)):,} cases); "cited": the others. Reference:
LIRICAL's phenotype likelihood ratios (Robinson et al. 2020, the rules of its
`PhenotypeLikelihoodRatio`: exact, ancestor, parent-share and shared-ancestor matches, a false
positive at 1/100, NOT lines at 1/1,000; `rarecare.diagnosis.reference`) over the curated
phenotype.hpoa lines of OMIM diseases, no omission penalty, nothing borrowed, run on the same
cases in the same run. Leakage-free: the case's own paper taken out of the knowledge base as if never
curated (lines citing only it removed, lines it shares with other sources kept; until 4 December
2026 those were removed too, see docs/diagnosis-model.md, session 6). K terms: K observed terms
per case chosen at random (seed {SEED}), excluded terms dropped. Top-1 / top-10 in %, ties
pessimistic, every case counted.

{comparison_table(rows)}

Targets (issue 20): {targets(rows)}.
RareCare's margin over the reference (top-1 / top-10 points) with other random choices of
the K terms: {"; ".join(seeds)}.

Parameters chosen by 5-fold cross-validation grouped by disease over the plain, 3-term and
5-term settings together (see docs/diagnosis-model.md, session 5): omission rate
{p.omission_rate}, scaled for a query of n terms by n / (n + {p.omission_half:g}); the
cross-validated figures (each fold scored with the parameters chosen without it) were plain
49.0 / 70.4, 3 terms 23.1 / 50.5, 5 terms 32.5 / 58.6 — the same as the full-split figures
above within 0.5 point, so the choice is not an artefact of tuning on the reported data.

Calibration of the top candidate's post-test probability (temperature {p.temperature:g} ×
max(1, (n / {p.temperature_base:g}) ** {p.temperature_terms:g}) for n terms, chosen by
cross-validated log loss):

- all terms: {reliability(None)}
- 3 terms: {reliability(3)}

The next best question, on {questions.cases:,} cases shortened to {questions.start} terms
(top-1 before: {questions.top1_before}%): after 1, 2, 3 questions answered from the full case
(the first of the 5 suggestions the case reports, as observed or excluded; suggestions
answered {", ".join(f"{a}%" for a in questions.answered)} of the time) top-1 is
{" → ".join(f"{x}%" for x in questions.top1_asked)}; adding a random further term of the case
instead gives {" → ".join(f"{x}%" for x in questions.top1_random)}.

Latency, single cold queries: ranking a 30-term query p50 {pct(rank_ms, 50):.2f} ms / p95
{pct(rank_ms, 95):.2f} ms (target p95 ≤ 10 ms); the 5 questions p50 {pct(ask_ms, 50):.1f} ms / p95
{pct(ask_ms, 95):.1f} ms.
"""
    write_section("diagnosis-short", body)
    print(body)


if __name__ == "__main__":
    main()
