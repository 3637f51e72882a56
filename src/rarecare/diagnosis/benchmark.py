"""The diagnosis benchmark: rank every case's diseases and report top-k, MRR and latency.

The correct answer is the case's disease (OMIM); an ORPHA candidate exactly mapped to it counts
as correct too (merged candidates carry both codes). Ties count pessimistically:
rank = 1 + the number of other candidates scoring at least as high as the correct one.
With ``leakage_free``, the correct disease's annotation lines (phenotypes and onsets, its own
and its series siblings') are taken as they would be without the case's own paper before that
case is scored: lines citing only that PMID are removed, lines citing it among other sources
stay (:func:`without_papers`).
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from rarecare.diagnosis.index import DiagnosisIndex, onset_and_inheritance, propagate
from rarecare.diagnosis.query import CheckedQuery, Query, check
from rarecare.diagnosis.scoring import Scorer
from rarecare.diagnosis.series import series_annotations
from rarecare.errors import ValidationFailed
from rarecare.interop import phenopackets
from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.diseases import Annotation


@dataclass(frozen=True)
class Case:
    """A published case as a diagnosis query, with its answer and its papers."""

    id: str
    query: Query
    diseases: tuple[str, ...]
    pmids: tuple[str, ...]

    @classmethod
    def of(cls, report: phenopackets.CaseReport) -> Case:
        query = Query(
            observed=report.observed,
            excluded=report.excluded,
            sex=None if report.sex == "unknown" else report.sex,
            onset_years=report.onset_years,
        )
        return cls(report.id, query, report.diseases, report.pmids)


def parse(text: str, source: str = "phenopacket") -> Case:
    """A case from one Phenopacket v2 JSON document."""
    return Case.of(phenopackets.read_case(text, source))


def read_cases(path: Path, limit: int | None = None) -> Iterator[Case]:
    """Cases from a directory or a .tar.gz of Phenopacket JSON files, in a stable order."""
    return map(Case.of, phenopackets.read_cases(path, limit))


@dataclass
class CaseResult:
    case_id: str
    disease: str
    rank: int | None  # None: the disease is not a candidate (or the case could not be read)
    score: float | None
    seconds: float
    cited: bool = False  # the case's paper is cited by an annotation line of the knowledge base


def shortened(case: Case, max_terms: int, seed: int) -> Case:
    """The case as a clinician would query it: ``max_terms`` of its observed terms chosen at
    random (the same ones for the same seed and case), no excluded terms."""
    rng = random.Random(f"{seed}:{case.id}")  # noqa: S311 - a reproducible sample, not a secret
    observed = list(case.query.observed)
    chosen = tuple(sorted(rng.sample(observed, min(max_terms, len(observed)))))
    query = Query(
        observed=chosen, excluded=(), sex=case.query.sex, onset_years=case.query.onset_years
    )
    return Case(case.id, query, case.diseases, case.pmids)


def cited_pmids(index: DiagnosisIndex) -> frozenset[str]:
    """Every reference cited by an annotation line of the index (a case whose paper is among
    them may have been annotated from that very paper)."""
    return frozenset(ref for lines in index.annotations for a in lines for ref in a.references)


@dataclass
class BenchmarkResult:
    n_cases: int
    n_evaluable: int
    top1: float
    top3: float
    top10: float
    mrr: float
    top1_evaluable: float
    top3_evaluable: float
    top10_evaluable: float
    mrr_evaluable: float
    macro_top1: float
    n_diseases: int
    latency_ms_p50: float
    latency_ms_p95: float
    leakage_free: bool
    knowledge_version: str
    cases: list[CaseResult] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "cases"}


def correct_rows(kb: KnowledgeBase, index: DiagnosisIndex, disease: str) -> list[int]:
    """Candidates that answer to ``disease`` or to an ORPHA entity mapped exactly (E) to it."""
    codes = {disease, *kb.exact_orpha_for(disease)}
    return sorted({index.code_index[c] for c in codes if c in index.code_index})


def _one_row(
    kb: KnowledgeBase,
    index: DiagnosisIndex,
    row: int,
    drop_pmids: set[str],
    cache: dict[str, list[str]],
) -> tuple[
    sparse.csc_matrix, sparse.csc_matrix, sparse.csc_matrix, tuple[tuple[float, float], ...]
]:
    """Candidate ``row``'s matrices and onset ranges as they would be without the papers
    ``drop_pmids`` (see :func:`without_papers`), its series siblings' too."""
    annotations = without_papers(index.annotations[row], drop_pmids)
    onset, _x_linked = onset_and_inheritance(kb, index.candidates[row].codes, annotations)
    annotations += series_annotations(
        annotations,
        [without_papers(index.annotations[s], drop_pmids) for s in index.series[row]],
        index.build,
    )
    for a in annotations:
        if a.hpo_id in index.term_index and a.hpo_id not in cache:
            cache[a.hpo_id] = _ancestor_ids(index, index.term_index[a.hpo_id])
    present, negated, direct = propagate(annotations, index.term_index, cache, index.build, kb)
    shape = (1, len(index.terms))
    m = _row(present, shape)
    dm = _row(direct, shape)
    not_cols = sorted({j for i in negated for j in _descendants(kb, index, i)})
    nm = sparse.csc_matrix(
        (
            np.ones(len(not_cols), dtype=np.float32),
            (np.zeros(len(not_cols), dtype=np.int32), not_cols),
        ),
        shape=shape,
    )
    return m, nm, dm, onset


