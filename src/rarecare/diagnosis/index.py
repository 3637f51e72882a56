"""The diagnosis index: candidates, their propagated phenotype probabilities, background
frequencies and ancestor lists, as NumPy/SciPy arrays built from the knowledge base.

A *candidate* is one disease, or an OMIM disease merged with its exact (E) ORPHA twin: the
twins' annotations are pooled and the result is shown under both codes.

``M[d, t]`` is the probability that candidate ``d`` presents term ``t`` or a descendant of it:
the noisy-OR of the frequencies of its annotations at or below ``t`` (the true-path rule).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from rarecare import cachefile
from rarecare.diagnosis.series import phenotypic_series, series_annotations
from rarecare.knowledge import Annotation, Disease, KnowledgeBase
from rarecare.knowledge.hpo import PHENOTYPIC_ABNORMALITY, ROOT

log = logging.getLogger("rarecare.diagnosis")
INDEX_FORMAT = 1

# Onset terms (HPO "Onset" branch) with the age range they cover, in years.
ONSET_YEARS: dict[str, tuple[float, float]] = {
    "HP:0030674": (-1.0, 0.0),  # Antenatal onset
    "HP:0011460": (-1.0, 0.0),  # Embryonal onset
    "HP:0011461": (-1.0, 0.0),  # Fetal onset
    "HP:0003577": (0.0, 0.0),  # Congenital onset
    "HP:0003623": (0.0, 0.08),  # Neonatal onset
    "HP:0003593": (0.0, 1.0),  # Infantile onset
    "HP:0011463": (1.0, 5.0),  # Childhood onset
    "HP:0410280": (1.0, 16.0),  # Pediatric onset
    "HP:0003621": (5.0, 16.0),  # Juvenile onset
    "HP:0003581": (16.0, 120.0),  # Adult onset
    "HP:0011462": (16.0, 40.0),  # Young adult onset
    "HP:0003596": (40.0, 60.0),  # Middle age onset
    "HP:0003584": (60.0, 120.0),  # Late onset
}
# Orphanet's average age of onset classes, in years
ORPHANET_ONSET_YEARS: dict[str, tuple[float, float]] = {
    "Antenatal": (-1.0, 0.0),
    "Neonatal": (0.0, 0.08),
    "Infancy": (0.0, 2.0),
    "Childhood": (2.0, 11.0),
    "Adolescent": (11.0, 18.0),
    "Adult": (18.0, 120.0),
    "Elderly": (60.0, 120.0),
    "All ages": (-1.0, 120.0),
}
X_LINKED = {"HP:0001419", "HP:0001417"}  # X-linked recessive, X-linked inheritance
X_LINKED_DOMINANT = "HP:0001423"


@dataclass(frozen=True)
class BuildParams:
    """Parameters fixed when the index is built."""

    default_frequency: float = 0.5  # annotations without a frequency
    min_frequency: float = 0.02  # floor for very rare / 0 frequency positive annotations
    # an OMIM disease also takes the phenotype of Orphanet entities mapped to it as broader or
    # narrower concepts (e.g. a gene-specific subtype and its clinical entity), scaled by this
    borrow_weight: float = 0.0
    # features named in a disease's name (knowledge.textmine) count as annotations of this
    # frequency ("with or without X": variable_frequency); an Orphanet definition's features are
    # used for entities without curated annotations only, at definition_frequency; 0 = unused
    name_frequency: float = 0.0
    variable_frequency: float = 0.0
    definition_frequency: float = 0.0
    # a sparsely annotated OMIM disease of a phenotypic series ("Loeys-Dietz syndrome 5") also
    # takes the series' mean phenotype, weighted series_weight × (1 − n / series_size) for a
    # disease with n annotated terms (none from series_size on); 0 = unused
    series_weight: float = 0.0
    series_size: int = 20


@dataclass
class Candidate:
    key: str  # display code: the OMIM code of a merged pair, else the disease's own
    codes: tuple[str, ...]  # every code the candidate answers to
    name: str
    source: str
    onset: tuple[tuple[float, float], ...] = ()
    x_linked: bool = False


@dataclass
class DiagnosisIndex:
    knowledge_version: str
    build: BuildParams
    terms: list[str]
    term_index: dict[str, int]
    candidates: list[Candidate]
    code_index: dict[str, int]
    matrix: sparse.csc_matrix  # K x T, float32: P(candidate presents t or a descendant)
    direct: sparse.csc_matrix  # K x T, float32: P(candidate presents exactly t), unpropagated
    background: np.ndarray  # T: mean of M over candidates, floored
    anc_ptr: np.ndarray  # CSR over terms: informative ancestors (self first, nearest first)
    anc_idx: np.ndarray
    desc_ptr: np.ndarray  # CSR over terms: descendants (self included)
    desc_idx: np.ndarray
    not_matrix: sparse.csc_matrix  # K x T, 1 where the candidate NOT-annotates t or an ancestor
    series: list[tuple[int, ...]] = field(default_factory=list)  # per candidate: its series' others
    annotation_counts: np.ndarray = field(default_factory=lambda: np.zeros(0))  # K: distinct terms
    # per candidate: its phenotype (P) and onset (C) annotations, with their references
    annotations: list[tuple[Annotation, ...]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.candidates)

    def ancestors(self, t: int) -> np.ndarray:
        return self.anc_idx[self.anc_ptr[t] : self.anc_ptr[t + 1]]

    def descendants(self, t: int) -> np.ndarray:
        return self.desc_idx[self.desc_ptr[t] : self.desc_ptr[t + 1]]


def phenotype(disease: Disease, params: BuildParams) -> list[Annotation]:
    """A disease's phenotype annotations: the curated ones, then the features its name names
    (and, without curated ones, those its definition names) that are not annotated already."""
    own = list(disease.phenotypes)
    if not own and disease.is_group:  # a group of disorders has no phenotype of its own
        return own
    seen = {a.hpo_id for a in own}
    for a in disease.derived:
        if a.hpo_id in seen:
            continue
        if a.references == ("definition",):
            frequency = params.definition_frequency if not disease.phenotypes else 0.0
        else:
            frequency = (
                params.variable_frequency
                if a.frequency_raw == "variable"
                else params.name_frequency
            )
        if frequency:
            own.append(a._replace(frequency=frequency))
            seen.add(a.hpo_id)
    return own


def _candidates(kb: KnowledgeBase, params: BuildParams) -> list[tuple[Candidate, list[Annotation]]]:
    """Merge each OMIM disease with its single exact ORPHA twin; keep the rest as they are."""
    out: list[tuple[Candidate, list[Annotation]]] = []
    phenotypes = {code: phenotype(d, params) for code, d in kb.diseases.items()}
    merged_orpha: set[str] = set()
    for disease in kb.diseases.values():
        if disease.source != "ORPHA" or not phenotypes[disease.code]:
            continue
        exact = [x.code for x in disease.equivalents if x.relation == "exact"]
        if len(exact) == 1 and exact[0] in kb.diseases and phenotypes[exact[0]]:
            merged_orpha.add(disease.code)
    for disease in kb.diseases.values():
        if not phenotypes[disease.code] or disease.code in merged_orpha:
            continue
        codes = [disease.code]
        annotations = [a for a in disease.annotations if a.aspect != "P"]
        annotations += phenotypes[disease.code]
        if disease.source == "OMIM":
            for twin in disease.exact_equivalents():
                if twin in merged_orpha:
                    codes.append(twin)
                    annotations.extend(a for a in kb.diseases[twin].annotations if a.aspect != "P")
                    annotations.extend(phenotypes[twin])
            if params.borrow_weight:
                for x in disease.equivalents:
                    if x.relation in ("broader", "narrower") and x.code in kb.diseases:
                        annotations.extend(
                            a._replace(
                                frequency=(
                                    a.frequency
                                    if a.frequency is not None
                                    else params.default_frequency
                                )
                                * params.borrow_weight
                            )
                            for a in phenotypes[x.code]
                            if not a.negated
                        )
        out.append(
            (
                Candidate(
                    key=disease.code, codes=tuple(codes), name=disease.name, source=disease.source
                ),
                _once(annotations),
            )
        )
    return out


DERIVED = (("name",), ("definition",))


def _once(annotations: list[Annotation]) -> list[Annotation]:
    """A feature named by the disease's name is not added again where a curated annotation (or
    the twin's name) has it already."""
    curated = {a.hpo_id for a in annotations if a.references not in DERIVED}
    seen: set[str] = set()
    out = []
    for a in annotations:
        if a.references in DERIVED:
            if a.hpo_id in curated or a.hpo_id in seen:
                continue
            seen.add(a.hpo_id)
        out.append(a)
    return out


