"""The next best question: given the current differential, the HPO features whose presence or
absence would best separate the leading candidates.

Over the ``top`` candidates with their post-test probabilities p(d), a feature t is present in
d with P(t | d) = (1 − ε) M[d, t] + ε bg[t] (M: the index's propagated annotation matrix — a
patient with t or a more specific feature has t — and a candidate annotated NOT to have t
shows it at the noise floor only). Asking about t splits the differential in two; its value is
the expected information gain

    IG(t) = H(p) − [ P(yes) H(p | yes) + P(no) H(p | no) ]   (bits),

computed for every feature annotated to a leading candidate at once (one matrix product).
Features the query already speaks about (its terms, their ancestors and descendants) are not
asked again, nor two features of one line of the ontology. Laboratory and metabolic features
are worded as a test to order, others as a question to ask or a sign to look for."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from rarecare.diagnosis.benchmark import Case, correct_rows, known, rank_of, shortened
from rarecare.diagnosis.engine import DiagnosisEngine, Ranking
from rarecare.diagnosis.index import DiagnosisIndex
from rarecare.diagnosis.query import CheckedQuery, Query

# features under these branches are measured, not asked or seen
TESTED = frozenset(
    {
        "HP:0001939",  # Abnormality of metabolism/homeostasis
        "HP:0001871",  # Abnormality of blood and blood-forming tissues
        "HP:0003110",  # Abnormality of urine homeostasis
        "HP:0011873",  # Abnormal platelet count
    }
)


@dataclass(frozen=True)
class Question:
    hpo_id: str
    name: str
    gain: float  # expected information gain over the leading candidates, in bits
    p_yes: float  # how likely the patient has it, given the current differential
    kind: str  # "test" (order a test) or "examine" (ask, or look for it)
    favours: tuple[str, ...]  # the leading candidates that usually show it


def _update(prior: np.ndarray, log10_lr: np.ndarray, temperature: float) -> np.ndarray:
    """The differential after evidence of these log10 likelihood ratios."""
    z = np.log(prior) + log10_lr.astype(np.float64) / temperature * np.log(10.0)
    z -= z.max()
    e = np.exp(z)
    result: np.ndarray = e / e.sum()
    return result


def _entropy(p: np.ndarray) -> np.ndarray:
    """Entropy in bits of each column of ``p`` (rows: candidates)."""
    safe = np.where(p > 0, p, 1.0)
    result: np.ndarray = -(p * np.log2(safe)).sum(axis=0)
    return result


def next_questions(
    engine: DiagnosisEngine,
    checked: CheckedQuery,
    scores: np.ndarray,
    *,
    top: int = 30,
    count: int = 5,
    shortlist_size: int = 60,
) -> list[Question]:
    """The ``count`` features worth asking about next, best first."""
    index, scorer = engine.index, engine.scorer
    top = max(2, min(top, index.size))
    leading = np.argpartition(-scores, top - 1)[:top]
    leading = leading[np.argsort(-scores[leading], kind="stable")]
    terms = len(checked.observed) + len(checked.excluded)
    prior = scorer.posterior(scores[leading], terms)
    temperature = scorer.temperature(terms + 1)
    rows = engine.matrix_rows[leading]
    not_rows = engine.not_rows[leading]
    columns = np.unique(rows.indices)
    asked = scorer.related_terms(checked)
    columns = np.setdiff1d(columns, asked, assume_unique=False)
    if columns.size == 0:
        return []
    eps = scorer.params.epsilon
    present = rows[:, columns].toarray().astype(np.float64)
    denied = not_rows[:, columns].toarray() > 0
    background = index.background[columns].astype(np.float64)
    chance = (1 - eps) * present + eps * background
    chance[denied] = eps * background[np.nonzero(denied)[1]]
    chance = np.clip(chance, 1e-6, 1 - 1e-6)
    p = prior[:, None]
    p_yes = (p * chance).sum(axis=0)
    before = float(_entropy(prior[:, None])[0])
    gain = before - (
        p_yes * _entropy(p * chance / p_yes)
        + (1 - p_yes) * _entropy(p * (1 - chance) / (1 - p_yes))
    )
    # the shortlist again, with the differential as the engine would update it: the answer's
    # likelihood ratios as the scorer computes them (its matching, discounts and weights)
    shortlist = np.argsort(-gain, kind="stable")[:shortlist_size]
    for j in shortlist:
        t = int(columns[j])
        yes = _update(prior, scorer.observed_lr(t)[leading], temperature)
        no = _update(prior, scorer.excluded_lr(t)[leading], temperature)
        gain[j] = before - (
            p_yes[j] * float(_entropy(yes[:, None])[0])
            + (1 - p_yes[j]) * float(_entropy(no[:, None])[0])
        )
    keep = np.zeros(gain.shape[0], dtype=bool)
    keep[shortlist] = True
    gain = np.where(keep, gain, -np.inf)
    names = engine.kb.ontology.terms
    chosen: list[Question] = []
    taken: set[int] = set()
    for j in np.argsort(-gain, kind="stable"):
        if len(chosen) >= count or gain[j] <= 1e-6:
            break
        t = int(columns[j])
        if t in taken:
            continue
        lineage = {int(a) for a in index.ancestors(t)} | {int(d) for d in index.descendants(t)}
        taken |= lineage | {t}
        hpo_id = index.terms[t]
        ancestors = {index.terms[int(a)] for a in index.ancestors(t)} | {hpo_id}
        favours = tuple(
            index.candidates[int(leading[i])].name
            for i in np.argsort(-chance[:, j] * prior)[:3]
            if chance[i, j] > 0.5
        )
        chosen.append(
            Question(
                hpo_id=hpo_id,
                name=names[hpo_id].name if hpo_id in names else hpo_id,
                gain=round(float(gain[j]), 4),
                p_yes=round(float(p_yes[j]), 4),
                kind="test" if ancestors & TESTED else "examine",
                favours=favours,
            )
        )
    return chosen


def ask(engine: DiagnosisEngine, ranking: Ranking, count: int = 5) -> None:
    """Add to ``ranking`` the ``count`` questions worth asking next (from its own scores)."""
    if ranking.checked is not None and ranking.scores is not None:
        ranking.questions = next_questions(engine, ranking.checked, ranking.scores, count=count)


@dataclass(frozen=True)
class QuestionsEvaluation:
    """Top-1 (%) of cases shortened to ``start`` terms, then after each round of one question
    (the first suggestion the full case answers, added as observed or excluded) against one
    random further term of the case; and how often a suggestion could be answered."""

    cases: int
    start: int
    top1_before: float
    top1_asked: list[float]
    top1_random: list[float]
    answered: list[float]


def _answer(
    case_observed: set[str], case_excluded: set[str], index: DiagnosisIndex, t: int
) -> str | None:
    """What the full case says about feature t: observed (it or a more specific feature was
    seen), excluded (it or a more general feature was ruled out), or nothing."""
    below = {index.terms[int(d)] for d in index.descendants(t)} | {index.terms[t]}
    if below & case_observed:
        return "observed"
    above = {index.terms[int(a)] for a in index.ancestors(t)} | {index.terms[t]}
    if above & case_excluded:
        return "excluded"
    return None


def evaluate(
    engine: DiagnosisEngine,
    cases: list[Case],
    *,
    start: int = 3,
    rounds: int = 3,
    seed: int = 0,
) -> QuestionsEvaluation:
    """Ask up to ``rounds`` questions of every case shortened to ``start`` observed terms."""
    kb, index = engine.kb, engine.index
    before = 0
    asked_hits = [0] * rounds
    random_hits = [0] * rounds
    answered = [0] * rounds
    counted = 0
    for full in cases:
        rows = correct_rows(kb, index, full.diseases[0] if full.diseases else "")
        terms = known(kb, full.query)
        known_obs, known_exc = list(terms.observed), list(terms.excluded)
        if not rows or len(known_obs) <= start:
            continue
        case = shortened(
            Case(full.id, Query(observed=tuple(known_obs)), full.diseases, full.pmids), start, seed
        )
        counted += 1
        rng = random.Random(f"{seed}:{full.id}:random")  # noqa: S311 - reproducible sample
        left = [("observed", t) for t in known_obs if t not in case.query.observed] + [
            ("excluded", t) for t in known_exc
        ]
        rng.shuffle(left)
        observed, excluded = list(case.query.observed), list[str]()
        r_observed, r_excluded = list(case.query.observed), list[str]()
        checked = engine.check(Query(observed=tuple(observed)))
        scores = engine.scorer.scores(checked)
        before += _is_top(scores, rows)
        case_obs, case_exc = set(known_obs), set(known_exc)
        for n in range(rounds):
            for question in next_questions(engine, checked, scores):
                said = _answer(case_obs, case_exc, index, index.term_index[question.hpo_id])
                if said is not None:
                    (observed if said == "observed" else excluded).append(question.hpo_id)
                    answered[n] += 1
                    break
            # the differential after the answer: the next round asks from here
            checked = engine.check(Query(observed=tuple(observed), excluded=tuple(excluded)))
            scores = engine.scorer.scores(checked)
            asked_hits[n] += _is_top(scores, rows)
            if left:
                kind, term = left.pop()
                (r_observed if kind == "observed" else r_excluded).append(term)
            plain = engine.scorer.scores(
                engine.check(Query(observed=tuple(r_observed), excluded=tuple(r_excluded)))
            )
            random_hits[n] += _is_top(plain, rows)

    def pct(x: int) -> float:
        return round(100 * x / counted, 1) if counted else 0.0

    return QuestionsEvaluation(
        cases=counted,
        start=start,
        top1_before=pct(before),
        top1_asked=[pct(x) for x in asked_hits],
        top1_random=[pct(x) for x in random_hits],
        answered=[pct(x) for x in answered],
    )


def _is_top(scores: np.ndarray, rows: list[int]) -> int:
    """1 when a correct candidate ranks first (ties pessimistic)."""
    return int(rank_of(scores, rows)[0] == 1)
