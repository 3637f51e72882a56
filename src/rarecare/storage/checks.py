"""The one check of every value written through the ORM: a text longer than its column, or one
carrying a NUL or another control character, is refused as ``ValidationFailed`` naming the
field, on SQLite (which would store it) and PostgreSQL (which would fail with a raw error)
alike, before anything is sent."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import _

# C0 controls but tab, line feed and carriage return; DEL
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """What is wrong with a text value, or None."""
    if max_length is not None and len(value) > max_length:
        return _("at most %(n)d characters") % {"n": max_length}
    if CONTROL.search(value):
        return _("contains a control character (such as NUL); remove it")
    return None


def _problems(obj: Any) -> list[FieldError]:
    problems = []
    mapper = inspect(obj).mapper
    for column in mapper.columns:
        if not isinstance(column.type, String):
            continue
        value = getattr(obj, mapper.get_property_by_column(column).key, None)
        if isinstance(value, str):
            problem = text_problem(value, column.type.length)
            if problem:
                problems.append(FieldError(column.key, problem))
    return problems


@event.listens_for(Session, "before_flush")
def _check_text(session: Session, _context: object, _instances: object) -> None:
    problems = [p for obj in (*session.new, *session.dirty) for p in _problems(obj)]
    if problems:
        raise ValidationFailed(_("Invalid input."), problems)
