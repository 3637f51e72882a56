"""Approved outputs: when a national list version, a guideline or a set of coverage rules is
approved, the packages that produced it say so here, and whoever listens (the action plan,
whose activities name the output they must produce) acts in the same transaction. The producer
knows nothing of its listeners, so the arrows keep pointing one way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Protocol

from sqlalchemy.orm import Session

from rarecare.i18n import N_


class OutputKind(StrEnum):
    DISEASE_LIST = "disease_list"
    DRUG_LIST = "drug_list"
    GUIDELINE = "guideline"
    COVERAGE_RULES = "coverage_rules"


OUTPUT_LABELS: dict[str, str] = {
    OutputKind.DISEASE_LIST: N_("National rare disease list version"),
    OutputKind.DRUG_LIST: N_("Rare drug list version"),
    OutputKind.GUIDELINE: N_("Guideline"),
    OutputKind.COVERAGE_RULES: N_("Coverage rules"),
}

# where each kind of output is seen in the web app
OUTPUT_PATHS: dict[str, str] = {
    OutputKind.DISEASE_LIST: "/lists/versions/{ref}",
    OutputKind.DRUG_LIST: "/lists/versions/{ref}",
    OutputKind.GUIDELINE: "/guidelines",
    OutputKind.COVERAGE_RULES: "/finance",
}


class Listener(Protocol):
    def __call__(
        self, *, session: Session, kind: OutputKind, ref: int, on: date, by: str
    ) -> None: ...


_listeners: list[Callable[..., None]] = []


def on_approved(listener: Listener) -> None:
    """Call ``listener`` whenever an output is approved (once, however often registered)."""
    if listener not in _listeners:
        _listeners.append(listener)


def approved(*, session: Session, kind: OutputKind, ref: int, on: date, by: str) -> None:
    """An output was approved (in ``session``'s transaction)."""
    for listener in list(_listeners):
        listener(session=session, kind=kind, ref=ref, on=on, by=by)