def onset_and_inheritance(
    kb: KnowledgeBase, codes: tuple[str, ...], annotations: list[Annotation]
) -> tuple[tuple[tuple[float, float], ...], bool]:
    ranges = {
        ONSET_YEARS[a.hpo_id] for a in annotations if a.aspect == "C" and a.hpo_id in ONSET_YEARS
    }
    inheritance = {a.hpo_id for a in annotations if a.aspect == "I"}
    orphanet_ranges: set[tuple[float, float]] = set()
    for code in codes:
        disease: Disease | None = kb.diseases.get(code)
        if disease is not None and any("X-linked recessive" in i for i in disease.inheritance):
            inheritance.add("HP:0001419")
        if disease is not None:
            orphanet_ranges.update(
                ORPHANET_ONSET_YEARS[o] for o in disease.onset if o in ORPHANET_ONSET_YEARS
            )
    if not ranges:  # no HPO onset annotation: Orphanet's average age of onset classes
        ranges = orphanet_ranges
    x_linked = (
        bool(inheritance & X_LINKED)
        and X_LINKED_DOMINANT not in inheritance
        and len(inheritance) == 1
    )
    return tuple(sorted(ranges)), x_linked


def informative_ancestors(kb: KnowledgeBase, term_id: str) -> list[str]:
    """Ancestors of a term (itself first, then by distance), without the root terms."""
    ontology = kb.ontology
    seen = {term_id: 0}
    frontier = [term_id]
    depth = 0
    while frontier:
        depth += 1
        nxt = []
        for t in frontier:
            term = ontology.terms.get(t)
            for p in term.parents if term else ():
                if p not in seen:
                    seen[p] = depth
                    nxt.append(p)
        frontier = nxt
    return [
        t
        for t, _d in sorted(seen.items(), key=lambda kv: kv[1])
        if t not in (ROOT, PHENOTYPIC_ABNORMALITY)
    ]


