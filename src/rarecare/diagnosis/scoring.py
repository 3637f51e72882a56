"""Likelihood-ratio scoring, vectorised over every candidate.

For an observed term q and candidate d:
    P(q | d) = (1 - eps) * max_{c in anc(q)} M[d, c] * (bg[q] / bg[c]) ** beta  +  eps * bg[q]
    LR = P(q | d) / bg[q]
where anc(q) are q and its ancestors (nearest first): an annotation at q or below it counts in
full, one at a more general level (q more specific than the annotation) or on a sibling branch
counts discounted by how much rarer q is than the shared ancestor. A candidate that NOT-annotates
q or an ancestor of q gets LR = ``not_lr`` (a contradiction).

For an excluded term q: LR = (1 - (1 - eps) M[d, q]) / (1 - (1 - eps) bg[q]), raised to
``excluded_weight``: a candidate that (almost) always shows q is contradicted. Case reports name
the absent features that matter for the differential diagnosis, so with ``excluded_relevance``
an excluded term also adds that share of its (positive) observed-term LR: relevance. An
excluded term the candidate is annotated NOT to have (at or above it) multiplies by
``excluded_not_lr``: the literature on the disease reports that feature's absence.

Omission: the candidate's annotated features the query says nothing about (neither the terms,
their ancestors nor descendants) each multiply by (1 - ``omission_rate`` * frequency).

Onset and sex multiply by ``onset_mismatch_lr`` when the patient's age at onset falls outside
every onset range the disease is annotated with, and ``sex_mismatch_lr`` for a female patient and
an X-linked recessive disease. Scores are log10 composite LRs (uniform pretest probability);
post-test probabilities are the softmax of the scores (base 10) with a calibrated temperature.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from rarecare.diagnosis.index import DiagnosisIndex
from rarecare.diagnosis.kernels import best_match, log_lr, minus_columns
from rarecare.diagnosis.query import CheckedQuery

Vector = np.ndarray
# a match weighted below this share of the noise floor is skipped (see match_weights)
NEGLIGIBLE = 0.1


@dataclass(frozen=True)
class ScoringParams:
    epsilon: float = 0.05
    beta: float = 1.0  # discount of a match through an annotation more general than the query
    beta_sibling: float = 1.5  # discount of a match through a shared ancestor only
    omission_rate: float = 0.0  # chance a present feature would have been reported
    # a short query says little about what is absent: the omission evidence of a query of n
    # terms is scaled by n / (n + omission_half) (0: not scaled)
    omission_half: float = 0.0
    not_lr: float = 0.05
    excluded_weight: float = 1.0
    excluded_relevance: float = 0.0
    # an excluded term the disease is annotated NOT to have (the literature reports its absence
    # in this disease): evidence of relevance, as this likelihood ratio
    excluded_not_lr: float = 1.0
    onset_mismatch_lr: float = 0.3
    sex_mismatch_lr: float = 0.2
    temperature: float = 1.0
    # the more terms, the more their likelihood ratios overstate the evidence (terms of one
    # patient are not independent): a query of n terms is softened by max(1, (n / n0) ** g)
    # on top of ``temperature`` (g = temperature_terms, n0 = temperature_base; 0: not at all)
    temperature_terms: float = 0.0
    temperature_base: float = 3.0


class Scorer:
    """Computes per-term log10 LR vectors over all candidates, with a bounded cache so that
    batches of cases sharing terms reuse them."""

    def __init__(
        self, index: DiagnosisIndex, params: ScoringParams, cache_size: int = 4096
    ) -> None:
        self.index = index
        self.params = params
        self._cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._onset = _onset_arrays(index)
        self._x_linked = np.fromiter(
            (c.x_linked for c in index.candidates), dtype=bool, count=index.size
        )
        self._anc_cols = index.anc_idx.astype(np.int64)
        self._w_m, self._w_d = match_weights(index, params)
        self._omission = _omission_matrix(index.direct, params.omission_rate)  # CSC
        self._omission_totals = np.asarray(self._omission.sum(axis=1), dtype=np.float32).ravel()

    def warm_up(self) -> None:
        """Compile (or load from Numba's disk cache) the kernels for this index's array types
        now, so that the first query does not pay for it."""
        if self.index.size and self.index.terms:
            self.observed_lr(0)
            minus_columns(self._omission_totals, self._omission, np.zeros(1, dtype=np.int64))
            self._cache.clear()

    # ------------------------------------------------------------------ per term
    def observed_lr(
        self,
        q: int,
        matrix: sparse.csc_matrix | None = None,
        not_matrix: sparse.csc_matrix | None = None,
        direct: sparse.csc_matrix | None = None,
    ) -> np.ndarray:
        """log10 LR of observing term q, for every row of ``matrix`` (default: all candidates)."""
        own = matrix is None
        if own:
            cached = self._cache.get(("o", q))
            if cached is not None:
                self._cache.move_to_end(("o", q))
                return cached
        m = self.index.matrix if matrix is None else matrix
        nm = self.index.not_matrix if not_matrix is None else not_matrix
        dm = self.index.direct if direct is None else direct
        p = self.params
        bg = self.index.background
        cols, w_m, w_d = self._match_weights(q)
        best, hits = best_match(m.shape[0], m, dm, cols, w_m, w_d)
        # log10 of P(q | d) / bg[q] = ((1 - eps) best + eps bg[q]) / bg[q]: the noise floor
        # log10(eps) wherever nothing matched, the logarithm only where something did
        lr = log_lr(best, hits, (1.0 - p.epsilon) / float(bg[q]), p.epsilon)
        start, end = nm.indptr[q], nm.indptr[q + 1]
        if end > start:
            lr[nm.indices[start:end]] = np.log10(p.not_lr)
        if own:
            self._remember(("o", q), lr)
        result: Vector = lr
        return result

    def _match_weights(self, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ancestor columns of q (q itself first) with the weight of a match through the
        propagated and through the direct matrix (see ``match_weights``)."""
        start, end = self.index.anc_ptr[q], self.index.anc_ptr[q + 1]
        return self._anc_cols[start:end], self._w_m[start:end], self._w_d[start:end]

    def excluded_lr(
        self,
        q: int,
        matrix: sparse.csc_matrix | None = None,
        direct: sparse.csc_matrix | None = None,
        not_matrix: sparse.csc_matrix | None = None,
    ) -> np.ndarray:
        own = matrix is None
        if own:
            cached = self._cache.get(("x", q))
            if cached is not None:
                self._cache.move_to_end(("x", q))
                return cached
        m = self.index.matrix if matrix is None else matrix
        p = self.params
        bg = float(self.index.background[q])
        has = np.zeros(m.shape[0], dtype=np.float32)
        start, end = m.indptr[q], m.indptr[q + 1]
        has[m.indices[start:end]] = m.data[start:end]
        lr = (
            np.log10(1.0 - (1.0 - p.epsilon) * has) - np.log10(1.0 - (1.0 - p.epsilon) * bg)
        ) * p.excluded_weight
        if p.excluded_relevance:
            # case reports name the absent features that matter for the diagnosis: an excluded
            # term related to a candidate's phenotype is evidence of relevance
            relevance = (
                self.observed_lr(q)
                if own
                else self.observed_lr(q, matrix, _empty_like(matrix), direct)
            )
            lr = lr + p.excluded_relevance * np.maximum(relevance, 0.0)
        if p.excluded_not_lr != 1.0:
            nm = self.index.not_matrix if not_matrix is None else not_matrix
            start, end = nm.indptr[q], nm.indptr[q + 1]
            if end > start:
                lr[nm.indices[start:end]] += np.log10(p.excluded_not_lr)
        lr = lr.astype(np.float32)
        if own:
            self._remember(("x", q), lr)
        result: Vector = lr
        return result

    def _remember(self, key: tuple[str, int], value: np.ndarray) -> None:
        self._cache[key] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ whole query
    def context_lr(self, query: CheckedQuery, rows: np.ndarray | None = None) -> np.ndarray:
        """log10 LR of onset and sex, for all candidates (or the given rows)."""
        k = self.index.size if rows is None else len(rows)
        out = np.zeros(k, dtype=np.float32)
        if query.onset_years is not None:
            lo, hi, has = self._onset
            if rows is not None:
                lo, hi, has = lo[rows], hi[rows], has[rows]
            age = query.onset_years
            inside = ((lo - 0.5 <= age) & (age <= hi + 1.0)).any(axis=1)
            out[has & ~inside] += np.log10(self.params.onset_mismatch_lr)
        if query.sex == "female":
            x = self._x_linked if rows is None else self._x_linked[rows]
            out[x] += np.log10(self.params.sex_mismatch_lr)
        return out

    def related_terms(self, query: CheckedQuery) -> np.ndarray:
        """Terms whose annotations the query speaks about: its terms, their ancestors and
        descendants."""
        parts = [self.index.ancestors(q) for q in (*query.observed, *query.excluded)]
        parts += [self.index.descendants(q) for q in (*query.observed, *query.excluded)]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int32)

    def omission_lr(
        self, query: CheckedQuery, omission: sparse.csc_matrix | None = None
    ) -> np.ndarray:
        """log10 LR of not mentioning the candidate's features the query says nothing about."""
        if not self.params.omission_rate:
            return np.zeros(
                self.index.size if omission is None else omission.shape[0], dtype=np.float32
            )
        om = self._omission if omission is None else omission
        totals = (
            self._omission_totals
            if omission is None
            else np.asarray(om.sum(axis=1), dtype=np.float32).ravel()
        )
        # every annotated feature omits, except those the query speaks about
        result: Vector = minus_columns(totals, om, self.related_terms(query))
        if self.params.omission_half:
            n = len(query.observed) + len(query.excluded)
            result = result * np.float32(n / (n + self.params.omission_half))
        return result

    def scores(self, query: CheckedQuery) -> np.ndarray:
        total = self.context_lr(query) + self.omission_lr(query)
        for q in query.observed:
            total += self.observed_lr(q)
        for q in query.excluded:
            total += self.excluded_lr(q)
        result: Vector = total
        return result

    def score_rows(
        self,
        query: CheckedQuery,
        matrix: sparse.csc_matrix,
        not_matrix: sparse.csc_matrix,
        direct: sparse.csc_matrix,
        like: int,
        onset: tuple[tuple[float, float], ...] | None = None,
    ) -> float:
        """The score of one candidate given its own (e.g. leakage-filtered) one-row matrices
        and onset ranges (default: candidate ``like``'s); sex is taken from ``like``."""
        total = float(self.context_lr(query, rows=np.asarray([like]))[0])
        if onset is not None and query.onset_years is not None:
            age = query.onset_years
            before = onset_mismatch(self.index.candidates[like].onset, age)
            total += (onset_mismatch(onset, age) - before) * float(
                np.log10(self.params.onset_mismatch_lr)
            )
        total += float(
            self.omission_lr(query, _omission_matrix(direct, self.params.omission_rate))[0]
        )
        for q in query.observed:
            total += float(self.observed_lr(q, matrix, not_matrix, direct)[0])
        for q in query.excluded:
            total += float(self.excluded_lr(q, matrix, direct, not_matrix)[0])
        return total

    def posterior(self, scores: np.ndarray, terms: int = 0) -> np.ndarray:
        """Post-test probabilities from log10 scores with a uniform pretest probability, for a
        query of ``terms`` terms."""
        z = scores.astype(np.float64) / self.temperature(terms) * np.log(10.0)
        z -= z.max()
        e = np.exp(z)
        result: Vector = e / e.sum()
        return result

    def temperature(self, terms: int) -> float:
        p = self.params
        softening = (terms / p.temperature_base) ** p.temperature_terms if terms else 1.0
        return p.temperature * max(1.0, softening)


