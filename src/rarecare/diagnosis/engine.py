"""The diagnosis engine's public face: rank every candidate for a query, with explanations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rarecare.diagnosis.index import DERIVED, BuildParams, DiagnosisIndex, load_index
from rarecare.diagnosis.query import CheckedQuery, Query, check
from rarecare.diagnosis.scoring import Scorer, ScoringParams, onset_fits
from rarecare.diagnosis.series import series_annotations
from rarecare.i18n import N_, gettext
from rarecare.knowledge import KnowledgeBase

# Tuned on the development split (see docs/benchmarks.md and bench/bench_diagnosis.py).
DEFAULT_PARAMS = ScoringParams(
    excluded_weight=0.0,
    excluded_relevance=0.4,
    excluded_not_lr=5.0,
    beta=1.5,
    beta_sibling=2.0,
    # chosen by 5-fold cross-validation grouped by disease over the plain, 3-term and 5-term
    # settings together (docs/diagnosis-model.md)
    omission_rate=0.3,
    omission_half=80.0,
    # post-test probabilities calibrated by 5-fold cross-validation grouped by disease (log
    # loss of the correct disease over full, 5- and 3-term cases): a query of n terms is
    # softened by max(1, (n / 1.5) ** 0.5) (docs/diagnosis-model.md, session 5)
    temperature=1.0,
    temperature_terms=0.5,
    temperature_base=1.5,
)
PLAUSIBLE_MASS = 0.95  # the candidates that together hold this share of the probability
DEFAULT_BUILD = BuildParams(
    borrow_weight=0.6,
    name_frequency=0.6,
    variable_frequency=0.4,
    definition_frequency=0.6,
    series_weight=2.0,
    series_size=10,
)


# how a query term met a disease's annotations, as the pages name it
MATCH_LABELS: dict[str, str] = {
    "exact": N_("exact match"),
    "annotation-below": N_("annotated more specifically"),
    "annotation-above": N_("annotated more generally"),
    "shared-ancestor": N_("related feature"),
    "not-annotated": N_("not annotated"),
    "contradiction": N_("annotated as absent"),
    "absent": N_("annotated, but absent in this patient"),
    "reported-absent": N_("reported absent in this disease"),
}


@dataclass(frozen=True)
class Contribution:
    """What one query term did to one disease's score."""

    hpo_id: str
    name: str
    kind: str  # observed | excluded
    log10_lr: float
    # exact | annotation-below | annotation-above | shared-ancestor | not-annotated | contradiction
    # | absent (excluded terms) | reported-absent (excluded, and the disease is annotated NOT to
    # have it)
    match: str
    matched_id: str | None = None
    matched_name: str | None = None
    frequency: float | None = None
    # where the matched feature comes from: "annotation" (curated HPO/Orphanet annotation),
    # "name" or "definition" (a feature the disease's name or definition names), "series" (the
    # mean phenotype of the disease's phenotypic series, for a sparsely annotated disease)
    evidence: str | None = None


@dataclass(frozen=True)
class Feature:
    hpo_id: str
    name: str
    frequency: float


@dataclass
class Explanation:
    contributions: list[Contribution]
    expected_not_observed: list[Feature]
    contradictions: list[str]
    context: list[str]


@dataclass
class RankedDisease:
    rank: int
    code: str
    codes: tuple[str, ...]
    name: str
    score: float  # log10 composite likelihood ratio
    probability: float  # post-test probability
    explanation: Explanation | None = None


@dataclass
class Ranking:
    results: list[RankedDisease]
    warnings: list[str]
    observed: list[str]
    excluded: list[str]
    candidates: int
    knowledge_version: str
    elapsed_ms: float
    checked: CheckedQuery | None = field(default=None, repr=False)
    # how many candidates it takes to hold 95% of the post-test probability: how open the
    # differential still is
    plausible: int = 0
    questions: list[Any] = field(default_factory=list)  # questions.Question, best first
    scores: np.ndarray | None = field(default=None, repr=False)  # every candidate's, log10


