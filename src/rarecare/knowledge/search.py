"""In-memory search over disease names, synonyms and codes, and over HPO terms.

Ranking: exact code > exact name > name prefix > all query words found (as word prefixes).
Matching folds case, accents and punctuation, so "pompe", "Pompe-Disease" and Vietnamese names
written with or without diacritics all match."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rarecare.knowledge.text import fold

SCORE_CODE = 1000
SCORE_GENE = 900
SCORE_ICD = 880
SCORE_EXACT_LABEL = 800
SCORE_EXACT_SYNONYM = 780
SCORE_PREFIX_LABEL = 600
SCORE_PREFIX_SYNONYM = 580
SCORE_TOKENS = 400

_CODE = re.compile(r"^\s*(ORPHA|ORPHANET|OMIM|MIM|DECIPHER|HP|MONDO)\s*[:_ ]\s*(\d+)\s*$", re.I)
_ICD10 = re.compile(r"^\s*([A-TV-Z]\d\d)(?:\.?(\d{1,2}))?\s*$", re.I)
_GENE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,15}$")
_PREFIXES = {"ORPHANET": "ORPHA", "MIM": "OMIM"}


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the entry's code, the score, and what matched."""

    code: str
    score: int
    matched: str
    match_kind: str  # code, gene, icd10, label, synonym, alias


@dataclass(frozen=True, slots=True)
class _Name:
    code: str
    text: str
    kind: str  # label | synonym | alias
    folded: str


# Broad queries ("a", "abnormal") match thousands of names; only the shortest candidates (names
# are numbered by length) and the names that start with the query are scored.
MAX_SCORED = 400
MAX_PREFIX = 200