def without_papers(annotations: Sequence[Annotation], pmids: set[str]) -> list[Annotation]:
    """The annotation lines as they would be had the papers ``pmids`` never been curated: a
    line citing only them goes; a line citing them among other sources stays, as it is (the
    feature is known from those sources; its stated frequency may count the papers' patients
    too, which cannot be taken apart — replacing it by "unknown" favoured the correct disease,
    whose lines alone would change)."""
    kept = []
    for a in annotations:
        if not pmids.intersection(a.references):
            kept.append(a)
        elif others := tuple(r for r in a.references if r not in pmids):
            kept.append(a._replace(references=others))
    return kept


def _row(values: dict[int, float], shape: tuple[int, int]) -> sparse.csc_matrix:
    cols = list(values)
    return sparse.csc_matrix(
        (
            np.asarray([values[c] for c in cols], dtype=np.float32),
            (np.zeros(len(cols), dtype=np.int32), cols),
        ),
        shape=shape,
    )


def _ancestor_ids(index: DiagnosisIndex, t: int) -> list[str]:
    return [index.terms[a] for a in index.ancestors(t)]


def _descendants(kb: KnowledgeBase, index: DiagnosisIndex, t: int) -> list[int]:
    return [
        index.term_index[d]
        for d in kb.ontology.descendants(index.terms[t])
        if d in index.term_index
    ]


def known(kb: KnowledgeBase, query: Query) -> Query:
    """The query without terms newer than the packaged HPO (the product refuses them by name;
    a published case may use them)."""
    return Query(
        observed=tuple(t for t in query.observed if kb.resolve_term(t)),
        excluded=tuple(t for t in query.excluded if kb.resolve_term(t)),
        sex=query.sex,
        onset_years=query.onset_years,
    )


def rank_of(scores: np.ndarray, rows: Sequence[int]) -> tuple[int, float]:
    """The rank of the best-scoring correct candidate (ties pessimistic: 1 + the other
    candidates scoring at least as high) and its score."""
    best = max(float(scores[r]) for r in rows)
    others = np.ones(scores.shape[0], dtype=bool)
    others[list(rows)] = False
    return 1 + int(np.count_nonzero(scores[others] >= best)), best


class Ranker(Protocol):
    """What the benchmark ranks with: the engine's scorer or the reference."""

    index: DiagnosisIndex

    def scores(self, query: CheckedQuery) -> np.ndarray: ...

    def score_without(self, query: CheckedQuery, row: int, pmids: set[str]) -> float: ...


def run(
    kb: KnowledgeBase,
    scorer: Scorer | Ranker,
    cases: Iterable[Case],
    *,
    leakage_free: bool = False,
    progress: Callable[[int], None] | None = None,
    max_terms: int | None = None,
    seed: int = 0,
    allowed: np.ndarray | None = None,
    cited: frozenset[str] = frozenset(),
) -> BenchmarkResult:
    """Rank every case; ``max_terms``: each case shortened to that many observed terms (see
    :func:`shortened`); ``allowed``: the candidates that may rank (others never do)."""
    index = scorer.index
    results: list[CaseResult] = []
    ancestor_cache: dict[str, list[str]] = {}
    for original in cases:
        case = shortened(original, max_terms, seed) if max_terms else original
        is_cited = bool(cited.intersection(case.pmids))
        disease = case.diseases[0] if case.diseases else ""
        rows = correct_rows(kb, index, disease)
        started = time.perf_counter()
        try:
            checked = check(known(kb, case.query), kb, index)
        except ValidationFailed:
            elapsed = time.perf_counter() - started
            results.append(CaseResult(case.id, disease, None, None, elapsed, is_cited))
            if progress:
                progress(1)
            continue
        scores = scorer.scores(checked)
        elapsed = time.perf_counter() - started
        if allowed is not None:
            rows = [r for r in rows if allowed[r]]
            scores = np.where(allowed, scores, -np.inf)
        if not rows:
            results.append(CaseResult(case.id, disease, None, None, elapsed, is_cited))
            if progress:
                progress(1)
            continue
        if leakage_free and case.pmids:
            scores = scores.copy()
            for row in rows:
                if isinstance(scorer, Scorer):
                    m, nm, dm, onset = _one_row(kb, index, row, set(case.pmids), ancestor_cache)
                    scores[row] = scorer.score_rows(checked, m, nm, dm, like=row, onset=onset)
                else:
                    scores[row] = scorer.score_without(checked, row, set(case.pmids))
        if np.isnan(scores).any():  # NaN compares false: it would rank itself first
            raise RuntimeError(f"case {case.id}: the scorer returned NaN scores")
        rank, best = rank_of(scores, rows)
        results.append(CaseResult(case.id, disease, rank, best, elapsed, is_cited))
        if progress:
            progress(1)
    return summarise(results, leakage_free, index.knowledge_version)


