"""Checking a diagnosis query: unknown ids are refused by name, old ids are replaced with a
warning, terms outside the phenotypic-abnormality branch are refused, redundant terms dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from rarecare.diagnosis.model import DiagnosisIndex
from rarecare.errors import FieldError, ValidationFailed
from rarecare.knowledge import KnowledgeBase

SEXES = ("female", "male", "other", "unknown")


@dataclass(frozen=True)
class Query:
    observed: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    sex: str | None = None  # female | male | other | unknown
    onset_years: float | None = None  # age at onset; negative = antenatal


@dataclass
class CheckedQuery:
    observed: list[int]  # term indices, redundant ancestors removed
    excluded: list[int]
    sex: str | None
    onset_years: float | None
    observed_ids: list[str] = field(default_factory=list)
    excluded_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check(query: Query, kb: KnowledgeBase, index: DiagnosisIndex) -> CheckedQuery:
    errors: list[FieldError] = []
    warnings: list[str] = []
    resolved: dict[str, list[str]] = {"observed": [], "excluded": []}
    for field_name, ids in (("observed", query.observed), ("excluded", query.excluded)):
        unknown = []
        for raw in ids:
            term_id = raw.strip()
            if not term_id:
                continue
            resolution = kb.resolve_term(term_id)
            if resolution is None:
                unknown.append(term_id)
                continue
            if resolution.warning:
                warnings.append(resolution.warning)
            current = resolution.term.id
            branch = kb.ontology.branch_of(current)
            if current not in index.term_index:
                what = branch or "not a phenotypic abnormality"
                errors.append(FieldError(field_name, f"{current} ({resolution.term.name}) is {what}, "
                                         "not a phenotypic feature; give it as sex or onset, or leave it out"))
                continue
            if current not in resolved[field_name]:
                resolved[field_name].append(current)
        if unknown:
            errors.append(FieldError(field_name, "unknown HPO ids: " + ", ".join(unknown)))
    both = set(resolved["observed"]) & set(resolved["excluded"])
    if both:
        errors.append(FieldError("excluded", "observed and excluded at once: " + ", ".join(sorted(both))))
    if not resolved["observed"] and not errors:
        errors.append(FieldError("observed", "give at least one observed HPO term"))
    if query.sex is not None and query.sex not in SEXES:
        errors.append(FieldError("sex", f"expected one of {', '.join(SEXES)}"))
    if query.onset_years is not None and not -1.0 <= query.onset_years <= 120:
        errors.append(FieldError("onset", "expected an age in years from -1 (antenatal) to 120"))
    if errors:
        raise ValidationFailed("The query cannot be ranked.", errors)

    ontology = kb.ontology
    observed = resolved["observed"]
    # an observed term that is an ancestor of another observed term adds nothing
    kept = [t for t in observed if not any(o != t and t in ontology.ancestors(o) for o in observed)]
    excluded = resolved["excluded"]
    # excluding a term excludes everything below it
    kept_ex = [t for t in excluded if not any(e != t and e in ontology.ancestors(t) for e in excluded)]
    return CheckedQuery(
        observed=[index.term_index[t] for t in kept], excluded=[index.term_index[t] for t in kept_ex],
        sex=query.sex, onset_years=query.onset_years, observed_ids=kept, excluded_ids=kept_ex,
        warnings=warnings,
    )