class TextIndex:
    """Names → codes, with exact, prefix and word-prefix look-ups.

    Word postings are stored as one sorted array per word in a CSR layout over the sorted
    vocabulary, so every word *prefix* is one contiguous slice (a single NumPy operation)."""

    def __init__(self) -> None:
        self._pending: list[_Name] = []
        self._names: list[_Name] = []
        self._exact: dict[str, list[int]] = {}
        self._vocab: list[str] = []
        self._offsets: np.ndarray = np.zeros(1, dtype=np.int64)
        self._flat: np.ndarray = np.zeros(0, dtype=np.int32)
        self._sorted_folded: list[str] = []
        self._sorted_ids: list[int] = []

    def add(self, code: str, text: str, kind: str) -> None:
        folded = fold(text)
        if folded:
            self._pending.append(_Name(code, text, kind, folded))

    def freeze(self) -> None:
        # number names by length, labels first on ties: a smaller id is a better tie-break
        self._names = sorted(
            self._pending, key=lambda n: (len(n.folded), n.kind != "label", n.code)
        )
        self._pending = []
        postings: dict[str, list[int]] = defaultdict(list)
        exact: dict[str, list[int]] = defaultdict(list)
        for idx, name in enumerate(self._names):
            exact[name.folded].append(idx)
            for token in dict.fromkeys(name.folded.split()):
                postings[token].append(idx)
        self._exact = dict(exact)
        self._vocab = sorted(postings)
        sizes = np.fromiter(
            (len(postings[w]) for w in self._vocab), dtype=np.int64, count=len(self._vocab)
        )
        self._offsets = np.concatenate(([0], np.cumsum(sizes)))
        self._flat = np.fromiter(
            (i for w in self._vocab for i in postings[w]),
            dtype=np.int32,
            count=int(self._offsets[-1]),
        )
        order = sorted(range(len(self._names)), key=lambda i: self._names[i].folded)
        self._sorted_folded = [self._names[i].folded for i in order]
        self._sorted_ids = order

    def _word(self, token: str, prefix: bool) -> np.ndarray:
        """Sorted ids of names containing ``token`` as a word (or as a word prefix)."""
        lo = bisect_left(self._vocab, token)
        if prefix:
            hi = bisect_left(self._vocab, token + "\uffff", lo)
        else:
            hi = lo + 1 if lo < len(self._vocab) and self._vocab[lo] == token else lo
        if hi <= lo:
            return np.zeros(0, dtype=np.int32)
        chunk = self._flat[self._offsets[lo] : self._offsets[hi]]
        return chunk if hi - lo == 1 else np.unique(chunk)

    def _name_prefix(self, folded: str) -> list[int]:
        lo = bisect_left(self._sorted_folded, folded)
        hi = bisect_left(self._sorted_folded, folded + "\uffff", lo)
        return sorted(self._sorted_ids[lo : min(hi, lo + 5 * MAX_PREFIX)])[:MAX_PREFIX]

    def search(self, query: str) -> list[tuple[int, _Name]]:
        folded = fold(query)
        if not folded:
            return []
        words = folded.split()
        scored: dict[int, int] = {}
        for idx in self._exact.get(folded, ()):
            scored[idx] = (
                SCORE_EXACT_LABEL if self._names[idx].kind == "label" else SCORE_EXACT_SYNONYM
            )
        candidates: np.ndarray | None = None
        # every word must match a whole word, the last one (still being typed) a word prefix;
        # the rarest words first keeps the intersections small
        for i, word in enumerate(words):
            ids = self._word(word, prefix=(i == len(words) - 1) or len(word) >= 3)
            candidates = (
                ids if candidates is None else np.intersect1d(candidates, ids, assume_unique=True)
            )
            if candidates.size == 0:
                break
        chosen = [] if candidates is None else candidates[:MAX_SCORED].tolist()
        for idx in (*chosen, *self._name_prefix(folded)):
            if idx in scored:
                continue
            name = self._names[idx]
            if name.folded.startswith(folded):
                base = SCORE_PREFIX_LABEL if name.kind == "label" else SCORE_PREFIX_SYNONYM
            else:
                whole = sum(1 for w in words if f" {w} " in f" {name.folded} ")
                base = SCORE_TOKENS + 20 * whole - (0 if name.kind == "label" else 5)
            # closer length = better match
            base += max(0, 50 - (len(name.folded) - len(folded)) // 2)
            scored[idx] = base
        return [(score, self._names[idx]) for idx, score in scored.items()]


@lru_cache(maxsize=65536)  # imports look up the same few thousand codes again and again
def normalise_code(text: str) -> str | None:
    """'orpha:365', 'Orphanet_365', 'MIM 232300', 'hp:1234' → canonical codes."""
    match = _CODE.match(text)
    if not match:
        return None
    prefix = match.group(1).upper()
    prefix = _PREFIXES.get(prefix, prefix)
    number = match.group(2)
    if prefix == "HP":
        number = number.zfill(7)
    return f"{prefix}:{number}"


def normalise_orpha(text: str) -> str | None:
    """'ORPHA:365', 'Orphanet_365' or a bare '365' → 'ORPHA:365'; anything else → None."""
    stripped = text.strip()
    code = normalise_code(f"ORPHA:{stripped}" if stripped.isdigit() else stripped)
    return code if code is not None and code.startswith("ORPHA:") else None


def normalise_icd10(text: str) -> str | None:
    match = _ICD10.match(text)
    if not match:
        return None
    return match.group(1).upper() + (f".{match.group(2)}" if match.group(2) else "")


class CodeIndex:
    """Exact look-ups: own codes, ICD-10 codes and gene symbols → codes."""

    def __init__(self) -> None:
        self.by_icd10: dict[str, list[str]] = defaultdict(list)
        self.by_gene: dict[str, list[str]] = defaultdict(list)

    def add_icd10(self, icd: str, code: str) -> None:
        if code not in self.by_icd10[icd]:
            self.by_icd10[icd].append(code)

    def add_gene(self, symbol: str, code: str) -> None:
        key = symbol.upper()
        if code not in self.by_gene[key]:
            self.by_gene[key].append(code)


def rank(
    query: str,
    text_index: TextIndex,
    code_index: CodeIndex | None,
    exists: Callable[[str], bool],
    tiebreak: Callable[[str], tuple[int, ...]],
    limit: int,
) -> list[Hit]:
    best: dict[str, Hit] = {}

    def offer(hits: Iterable[Hit]) -> None:
        for hit in hits:
            current = best.get(hit.code)
            if current is None or hit.score > current.score:
                best[hit.code] = hit

    code = normalise_code(query)
    if code and exists(code):
        offer([Hit(code, SCORE_CODE, code, "code")])
    if code_index is not None:
        icd = normalise_icd10(query)
        if icd:
            offer(Hit(c, SCORE_ICD, icd, "icd10") for c in code_index.by_icd10.get(icd, ()))
        stripped = query.strip()
        if _GENE.match(stripped):
            offer(
                Hit(c, SCORE_GENE, stripped.upper(), "gene")
                for c in code_index.by_gene.get(stripped.upper(), ())
            )
    offer(Hit(name.code, score, name.text, name.kind) for score, name in text_index.search(query))
    ordered = sorted(best.values(), key=lambda h: (-h.score, *tiebreak(h.code)))
    return ordered[:limit]
