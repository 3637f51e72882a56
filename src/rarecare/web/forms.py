"""What HTML form handlers share: running a form's action so that bad input (a pydantic
validation error or any ``RareCareError``) comes back as the lines to show above the form,
with the status to answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from rarecare.errors import RareCareError, ValidationFailed, field_errors
from rarecare.i18n import _


def error_lines(exc: RareCareError) -> list[str]:
    """The message and every detail (field, row), one line each."""
    return [exc.message, *map(str, exc.details)]


@contextmanager
def invalid_as(message: str) -> Iterator[None]:
    """Pydantic's validation errors raised inside as ``ValidationFailed(message)``, naming each
    field in the reader's language."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationFailed(message, field_errors(exc.errors())) from exc


def attempt(action: Callable[[], object]) -> RareCareError | None:
    """Run ``action``; the error it raised (pydantic errors as ``ValidationFailed`` naming each
    field), or None when it succeeded."""
    try:
        with invalid_as(_("Invalid input.")):
            action()
    except RareCareError as exc:
        return exc
    return None


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a posted form (a dependency: the route itself can then be a plain
    function that runs in the thread pool, off the event loop)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]
