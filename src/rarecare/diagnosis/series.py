"""Phenotypic series: a sparsely annotated disease borrows the mean phenotype of the other
members of its series (OMIM's numbered entries of one name: "Loeys-Dietz syndrome 1 … 5"),
weighted by how little its own annotation says."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from rarecare.knowledge import Annotation

if TYPE_CHECKING:
    from rarecare.diagnosis.index import BuildParams

_DESIGNATOR = re.compile(r"^(.*?)(?:,?\s+(?:type\s+)?(?:\d+[a-z]*|[ivx]+[a-z]?)\b)")


def series_stem(name: str) -> str | None:
    """The name of the phenotypic series a disease name belongs to ("Loeys-Dietz syndrome 5",
    "Nephrotic syndrome, type 5, with ..." → "loeys-dietz syndrome", "nephrotic syndrome"), or
    None for a name without a series number."""
    match = _DESIGNATOR.match(name.lower())
    return match.group(1).strip(" ,") or None if match else None


def phenotypic_series(names: list[str]) -> list[tuple[int, ...]]:
    """For each name, the positions of the other names of its series."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        stem = series_stem(name) if name else None
        if stem:
            groups[stem].append(i)
    out: list[tuple[int, ...]] = [() for _ in names]
    for members in groups.values():
        if len(members) > 1:
            for i in members:
                out[i] = tuple(m for m in members if m != i)
    return out


def series_annotations(
    own: list[Annotation] | tuple[Annotation, ...],
    siblings: list[list[Annotation]] | list[tuple[Annotation, ...]],
    params: BuildParams,
) -> list[Annotation]:
    """The series' mean phenotype, weighted by how sparse the disease's own phenotype is."""
    if not params.series_weight or not siblings:
        return []
    n = len({a.hpo_id for a in own if a.aspect == "P" and not a.negated})
    weight = params.series_weight * (1.0 - n / params.series_size)
    if weight <= 0:
        return []
    total: dict[str, float] = defaultdict(float)
    for anns in siblings:
        best: dict[str, float] = {}
        for a in anns:
            if a.aspect != "P" or a.negated:
                continue
            f = params.default_frequency if a.frequency is None else a.frequency
            best[a.hpo_id] = max(best.get(a.hpo_id, 0.0), f)
        for t, f in best.items():
            total[t] += f
    return [
        Annotation(t, min(1.0, weight * f / len(siblings)), "", "", "", False, ("series",), "P")
        for t, f in sorted(total.items())
        if f > 0
    ]
