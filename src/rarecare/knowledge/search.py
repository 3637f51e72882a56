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


@dataclass
class _Name:
    code: str
    text: str
    kind: str  # label | synonym | alias
    folded: str


class TextIndex:
    """Names → codes, with exact, prefix and word-prefix lookups."""

    def __init__(self) -> None:
        self._names: list[_Name] = []
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._vocab: list[str] = []

    def add(self, code: str, text: str, kind: str) -> None:
        folded = fold(text)
        if not folded:
            return
        idx = len(self._names)
        self._names.append(_Name(code, text, kind, folded))
        self._exact[folded].append(idx)
        for token in set(folded.split()):
            self._postings[token].add(idx)

    def freeze(self) -> None:
        self._vocab = sorted(self._postings)

    def _expand(self, token: str, last: bool) -> set[int]:
        """Names containing ``token`` as a word, or (for words of 2+ letters) a word prefix."""
        if len(token) < 2 and not last:
            return set(self._postings.get(token, ()))
        found: set[int] = set()
        start = bisect_left(self._vocab, token)
        for word in self._vocab[start:]:
            if not word.startswith(token):
                break
            found |= self._postings[word]
        return found

    def search(self, query: str) -> list[tuple[int, _Name]]:
        folded = fold(query)
        if not folded:
            return []
        words = folded.split()
        scored: dict[int, int] = {}
        for idx in self._exact.get(folded, ()):
            name = self._names[idx]
            scored[idx] = SCORE_EXACT_LABEL if name.kind == "label" else SCORE_EXACT_SYNONYM
        candidates: set[int] | None = None
        for i, word in enumerate(sorted(words, key=len, reverse=True)):
            postings = self._expand(word, last=i == len(words) - 1)
            candidates = postings if candidates is None else candidates & postings
            if not candidates:
                break
        for idx in candidates or ():
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
