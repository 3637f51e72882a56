"""The knowledge base: ontology + diseases + ICD-10 + search indexes, loaded once per process."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from rarecare import cachefile
from rarecare.gcpause import paused_gc
from rarecare.knowledge import loader
from rarecare.knowledge.diseases import Disease
from rarecare.knowledge.hpo import HpoTerm, Ontology, Resolution, VietnameseLabel
from rarecare.knowledge.search import (
    CodeIndex,
    Hit,
    TextIndex,
    normalise_code,
    normalise_icd10,
    rank,
)

log = logging.getLogger("rarecare.knowledge")

_SOURCE_ORDER = {"ORPHA": 0, "OMIM": 1, "DECIPHER": 2}
_SUBTYPES = {"Clinical subtype", "Etiological subtype", "Histopathological subtype"}


@dataclass
class KnowledgeBase:
    ontology: Ontology
    diseases: dict[str, Disease]
    icd10_titles: dict[str, str]
    manifest: dict[str, Any]
    load_seconds: float = 0.0
    from_cache: bool = False
    _disease_text: TextIndex = field(default_factory=TextIndex)
    _disease_codes: CodeIndex = field(default_factory=CodeIndex)
    _term_text: TextIndex = field(default_factory=TextIndex)
    _exact_orpha: dict[str, list[str]] = field(default_factory=dict)
    vietnamese: dict[str, VietnameseLabel] = field(default_factory=dict)

    def build_indexes(self) -> None:
        for disease in self.diseases.values():
            self._disease_text.add(disease.code, disease.name, "label")
            for synonym in disease.synonyms:
                self._disease_text.add(disease.code, synonym, "synonym")
            for xref in disease.icd10:
                self._disease_codes.add_icd10(xref.code, disease.code)
            for gene in disease.genes:
                self._disease_codes.add_gene(gene.symbol, disease.code)
        for disease in self.diseases.values():  # OMIM entries inherit genes of exact ORPHA twins
            if disease.source == "OMIM":
                for twin in disease.exact_equivalents():
                    for gene in self.diseases[twin].genes if twin in self.diseases else ():
                        self._disease_codes.add_gene(gene.symbol, disease.code)
        self._disease_text.freeze()
        for term in self.ontology.terms.values():
            if term.obsolete:
                continue
            self._term_text.add(term.id, term.name, "label")
            for synonym in term.synonyms:
                self._term_text.add(term.id, synonym, "synonym")
        for term_id, vietnamese in self.vietnamese.items():  # found with or without diacritics
            if term_id in self.ontology.terms and not self.ontology.terms[term_id].obsolete:
                self._term_text.add(term_id, vietnamese.label, "label")
                for synonym in vietnamese.synonyms:
                    self._term_text.add(term_id, synonym, "synonym")
        self._term_text.freeze()

    # ------------------------------------------------------------------ look-ups
    def disease(self, code: str) -> Disease | None:
        canonical = normalise_code(code) or code.strip()
        return self.diseases.get(canonical)

    def exact_orpha_for(self, code: str) -> list[str]:
        """ORPHA entities mapped exactly (E) to an OMIM code, even one without annotations."""
        if not self._exact_orpha:
            for disease in self.diseases.values():
                if disease.source == "ORPHA":
                    for x in disease.equivalents:
                        if x.relation == "exact":
                            self._exact_orpha.setdefault(x.code, []).append(disease.code)
        return list(self._exact_orpha.get(code, ()))

    def term_name(self, term_id: str, locale: str = "en") -> str:
        """A term's name to show: in Vietnamese, RareCare's translation followed by the HPO
        label ("Co giật (Seizure)"); else, or without one, the HPO label."""
        term = self.ontology.terms.get(term_id)
        name = term.name if term else term_id
        vietnamese = self.vietnamese.get(term_id) if locale == "vi" else None
        return f"{vietnamese.label} ({name})" if vietnamese else name

    def term(self, term_id: str) -> HpoTerm | None:
        return self.ontology.get(term_id)

    def resolve_term(self, term_id: str) -> Resolution | None:
        return self.ontology.resolve(term_id)

    def icd10_title(self, code: str) -> str | None:
        canonical = normalise_icd10(code)
        return self.icd10_titles.get(canonical) if canonical else None

    def diseases_for_icd10(self, code: str) -> list[str]:
        canonical = normalise_icd10(code)
        return list(self._disease_codes.by_icd10.get(canonical or "", ()))

    def classification_paths(self, code: str, limit: int = 5) -> list[list[Disease]]:
        """Paths from the top of the Orphanet classification down to the disease."""
        paths: list[list[Disease]] = []

        def walk(current: str, trail: list[Disease]) -> None:
            if len(paths) >= limit:
                return
            disease = self.diseases.get(current)
            if disease is None or any(d.code == current for d in trail):
                return
            trail = [disease, *trail]
            parents = [p for p in disease.parents if p in self.diseases]
            if not parents:
                paths.append(trail)
                return
            for parent in parents:
                walk(parent, trail)

        walk(code, [])
        return paths

    def ancestors(self, code: str) -> set[str]:
        """Every group and disease above ``code`` in the Orphanet classification."""
        found: set[str] = set()
        stack = [code]
        while stack:
            disease = self.diseases.get(stack.pop())
            for parent in disease.parents if disease else ():
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    # ------------------------------------------------------------------ search
    def _tiebreak(self, code: str) -> tuple[int, ...]:
        disease = self.diseases[code]
        kind = 2 if disease.is_group else 1 if disease.disorder_type in _SUBTYPES else 0
        return (kind, _SOURCE_ORDER.get(disease.source, 3), len(disease.name))

    def search_diseases(self, query: str, limit: int = 20) -> list[Hit]:
        return rank(
            query,
            self._disease_text,
            self._disease_codes,
            exists=lambda c: c in self.diseases,
            tiebreak=self._tiebreak,
            limit=limit,
        )

    def search_terms(self, query: str, limit: int = 20) -> list[Hit]:
        """HPO terms by label, synonym or id; obsolete and alternate ids resolve to the current
        term (``match_kind`` says "replaced")."""
        code = normalise_code(query)
        if code and code.startswith("HP:"):
            resolution = self.ontology.resolve(code)
            if resolution is None:
                return []
            kind = "replaced" if resolution.warning else "code"
            return [Hit(resolution.term.id, 1000, code, kind)]
        return rank(
            query,
            self._term_text,
            None,
            exists=lambda c: c in self.ontology,
            tiebreak=lambda c: (len(self.ontology.terms[c].name),),
            limit=limit,
        )

    # ------------------------------------------------------------------ facts
    def stats(self) -> dict[str, Any]:
        by_source: dict[str, int] = {}
        annotated: dict[str, int] = {}
        for disease in self.diseases.values():
            by_source[disease.source] = by_source.get(disease.source, 0) + 1
            if disease.phenotypes:
                annotated[disease.source] = annotated.get(disease.source, 0) + 1
        return {
            "orpha_entities": by_source.get("ORPHA", 0),
            "omim_diseases": by_source.get("OMIM", 0),
            "decipher_diseases": by_source.get("DECIPHER", 0),
            "diseases_with_phenotypes": annotated,
            "hpo_terms": self.ontology.current_count,
            "hpo_terms_including_obsolete": len(self.ontology),
            "hpo_annotations": sum(len(d.annotations) for d in self.diseases.values()),
            "icd10_codes": len(self.icd10_titles),
            "orpha_with_icd10": sum(
                1 for d in self.diseases.values() if d.source == "ORPHA" and d.icd10
            ),
            "orpha_with_icd11": sum(1 for d in self.diseases.values() if d.icd11),
            "sources": self.manifest["sources"],
            "load_seconds": round(self.load_seconds, 3),
            "from_cache": self.from_cache,
        }


def build(base: Traversable | Path | None = None) -> KnowledgeBase:
    """Parse the packaged files (slow path: a few seconds)."""
    directory = base if base is not None else loader.data_dir()
    kb = KnowledgeBase(
        ontology=loader.load_ontology(directory),
        diseases=loader.load_diseases(directory),
        icd10_titles=loader.load_icd10(directory),
        manifest=loader.manifest(directory),
        vietnamese=loader.load_vietnamese(directory),
    )
    kb.build_indexes()
    return kb


_lock = threading.Lock()
_loaded: dict[str, KnowledgeBase] = {}


def load_knowledge(
    cache_dir: Path | None = None, base: Traversable | Path | None = None
) -> KnowledgeBase:
    """The knowledge base, from the binary cache in ``cache_dir`` when it is current (fast),
    else parsed and cached. One instance per process and source."""
    directory = base if base is not None else loader.data_dir()
    key = loader.cache_key(directory)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        started = time.perf_counter()
        cache_path = cache_dir / key if cache_dir is not None else None
        kb = cachefile.read(cache_path, KnowledgeBase, freeze=True)
        if kb is not None:
            kb.from_cache = True
        else:
            with paused_gc():  # millions of small, long-lived, acyclic objects
                kb = build(directory)
            kb.from_cache = False
            cachefile.write(cache_path, kb)
        kb.search_diseases("warm up")  # first NumPy calls pay a one-off cost; not the user
        kb.search_terms("warm up")
        kb.load_seconds = time.perf_counter() - started
        log.info("knowledge base ready in %.2f s (cache: %s)", kb.load_seconds, kb.from_cache)
        _loaded[key] = kb
        return kb
