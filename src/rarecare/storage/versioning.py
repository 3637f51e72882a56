"""Optimistic locking, the one way: an editable record carries a version (the ORM checks and
bumps it on every UPDATE), and a save made from an older version is refused with what changed
since, instead of silently undoing a colleague's change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rarecare.errors import Conflict, FieldError
from rarecare.i18n import N_, _


def check_version(
    record: object,
    submitted: int | None,
    changes: Mapping[str, Any],
    *,
    attribute: str = "version",
) -> None:
    """Refuse (409) a save made from ``submitted`` when the record is at another version,
    naming each field whose current value differs from the one submitted. ``None``: the client
    did not say which version it edited (the last save wins). ``attribute``: the record's lock
    column (a guideline's ``version`` is its edition, its lock ``row_version``)."""
    current: int = getattr(record, attribute)
    if submitted is None or submitted == current:
        return
    changed = [
        FieldError(name, N_("now %(value)s"), params={"value": _shown(getattr(record, name, None))})
        for name, value in changes.items()
        if _shown(getattr(record, name, None)) != _shown(value)
    ]
    updated = getattr(record, "updated_at", None)
    raise Conflict(
        _(
            "This record was changed by someone else since you opened it (version "
            "%(yours)d, now %(now)d, at %(at)s). Review the changes and save again."
        )
        % {
            "yours": submitted,
            "now": current,
            "at": f"{updated:%d/%m/%Y %H:%M}" if updated else "–",
        },
        changed,
    )


def _shown(value: object) -> object:
    return getattr(value, "value", value)