def onset_fits(ranges: tuple[tuple[float, float], ...], age: float) -> bool:
    """The patient's age at onset falls in (or near: half a year before, a year after) one of
    a disease's onset ranges."""
    return any(lo - 0.5 <= age <= hi + 1.0 for lo, hi in ranges)


def onset_mismatch(ranges: tuple[tuple[float, float], ...], age: float) -> bool:
    """A disease with onset ranges none of which fits the age (the context_lr penalty)."""
    return bool(ranges) and not onset_fits(ranges, age)


def match_weights(index: DiagnosisIndex, params: ScoringParams) -> tuple[np.ndarray, np.ndarray]:
    """For every term q and each of its ancestors c (q itself first, as ``index.anc_idx``): the
    weight of a match through the propagated matrix (annotated at or below c: in full at q,
    (bg[q] / bg[c]) ** beta_sibling above it, a shared branch) and through the direct matrix
    (annotated exactly at an ancestor c, q being a more specific form of it: ratio ** beta).
    A weight below a tenth of the noise floor, which changes log10 LR by under 0.04 (log10 1.1),
    is set to 0 and skipped: distant, very general ancestors cost time and change nothing."""
    bg = index.background.astype(np.float64)
    counts = np.diff(index.anc_ptr)
    owner = np.repeat(np.arange(len(counts)), counts)
    ratio = bg[owner] / bg[index.anc_idx]
    first = index.anc_ptr[:-1][counts > 0]
    w_m = ratio**params.beta_sibling
    w_m[first] = 1.0
    w_d = ratio**params.beta
    w_d[first] = 0.0  # (exactly at q is in the propagated matrix already)
    negligible = NEGLIGIBLE * params.epsilon * bg[owner]
    w_m[w_m <= negligible] = 0.0
    w_d[w_d <= negligible] = 0.0
    return w_m.astype(np.float32), w_d.astype(np.float32)


def _onset_arrays(index: DiagnosisIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    width = max((len(c.onset) for c in index.candidates), default=0) or 1
    lo = np.full((index.size, width), np.inf, dtype=np.float32)
    hi = np.full((index.size, width), -np.inf, dtype=np.float32)
    for k, c in enumerate(index.candidates):
        for j, (a, b) in enumerate(c.onset):
            lo[k, j], hi[k, j] = a, b
    has = np.fromiter((bool(c.onset) for c in index.candidates), dtype=bool, count=index.size)
    return lo, hi, has


def _empty_like(matrix: sparse.csc_matrix) -> sparse.csc_matrix:
    return sparse.csc_matrix(matrix.shape, dtype=np.float32)


def _omission_matrix(direct: sparse.csc_matrix, rate: float) -> sparse.csc_matrix:
    om = direct.copy().astype(np.float32)
    om.data = np.log10(1.0 - rate * np.minimum(om.data, 1.0)).astype(np.float32)
    return om