def propagate(
    annotations: list[Annotation] | tuple[Annotation, ...],
    index_terms: dict[str, int],
    ancestors: dict[str, list[str]],
    params: BuildParams,
    kb: KnowledgeBase,
) -> tuple[dict[int, float], set[int], dict[int, float]]:
    """Noisy-OR of positive phenotype annotations up the ontology, the set of NOT-annotated
    terms, and the unpropagated (direct) probabilities. Obsolete ids resolve to replacements."""
    present: dict[int, float] = {}
    direct: dict[int, float] = {}
    negated: set[int] = set()
    for a in annotations:
        if a.aspect != "P":
            continue
        term_id = a.hpo_id
        if term_id not in index_terms:
            resolution = kb.resolve_term(term_id)
            if resolution is None or resolution.term.id not in index_terms:
                continue
            term_id = resolution.term.id
        if a.negated or a.frequency == 0.0:
            negated.add(index_terms[term_id])
            continue
        f = (
            params.default_frequency
            if a.frequency is None
            else max(a.frequency, params.min_frequency)
        )
        own = index_terms[term_id]
        direct[own] = 1.0 - (1.0 - direct.get(own, 0.0)) * (1.0 - f)
        for anc in ancestors[term_id]:
            i = index_terms[anc]
            present[i] = 1.0 - (1.0 - present.get(i, 0.0)) * (1.0 - f)
    return present, negated, direct


