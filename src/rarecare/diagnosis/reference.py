"""The yardstick of the diagnosis benchmark: LIRICAL's phenotype likelihood ratios (Robinson et
al. 2020, AJHG 107:403; the rules of its ``PhenotypeLikelihoodRatio``), over the curated
annotation lines of OMIM diseases (phenotype.hpoa) and nothing else: no omission penalty, no
features borrowed from Orphanet entities, names, definitions or phenotypic series, uniform
pretest probability. It is not the product; it runs beside it in the same benchmark run so that
every figure has a reference measured on the same cases.

For an observed term q and a disease D (annotation frequencies f, 1 where none is stated;
background bg(t): the mean over the diseases of the highest frequency of an annotation at or
below t, at least 1/10,000), the first rule that applies gives the likelihood ratio:

1. D is annotated NOT to have q or an ancestor of q: 1/1,000.
2. D is annotated to q: f(q) / bg(q).
3. D is annotated below q: the highest such f / bg(q).
4. D is annotated to a parent t of q: max(f(t) / children(t), false positive(q)) / bg(q).
5. q and an annotation of D share an ancestor below "Phenotypic abnormality": for the nearest
   such ancestor a (f(t) / 10 per step from the annotation t up to a), max(0.01, f / bg(a)).
6. Otherwise 0.01.

For an excluded term: 1,000 if D is annotated NOT to have it (or a descendant);
1 / (1 - bg(q)) if D is not annotated at or below it; else max(0.01, 1 - f) / (1 - bg(q)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np
from scipy import sparse

from rarecare.diagnosis.index import DiagnosisIndex
from rarecare.diagnosis.query import CheckedQuery
from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.diseases import Annotation

PHENOTYPIC_ABNORMALITY = "HP:0000118"
NOT_PRESENT_LR = 1.0 / 1000  # an observed term the disease is annotated NOT to have
NOT_EXCLUDED_LR = 1000.0  # an excluded term the disease is annotated NOT to have
NO_MATCH_LR = 0.01
MIN_BACKGROUND = 1.0 / 10000
MISSED_FREQUENCY = 0.01  # an excluded feature the disease has: at least this chance


class Matrices(NamedTuple):
    """Per candidate (rows) and term (columns)."""

    direct: sparse.csc_matrix  # f of the annotation at the term
    below: sparse.csc_matrix  # the highest f of an annotation at or below the term
    induced: sparse.csc_matrix  # above the annotations: f / 10 per step up (LIRICAL's graph)
    not_at: sparse.csc_matrix  # 1: annotated NOT to have the term
    not_above: sparse.csc_matrix  # 1: annotated NOT to have the term or a descendant


class LiricalScorer:
    """LIRICAL's per-term likelihood ratios over every candidate of ``index`` (the engine's:
    only the OMIM diseases with curated phenotype lines are ``allowed`` to rank, over those
    lines alone), each term's vector cached."""

    def __init__(self, kb: KnowledgeBase, index: DiagnosisIndex) -> None:
        self.kb, self.index = kb, index
        self._up: dict[str, dict[str, int]] = {}  # term → its ancestors with their distance
        rows = [_own_lines(kb, index, r) for r in range(index.size)]
        self.allowed = np.array([bool(lines) for lines in rows], dtype=bool)
        self.matrices = self._matrices(rows)
        n = max(int(self.allowed.sum()), 1)
        raw = np.asarray(self.matrices.below.sum(axis=0)).ravel() / n
        self._raw_bg = raw
        self.background = np.maximum(raw, MIN_BACKGROUND)
        self._cache: dict[tuple[str, int], np.ndarray] = {}

    # ------------------------------------------------------------------ the matrices
    def _matrices(self, rows: Sequence[Iterable[Annotation]]) -> Matrices:
        ti = self.index.term_index
        parts: list[list[dict[int, float]]] = [[], [], [], [], []]
        for lines in rows:
            direct: dict[int, float] = {}
            below: dict[int, float] = {}
            induced: dict[int, float] = {}
            not_at: dict[int, float] = {}
            not_above: dict[int, float] = {}
            for a in lines:
                if a.hpo_id not in ti:
                    continue
                up = self._ancestors(a.hpo_id)
                if a.negated:
                    not_at[ti[a.hpo_id]] = 1.0
                    for t in up:
                        not_above[ti[t]] = 1.0
                    continue
                f = 1.0 if a.frequency is None else float(a.frequency)
                j = ti[a.hpo_id]
                direct[j] = max(direct.get(j, 0.0), f)
                for t, steps in up.items():
                    k = ti[t]
                    below[k] = max(below.get(k, 0.0), f)
                    if steps and t != PHENOTYPIC_ABNORMALITY:
                        induced[k] = max(induced.get(k, 0.0), f / 10.0**steps)
            for part, values in zip(
                parts, (direct, below, induced, not_at, not_above), strict=True
            ):
                part.append(values)
        shape = (len(rows), len(self.index.terms))
        return Matrices(*(_csc(p, shape) for p in parts))

    def _ancestors(self, term: str) -> dict[str, int]:
        """The term's ancestors in the index (itself included, at 0) with the fewest steps up
        to each, stopping at "Phenotypic abnormality"."""
        cached = self._up.get(term)
        if cached is not None:
            return cached
        terms, ti = self.kb.ontology.terms, self.index.term_index
        steps = {term: 0}
        frontier = [term]
        while frontier:
            nxt = []
            for t in frontier:
                if t == PHENOTYPIC_ABNORMALITY or t not in terms:
                    continue
                for p in terms[t].parents:
                    if p not in steps:
                        steps[p] = steps[t] + 1
                        nxt.append(p)
            frontier = nxt
        result = {t: s for t, s in steps.items() if t in ti}
        self._up[term] = result
        return result

    # ------------------------------------------------------------------ likelihood ratios
    def observed_lr(self, q: int) -> np.ndarray:
        return self._cached("o", q, self._observed)

    def excluded_lr(self, q: int) -> np.ndarray:
        return self._cached("x", q, self._excluded)

    def _cached(
        self, kind: str, q: int, compute: Callable[[int, Matrices], np.ndarray]
    ) -> np.ndarray:
        key = (kind, q)
        if key not in self._cache:
            self._cache[key] = compute(q, self.matrices)
        return self._cache[key]

    def _observed(self, q: int, m: Matrices) -> np.ndarray:
        terms, ti = self.index.terms, self.index.term_index
        bg = self.background
        direct = m.direct
        lr = np.full(direct.shape[0], NO_MATCH_LR)
        done = np.zeros(direct.shape[0], dtype=bool)
        # 5. the nearest shared ancestor in the disease's induced graph
        up = self._ancestors(terms[q])
        for level in range(1, max(up.values(), default=0) + 1):
            best = np.zeros(direct.shape[0])
            for t, steps in up.items():
                if steps == level:
                    k = ti[t]
                    best = np.maximum(best, _column(m.induced, k) / bg[k])
            hit = (best > 0) & ~done
            lr[hit] = np.maximum(NO_MATCH_LR, best[hit])
            done |= hit
        # 4. annotated to a parent of q: a share of the parent's frequency
        share = np.zeros(direct.shape[0])
        for parent in self.kb.ontology.terms[terms[q]].parents:
            if parent in ti:
                children = max(len(self.kb.ontology.children(parent)), 1)
                share = np.maximum(share, _column(direct, ti[parent]) / children)
        hit = share > 0
        lr[hit] = np.maximum(share[hit], self._false_positive(q)) / bg[q]
        # 3 and 2. annotated at or below q (at q: that line's frequency)
        at, under = _column(direct, q), _column(m.below, q)
        lr = np.where(under > 0, under / bg[q], lr)
        lr = np.where(at > 0, at / bg[q], lr)
        # 1. annotated NOT to have it or a more general feature
        for t in up:
            lr = np.where(_column(m.not_at, ti[t]) > 0, NOT_PRESENT_LR, lr)
        return np.log10(lr).astype(np.float32)

    def _false_positive(self, q: int) -> float:
        """LIRICAL's chance of a finding the disease does not explain: 1:500 of the term's
        frequency for the rarest terms up to 1:10 for those of 10% of diseases."""
        f = float(self._raw_bg[q]) or NO_MATCH_LR
        penalty = 0.002 + (f - NO_MATCH_LR) * (0.10 - 0.002) / (0.10 - NO_MATCH_LR)
        return penalty * f

    def _excluded(self, q: int, m: Matrices) -> np.ndarray:
        bg = float(self._raw_bg[q])
        if bg > 0.99:
            return np.zeros(m.below.shape[0], dtype=np.float32)
        f = _column(m.below, q)
        lr = np.where(f > 0, np.maximum(MISSED_FREQUENCY, 1.0 - f), 1.0) / (1.0 - bg)
        lr = np.where(_column(m.not_above, q) > 0, NOT_EXCLUDED_LR, lr)
        return np.log10(lr).astype(np.float32)

    def scores(self, query: CheckedQuery) -> np.ndarray:
        total = np.zeros(self.index.size, dtype=np.float32)
        for q in query.observed:
            total += self.observed_lr(q)
        for q in query.excluded:
            total += self.excluded_lr(q)
        return total

    def score_without(self, query: CheckedQuery, row: int, pmids: set[str]) -> float:
        """Candidate ``row``'s score had the papers ``pmids`` never been curated (lines citing
        only them removed; see ``benchmark.without_papers``)."""
        from rarecare.diagnosis.benchmark import without_papers

        lines = without_papers(_own_lines(self.kb, self.index, row), pmids)
        m = self._matrices([lines])
        total = 0.0
        for q in query.observed:
            total += float(self._observed(q, m)[0])
        for q in query.excluded:
            total += float(self._excluded(q, m)[0])
        return total


def _own_lines(kb: KnowledgeBase, index: DiagnosisIndex, row: int) -> list[Annotation]:
    """The curated phenotype.hpoa lines of the candidate's own OMIM entry (not those of an
    Orphanet twin merged with it, nor features named by its name); none for other
    candidates."""
    key = index.candidates[row].key
    disease = kb.diseases.get(key) if key.startswith("OMIM:") else None
    return list(disease.phenotypes) if disease is not None else []


def _column(m: sparse.csc_matrix, j: int) -> np.ndarray:
    out = np.zeros(m.shape[0])
    start, end = m.indptr[j], m.indptr[j + 1]
    out[m.indices[start:end]] = m.data[start:end]
    return out


def _csc(rows: list[dict[int, float]], shape: tuple[int, int]) -> sparse.csc_matrix:
    r = np.repeat(np.arange(len(rows)), [len(v) for v in rows])
    c = np.fromiter((k for v in rows for k in v), dtype=np.int64, count=len(r))
    d = np.fromiter((x for v in rows for x in v.values()), dtype=np.float64, count=len(r))
    return sparse.csc_matrix((d, (r, c)), shape=shape)
