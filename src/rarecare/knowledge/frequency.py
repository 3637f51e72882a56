"""Annotation frequencies: HPO frequency terms, Orphanet classes, "n/m" and percentages."""

from __future__ import annotations

import re

# HPO frequency sub-ontology (HP:0040279) with the midpoints of their ranges.
HPO_FREQUENCY_TERMS: dict[str, tuple[float, str]] = {
    "HP:0040280": (1.0, "Obligate (100%)"),
    "HP:0040281": (0.895, "Very frequent (80-99%)"),
    "HP:0040282": (0.545, "Frequent (30-79%)"),
    "HP:0040283": (0.17, "Occasional (5-29%)"),
    "HP:0040284": (0.025, "Very rare (1-4%)"),
    "HP:0040285": (0.0, "Excluded (0%)"),
}
_ORPHANET_CLASSES = {
    "obligate": "HP:0040280",
    "very frequent": "HP:0040281",
    "frequent": "HP:0040282",
    "occasional": "HP:0040283",
    "very rare": "HP:0040284",
    "excluded": "HP:0040285",
}
_RATIO = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def parse_frequency(value: str) -> float | None:
    """A probability in [0, 1], or None when the source gives no frequency."""
    value = value.strip()
    if not value:
        return None
    if value in HPO_FREQUENCY_TERMS:
        return HPO_FREQUENCY_TERMS[value][0]
    match = _RATIO.match(value)
    if match:
        n, m = int(match.group(1)), int(match.group(2))
        return min(1.0, n / m) if m else None
    match = _PERCENT.match(value)
    if match:
        return min(1.0, float(match.group(1)) / 100)
    lowered = value.lower().split("(")[0].strip()
    if lowered in _ORPHANET_CLASSES:
        return HPO_FREQUENCY_TERMS[_ORPHANET_CLASSES[lowered]][0]
    return None


def frequency_label(value: str) -> str:
    value = value.strip()
    if value in HPO_FREQUENCY_TERMS:
        return HPO_FREQUENCY_TERMS[value][1]
    return value
