"""The Human Phenotype Ontology as plain domain objects (terms, graph, id resolution)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from rarecare.i18n import N_, gettext

PHENOTYPIC_ABNORMALITY = "HP:0000118"
ROOT = "HP:0000001"
# HPO onset classes (Onset, HP:0003674) as a representative age in years; negative: antenatal
ONSET_CLASS_YEARS = {
    "HP:0030674": -0.5,
    "HP:0011460": -0.5,
    "HP:0011461": -0.3,
    "HP:0034199": -0.3,
    "HP:0003577": 0.0,
    "HP:0003623": 0.02,
    "HP:0003593": 0.5,
    "HP:0011463": 3.0,
    "HP:0410280": 8.0,
    "HP:0003621": 10.0,
    "HP:0003581": 30.0,
    "HP:0011462": 25.0,
    "HP:0003596": 50.0,
    "HP:0003584": 65.0,
}
# Branches that are not phenotypic features: inheritance, onset, frequency, modifiers, ...
NON_FEATURE_BRANCHES = {
    "HP:0000005": "mode of inheritance",
    "HP:0012823": "clinical modifier",
    "HP:0040279": "frequency",
    "HP:0031797": "clinical course",
    "HP:0032443": "past medical history",
    "HP:0032223": "blood group",
}


@dataclass(frozen=True, slots=True)
class HpoTerm:
    id: str
    name: str
    definition: str = ""
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: str | None = None
    consider: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving an id: the current term and, if the id was old, a warning."""

    term: HpoTerm
    warning: str | None = None


@dataclass
class Ontology:
    version: str
    terms: dict[str, HpoTerm]
    _alt: dict[str, str] = field(default_factory=dict)
    _children: dict[str, list[str]] = field(default_factory=dict)
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for term in self.terms.values():
            for alt in term.alt_ids:
                self._alt[alt] = term.id
            for parent in term.parents:
                self._children.setdefault(parent, []).append(term.id)

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms or term_id in self._alt

    def __len__(self) -> int:
        return len(self.terms)

    @cached_property
    def current_count(self) -> int:
        return sum(1 for t in self.terms.values() if not t.obsolete)

    def get(self, term_id: str) -> HpoTerm | None:
        return self.terms.get(term_id) or self.terms.get(self._alt.get(term_id, ""))

    def resolve(self, term_id: str) -> Resolution | None:
        """The current term for ``term_id``: alternate ids and obsolete terms with a replacement
        resolve with a warning; unknown ids (and obsolete ones without replacement) give None."""
        term_id = term_id.strip().upper().replace("HP_", "HP:")
        if term_id in self._alt:
            current = self.terms[self._alt[term_id]]
            return Resolution(
                current,
                gettext(N_("%(old)s is an alternate id of %(id)s (%(name)s)"))
                % {"old": term_id, "id": current.id, "name": current.name},
            )
        term = self.terms.get(term_id)
        if term is None:
            return None
        if term.obsolete:
            if term.replaced_by and term.replaced_by in self.terms:
                current = self.terms[term.replaced_by]
                return Resolution(
                    current,
                    gettext(N_("%(old)s is obsolete; replaced by %(id)s (%(name)s)"))
                    % {"old": term_id, "id": current.id, "name": current.name},
                )
            return None
        return Resolution(term)

    def children(self, term_id: str) -> list[str]:
        return self._children.get(term_id, [])

    def ancestors(self, term_id: str) -> frozenset[str]:
        """All ancestors of ``term_id``, itself included (cached)."""
        cached = self._ancestors.get(term_id)
        if cached is not None:
            return cached
        term = self.terms.get(term_id)
        result: set[str] = {term_id}
        if term is not None:
            for parent in term.parents:
                result |= self.ancestors(parent)
        frozen = frozenset(result)
        self._ancestors[term_id] = frozen
        return frozen

    def descendants(self, term_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [term_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self._children.get(current, []))
        return seen

    def is_phenotypic(self, term_id: str) -> bool:
        return (
            PHENOTYPIC_ABNORMALITY in self.ancestors(term_id) and term_id != PHENOTYPIC_ABNORMALITY
        )

    def branch_of(self, term_id: str) -> str | None:
        """The name of the non-feature branch a term lies in (inheritance, onset, ...), if any."""
        ancestors = self.ancestors(term_id)
        for branch, name in NON_FEATURE_BRANCHES.items():
            if branch in ancestors:
                return name
        return None

    def path_to_root(self, term_id: str) -> list[str]:
        """One path from the root to the term (first parents), for display."""
        path = [term_id]
        current = self.terms.get(term_id)
        while current is not None and current.parents:
            path.append(current.parents[0])
            current = self.terms.get(current.parents[0])
        return list(reversed(path))


@dataclass(frozen=True, slots=True)
class VietnameseLabel:
    """RareCare's own Vietnamese name of an HPO term, with lay synonyms (what families say) and
    whether a clinician has reviewed it."""

    label: str
    synonyms: tuple[str, ...] = ()
    status: str = "draft"  # draft | reviewed
