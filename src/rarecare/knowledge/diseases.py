"""Disease domain objects: ORPHA, OMIM and DECIPHER entries with annotations and cross-links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Annotation(NamedTuple):
    """One HPO annotation of a disease (a line of ``phenotype.hpoa``)."""

    hpo_id: str
    frequency: float | None  # probability, None when not stated
    frequency_raw: str
    onset: str  # HPO onset term id or ""
    sex: str  # "MALE", "FEMALE" or ""
    negated: bool  # a NOT annotation: the feature is absent in this disease
    references: tuple[str, ...]
    aspect: str  # P phenotype, I inheritance, C onset/course, M modifier, H past history


class Xref(NamedTuple):
    """A link to another code with its relation (exact, narrower, broader, derived, undecided)
    and where it comes from."""

    code: str
    relation: str
    provenance: str


class Gene(NamedTuple):
    symbol: str
    name: str
    hgnc: str
    association: str


class Prevalence(NamedTuple):
    kind: str
    klass: str
    geographic: str
    source: str


@dataclass(slots=True)
class Disease:
    code: str  # "ORPHA:365", "OMIM:232300", "DECIPHER:1"
    name: str
    synonyms: tuple[str, ...] = ()
    definition: str = ""
    disorder_type: str = ""  # Orphanet: Disease, Malformation syndrome, Clinical subtype, ...
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    genes: tuple[Gene, ...] = ()
    equivalents: tuple[Xref, ...] = ()  # OMIM <-> ORPHA links
    icd10: tuple[Xref, ...] = ()
    icd11: tuple[Xref, ...] = ()
    onset: tuple[str, ...] = ()
    inheritance: tuple[str, ...] = ()
    prevalence: tuple[Prevalence, ...] = ()
    annotations: tuple[Annotation, ...] = field(default=())
    # HPO features named in the disease's name or (Orphanet) definition, not curated annotations
    # (``knowledge.textmine``); references are ("name",) or ("definition",)
    derived: tuple[Annotation, ...] = ()

    @property
    def source(self) -> str:
        return self.code.split(":", 1)[0]

    @property
    def number(self) -> str:
        return self.code.split(":", 1)[1]

    @property
    def phenotypes(self) -> tuple[Annotation, ...]:
        return tuple(a for a in self.annotations if a.aspect == "P")

    @property
    def provisional(self) -> bool:
        """Known only by name (an OMIM entry HPO does not annotate yet, named by Mondo)."""
        return not self.annotations and self.source == "OMIM"

    def exact_equivalents(self) -> list[str]:
        return [x.code for x in self.equivalents if x.relation == "exact"]

    @property
    def is_group(self) -> bool:
        return self.disorder_type in ("Category", "Clinical group")
