"""ORPHAcodes typed into a network form (suspected diseases, a test's diseases, a screening
programme's diseases): normalised, each once, and a field error for each that is none."""

from __future__ import annotations

from collections.abc import Sequence

from rarecare.errors import FieldError
from rarecare.i18n import N_
from rarecare.knowledge import KnowledgeBase, normalise_orpha


def orpha_codes(
    kb: KnowledgeBase, codes: Sequence[str], *, field: str
) -> tuple[list[str], list[FieldError]]:
    """(the known ORPHAcodes in order, each once; a problem per code that is not one)."""
    found: list[str] = []
    problems: list[FieldError] = []
    for code in codes:
        orpha = normalise_orpha(code)
        if orpha is None or kb.disease(orpha) is None:
            problems.append(
                FieldError(field, N_("%(code)s is not an ORPHAcode"), params={"code": code})
            )
        elif orpha not in found:
            found.append(orpha)
    return found, problems