def summarise(results: list[CaseResult], leakage_free: bool, version: str) -> BenchmarkResult:
    n = len(results)
    evaluable = [r for r in results if r.rank is not None]
    ranks = [r.rank for r in evaluable if r.rank is not None]

    def share(k: int, among: int) -> float:
        return sum(1 for r in ranks if r <= k) / among if among else 0.0

    mrr_sum = sum(1.0 / r for r in ranks)
    by_disease: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by_disease[r.disease].append(r.rank == 1)
    latencies = sorted(r.seconds * 1000 for r in results)

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, round(p / 100 * (len(latencies) - 1)))]
            if latencies
            else 0.0
        )

    return BenchmarkResult(
        n_cases=n,
        n_evaluable=len(evaluable),
        top1=share(1, n),
        top3=share(3, n),
        top10=share(10, n),
        mrr=mrr_sum / n if n else 0.0,
        top1_evaluable=share(1, len(evaluable)),
        top3_evaluable=share(3, len(evaluable)),
        top10_evaluable=share(10, len(evaluable)),
        mrr_evaluable=mrr_sum / len(evaluable) if evaluable else 0.0,
        macro_top1=statistics.mean(sum(v) / len(v) for v in by_disease.values())
        if by_disease
        else 0.0,
        n_diseases=len(by_disease),
        latency_ms_p50=pct(50),
        latency_ms_p95=pct(95),
        leakage_free=leakage_free,
        knowledge_version=version,
        cases=results,
    )


@dataclass(frozen=True)
class SettingRow:
    """One ranker in one setting: top-1 / top-10 (%) over all cases, the cases whose paper no
    annotation cites ("unseen") and the others ("cited")."""

    setting: str
    ranker: str
    figures: dict[str, tuple[float, float, int]]  # part → (top-1 %, top-10 %, cases)

    @classmethod
    def of(cls, setting: str, ranker: str, result: BenchmarkResult) -> SettingRow:
        parts = {
            "all": result.cases,
            "unseen": [c for c in result.cases if not c.cited],
            "cited": [c for c in result.cases if c.cited],
        }

        def top(cases: list[CaseResult], k: int) -> float:
            hits = sum(1 for c in cases if c.rank is not None and c.rank <= k)
            return 100 * hits / len(cases) if cases else 0.0

        return cls(
            setting,
            ranker,
            {part: (top(cs, 1), top(cs, 10), len(cs)) for part, cs in parts.items()},
        )


def comparison_table(rows: list[SettingRow]) -> str:
    """Every setting's rows (RareCare, the reference, and their difference) as a Markdown
    table of top-1 / top-10."""
    parts = ("all", "unseen", "cited")
    lines = [
        "| setting | ranker | " + " | ".join(f"{p} top-1 / top-10" for p in parts) + " |",
        "|---|---|" + "---|" * len(parts),
    ]
    by_setting: dict[str, dict[str, SettingRow]] = defaultdict(dict)
    for row in rows:
        by_setting[row.setting][row.ranker] = row

    def cell(one: float, ten: float) -> str:
        return f"{one:.1f} / {ten:.1f}"

    for setting, rankers in by_setting.items():
        for row in rankers.values():
            figures = " | ".join(cell(*row.figures[p][:2]) for p in parts)
            lines.append(f"| {setting} | {row.ranker} | {figures} |")
        if "RareCare" in rankers and "reference" in rankers:
            ours, ref = rankers["RareCare"].figures, rankers["reference"].figures
            diff = " | ".join(
                f"{ours[p][0] - ref[p][0]:+.1f} / {ours[p][1] - ref[p][1]:+.1f}" for p in parts
            )
            lines.append(f"| {setting} | difference | {diff} |")
    return "\n".join(lines)