def build_index(kb: KnowledgeBase, params: BuildParams | None = None) -> DiagnosisIndex:
    params = params or BuildParams()
    started = time.perf_counter()
    terms = [
        t.id
        for t in kb.ontology.terms.values()
        if not t.obsolete and kb.ontology.is_phenotypic(t.id)
    ]
    term_index = {t: i for i, t in enumerate(terms)}
    ancestors = {t: [a for a in informative_ancestors(kb, t) if a in term_index] for t in terms}
    anc_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    anc_list: list[int] = []
    for i, t in enumerate(terms):
        anc_list.extend(term_index[a] for a in ancestors[t])
        anc_ptr[i + 1] = len(anc_list)
    anc_idx = np.asarray(anc_list, dtype=np.int32)
    below: list[list[int]] = [[] for _ in terms]
    for i in range(len(terms)):
        for a in anc_idx[anc_ptr[i] : anc_ptr[i + 1]]:
            below[int(a)].append(i)
    desc_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    desc_ptr[1:] = np.cumsum([len(b) for b in below])
    desc_idx = np.asarray([i for b in below for i in b], dtype=np.int32)

    pairs = _candidates(kb, params)
    series = phenotypic_series([c.name if c.source == "OMIM" else "" for c, _ in pairs])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    d_rows: list[int] = []
    d_cols: list[int] = []
    d_vals: list[float] = []
    counts: list[int] = []
    not_rows: list[int] = []
    not_cols: list[int] = []
    candidates: list[Candidate] = []
    annotations: list[tuple[Annotation, ...]] = []
    for k, (candidate, anns) in enumerate(pairs):
        borrowed = series_annotations(anns, [pairs[s][1] for s in series[k]], params)
        present, negated, direct = propagate(anns + borrowed, term_index, ancestors, params, kb)
        for i, p in present.items():
            rows.append(k)
            cols.append(i)
            vals.append(p)
        for i, p in direct.items():
            d_rows.append(k)
            d_cols.append(i)
            d_vals.append(p)
        counts.append(len(direct))
        # a NOT annotation excludes the term and everything below it
        for i in negated:
            for j in _descendants(kb, terms[i], term_index):
                not_rows.append(k)
                not_cols.append(j)
        candidate.onset, candidate.x_linked = onset_and_inheritance(kb, candidate.codes, anns)
        candidates.append(candidate)
        annotations.append(tuple(a for a in anns if a.aspect in ("P", "C")))
    shape = (len(candidates), len(terms))
    matrix = sparse.csc_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=shape)
    direct_matrix = sparse.csc_matrix(
        (np.asarray(d_vals, dtype=np.float32), (d_rows, d_cols)), shape=shape
    )
    not_matrix = sparse.csc_matrix(
        (np.ones(len(not_rows), dtype=np.float32), (not_rows, not_cols)), shape=shape
    )
    not_matrix.data[:] = 1.0  # duplicates summed by the constructor
    background = np.asarray(matrix.sum(axis=0)).ravel() / len(candidates)
    background = np.maximum(background, 0.5 / len(candidates)).astype(np.float32)
    code_index = {code: k for k, c in enumerate(candidates) for code in c.codes}
    index = DiagnosisIndex(
        knowledge_version=_kb_version(kb),
        build=params,
        terms=terms,
        term_index=term_index,
        candidates=candidates,
        code_index=code_index,
        matrix=matrix,
        direct=direct_matrix,
        background=background,
        annotation_counts=np.asarray(counts, dtype=np.float32),
        anc_ptr=anc_ptr,
        anc_idx=anc_idx,
        desc_ptr=desc_ptr,
        desc_idx=desc_idx,
        not_matrix=not_matrix,
        annotations=annotations,
        series=series,
    )
    log.info(
        "diagnosis index: %d candidates x %d terms in %.1f s",
        len(candidates),
        len(terms),
        time.perf_counter() - started,
    )
    return index


def _descendants(kb: KnowledgeBase, term_id: str, term_index: dict[str, int]) -> list[int]:
    return [term_index[t] for t in kb.ontology.descendants(term_id) if t in term_index]


def _kb_version(kb: KnowledgeBase) -> str:
    sources = kb.manifest["sources"]
    return f"HPO {sources['hpo']['version']}; Orphanet {sources['orphanet']['version']}"


def index_cache_key(kb: KnowledgeBase, params: BuildParams) -> str:
    digest = hashlib.sha256(json.dumps(kb.manifest["sha256"], sort_keys=True).encode())
    digest.update(json.dumps(asdict(params), sort_keys=True).encode())
    for module in ("index.py", "series.py"):  # the code that builds the index
        digest.update((Path(__file__).parent / module).read_bytes())
    return f"diagnosis-v{INDEX_FORMAT}-{digest.hexdigest()[:16]}.pickle"


def load_index(
    kb: KnowledgeBase, cache_dir: Path | None, params: BuildParams | None = None
) -> DiagnosisIndex:
    """The index from the on-disk cache when current, else built (and cached)."""
    params = params or BuildParams()
    path = cache_dir / index_cache_key(kb, params) if cache_dir is not None else None
    index = cachefile.read(path, DiagnosisIndex)
    if index is None:
        index = build_index(kb, params)
        cachefile.write(path, index)
    return index
