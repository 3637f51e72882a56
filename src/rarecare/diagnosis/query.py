"""Checking a diagnosis query: unknown ids are refused by name, old ids are replaced with a
warning, terms outside the phenotypic-abnormality branch are refused, redundant terms dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from rarecare.diagnosis.index import DiagnosisIndex
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _, gettext
from rarecare.interop.phenopackets import iso_years
from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.hpo import ONSET_CLASS_YEARS, Ontology

# "undetermined" is the registry's and the phenopacket reader's word; "other" is accepted too
SEXES = ("female", "male", "undetermined", "other", "unknown")


# a term of another HPO branch than phenotypic abnormality, by branch (what to do instead)
NOT_PHENOTYPIC: dict[str, str] = {
    "clinical course": N_(
        "%(term)s (%(name)s) is a clinical course term, not a phenotypic feature: give the age "
        "at onset instead"
    ),
    "mode of inheritance": N_(
        "%(term)s (%(name)s) is a mode of inheritance, not a phenotypic feature: leave it out"
    ),
    "": N_(
        "%(term)s (%(name)s) is outside the phenotypic abnormality branch, not a phenotypic "
        "feature: leave it out"
    ),
}


def onset_years(value: str | float | None) -> float | None:
    """An age at onset in years from a number, an ISO 8601 duration (P2Y6M) or an HPO onset
    class (HP:0003593 infantile onset)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    if text.upper().startswith("HP:"):
        if text.upper() not in ONSET_CLASS_YEARS:
            raise ValidationFailed(
                _("The query cannot be ranked."),
                [
                    FieldError(
                        "onset", N_("%(text)s is not an HPO onset class"), params={"text": text}
                    )
                ],
            )
        return ONSET_CLASS_YEARS[text.upper()]
    if text.upper().startswith("P"):
        years = iso_years(text.upper())
        if years is None:
            raise ValidationFailed(
                _("The query cannot be ranked."),
                [
                    FieldError(
                        "onset",
                        N_("%(text)s is not an ISO 8601 duration such as P2Y6M"),
                        params={"text": text},
                    )
                ],
            )
        return years
    try:
        return float(text)
    except ValueError:
        raise ValidationFailed(
            _("The query cannot be ranked."),
            [
                FieldError(
                    "onset",
                    N_("%(text)s: expected years, an ISO 8601 duration (P2Y6M) or an HPO onset id"),
                    params={"text": text},
                )
            ],
        ) from None


@dataclass(frozen=True)
class Query:
    observed: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    sex: str | None = None  # female | male | undetermined (or other) | unknown
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
                message = NOT_PHENOTYPIC.get(branch or "", NOT_PHENOTYPIC[""])
                errors.append(
                    FieldError(
                        field_name,
                        message,
                        params={"term": current, "name": resolution.term.name},
                    )
                )
                continue
            if current not in resolved[field_name]:
                resolved[field_name].append(current)
        if unknown:
            errors.append(
                FieldError(
                    field_name, N_("unknown HPO ids: %(ids)s"), params={"ids": ", ".join(unknown)}
                )
            )
    both = set(resolved["observed"]) & set(resolved["excluded"])
    if both:
        errors.append(
            FieldError(
                "excluded",
                N_("observed and excluded at once: %(ids)s"),
                params={"ids": ", ".join(sorted(both))},
            )
        )
    if not resolved["observed"] and not errors:
        errors.append(FieldError("observed", N_("give at least one observed HPO term")))
    if query.sex is not None and query.sex not in SEXES:
        errors.append(
            FieldError(
                "sex", N_("expected one of: %(expected)s"), params={"expected": ", ".join(SEXES)}
            )
        )
    if query.onset_years is not None and not -1.0 <= query.onset_years <= 120:
        errors.append(
            FieldError("onset", N_("expected an age in years from -1 (antenatal) to 120"))
        )
    if errors:
        raise ValidationFailed(gettext(N_(_("The query cannot be ranked."))), errors)

    ontology = kb.ontology
    observed = resolved["observed"]
    # an observed term that is an ancestor of another observed term adds nothing
    above_observed = _strict_ancestors(ontology, observed)
    kept = [t for t in observed if t not in above_observed]
    excluded = resolved["excluded"]
    # excluding a term excludes everything below it
    chosen = set(excluded)
    kept_ex = [t for t in excluded if not (chosen & (ontology.ancestors(t) - {t}))]
    return CheckedQuery(
        observed=[index.term_index[t] for t in kept],
        excluded=[index.term_index[t] for t in kept_ex],
        sex=query.sex,
        onset_years=query.onset_years,
        observed_ids=kept,
        excluded_ids=kept_ex,
        warnings=warnings,
    )


def _strict_ancestors(ontology: Ontology, terms: list[str]) -> set[str]:
    """Every proper ancestor of any of the terms."""
    out: set[str] = set()
    for t in terms:
        out.update(a for a in ontology.ancestors(t) if a != t)
    return out