def plausible(probability: np.ndarray, mass: float = PLAUSIBLE_MASS) -> int:
    """The fewest candidates whose post-test probabilities add up to ``mass``."""
    ordered = np.sort(probability)[::-1]
    return int(np.searchsorted(np.cumsum(ordered), mass) + 1)


class DiagnosisEngine:
    def __init__(
        self, kb: KnowledgeBase, index: DiagnosisIndex, params: ScoringParams = DEFAULT_PARAMS
    ) -> None:
        self.kb = kb
        self.index = index
        self.scorer = Scorer(index, params)
        self.scorer.warm_up()
        # the index's matrices by candidate row (CSR), for explanations and questions
        self.matrix_rows = index.matrix.tocsr()
        self._direct_rows = index.direct.tocsr()
        self.not_rows = index.not_matrix.tocsr()

    @classmethod
    def load(
        cls,
        kb: KnowledgeBase,
        cache_dir: Path | None,
        params: ScoringParams = DEFAULT_PARAMS,
        build: BuildParams = DEFAULT_BUILD,
    ) -> DiagnosisEngine:
        return cls(kb, load_index(kb, cache_dir, build), params)

    def check(self, query: Query) -> CheckedQuery:
        return check(query, self.kb, self.index)

    def rank(self, query: Query, top: int = 10, explain: bool = True) -> Ranking:
        started = time.perf_counter()
        checked = self.check(query)
        scores = self.scorer.scores(checked)
        probability = self.scorer.posterior(scores, len(checked.observed) + len(checked.excluded))
        top = max(1, min(top, self.index.size))
        order = np.argpartition(-scores, top - 1)[:top]
        order = order[np.argsort(-scores[order], kind="stable")]
        top_scores = scores[order]
        results = []
        for k in order.tolist():
            candidate = self.index.candidates[k]
            # a candidate scoring higher than one of the top is itself in the top
            rank = 1 + int(np.count_nonzero(top_scores > scores[k]))
            results.append(
                RankedDisease(
                    rank=rank,
                    code=candidate.key,
                    codes=candidate.codes,
                    name=candidate.name,
                    score=round(float(scores[k]), 4),
                    probability=float(probability[k]),
                    explanation=self.explain(checked, k) if explain else None,
                )
            )
        return Ranking(
            results=results,
            warnings=checked.warnings,
            observed=checked.observed_ids,
            excluded=checked.excluded_ids,
            candidates=self.index.size,
            knowledge_version=self.index.knowledge_version,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            checked=checked,
            scores=scores,
            plausible=plausible(probability),
        )

    def rank_batch(self, queries: list[Query]) -> list[np.ndarray]:
        """Scores of every candidate for each query; term LR vectors are shared across the batch."""
        return [self.scorer.scores(self.check(q)) for q in queries]

    # ------------------------------------------------------------------ explanations
    def _row(self, matrix: object, k: int) -> dict[int, float]:
        m = matrix  # CSR
        start, end = m.indptr[k], m.indptr[k + 1]  # type: ignore[attr-defined]
        return dict(zip(m.indices[start:end].tolist(), m.data[start:end].tolist(), strict=True))  # type: ignore[attr-defined]

    def explain(self, checked: CheckedQuery, k: int) -> Explanation:
        index, terms, names = self.index, self.index.terms, self.kb.ontology.terms
        present = self._row(self.matrix_rows, k)
        direct = self._row(self._direct_rows, k)
        negated = self._row(self.not_rows, k)
        contributions: list[Contribution] = []
        contradictions: list[str] = []
        for q in checked.observed:
            lr = float(self.scorer.observed_lr(q)[k])
            qid = terms[q]
            if q in negated:
                contributions.append(
                    Contribution(qid, names[qid].name, "observed", lr, "contradiction")
                )
                contradictions.append(
                    gettext(
                        N_(
                            "%(name)s (%(id)s) is observed, but the disease is annotated as "
                            "not having it"
                        )
                    )
                    % {"name": names[qid].name, "id": qid}
                )
                continue
            contributions.append(self._observed_match(q, lr, present, direct))
        sources = self._sources(k)
        contributions = [
            replace(c, evidence=sources.get(c.matched_id)) if c.matched_id else c
            for c in contributions
        ]
        for q in checked.excluded:
            lr = float(self.scorer.excluded_lr(q)[k])
            qid = terms[q]
            p = present.get(q, 0.0)
            contributions.append(
                Contribution(
                    qid,
                    names[qid].name,
                    "excluded",
                    lr,
                    "reported-absent" if q in negated else "absent" if p else "not-annotated",
                    frequency=p or None,
                )
            )
            if p >= 0.5:
                contradictions.append(
                    gettext(
                        N_(
                            "%(name)s (%(id)s) is excluded, but the disease shows it in about "
                            "%(percent)s%% of patients"
                        )
                    )
                    % {"name": names[qid].name, "id": qid, "percent": round(p * 100)}
                )
        related = set(self.scorer.related_terms(checked).tolist())
        expected = sorted(
            ((t, f) for t, f in direct.items() if t not in related), key=lambda tf: -tf[1]
        )[:8]
        context = []
        candidate = index.candidates[k]
        if checked.onset_years is not None and candidate.onset:
            inside = onset_fits(candidate.onset, checked.onset_years)
            context.append(
                gettext(
                    N_("the age at onset fits the disease's onset annotations")
                    if inside
                    else N_("the age at onset does not fit the disease's onset annotations")
                )
            )
        if checked.sex == "female" and candidate.x_linked:
            context.append(gettext(N_("X-linked recessive disease in a female patient")))
        return Explanation(
            contributions=contributions,
            expected_not_observed=[
                Feature(terms[t], names[terms[t]].name, round(f, 3)) for t, f in expected
            ],
            contradictions=contradictions,
            context=context,
        )

    def _sources(self, k: int) -> dict[str, str]:
        """Per annotated term of candidate k: "annotation", "name"/"definition" when only the
        disease's name or definition names it, "series" when only its phenotypic series has it."""
        out: dict[str, str] = {}
        own = self.index.annotations[k]
        siblings = [self.index.annotations[s] for s in self.index.series[k]]
        for a in series_annotations(own, siblings, self.index.build):
            out[a.hpo_id] = "series"
        for a in own:
            if a.aspect != "P":
                continue
            kind = a.references[0] if a.references in DERIVED else "annotation"
            if out.get(a.hpo_id) != "annotation":
                out[a.hpo_id] = kind
        return out

    def _observed_match(
        self, q: int, lr: float, present: dict[int, float], direct: dict[int, float]
    ) -> Contribution:
        terms, names = self.index.terms, self.kb.ontology.terms
        qid = terms[q]
        if q in direct:
            return Contribution(
                qid,
                names[qid].name,
                "observed",
                lr,
                "exact",
                qid,
                names[qid].name,
                round(direct[q], 3),
            )
        if q in present:
            below = [t for t in self.index.descendants(q).tolist() if t in direct]
            best = max(below, key=lambda t: direct[t]) if below else q
            return Contribution(
                qid,
                names[qid].name,
                "observed",
                lr,
                "annotation-below",
                terms[best],
                names[terms[best]].name,
                round(present[q], 3),
            )
        for c in self.index.ancestors(q).tolist()[1:]:
            if c in direct:
                return Contribution(
                    qid,
                    names[qid].name,
                    "observed",
                    lr,
                    "annotation-above",
                    terms[c],
                    names[terms[c]].name,
                    round(direct[c], 3),
                )
            if c in present:
                return Contribution(
                    qid,
                    names[qid].name,
                    "observed",
                    lr,
                    "shared-ancestor",
                    terms[c],
                    names[terms[c]].name,
                    round(present[c], 3),
                )
        return Contribution(qid, names[qid].name, "observed", lr, "not-annotated")
