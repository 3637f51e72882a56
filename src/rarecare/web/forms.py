"""What HTML form handlers share: running a form's action so that bad input (a pydantic
validation error or any ``RareCareError``) comes back as the lines to show above the form,
with the status to answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

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


def submitted(
    session: Session,
    action: Callable[[], object],
    *,
    failed: Callable[[list[str], int], Response],
    done: str | Callable[[], str],
) -> Response:
    """What a page's form handler answers: it runs ``action``; on success a redirect (303) to
    ``done`` (a path, or a function giving it once the action ran); on bad input nothing is
    written (the session rolled back) and ``failed(lines, status)`` renders the page again with
    the errors."""
    error = attempt(action)
    if error is not None:
        session.rollback()
        return failed(error_lines(error), error.status_code)
    return RedirectResponse(done() if callable(done) else done, status_code=303)


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a posted form (a dependency: the route itself can then be a plain
    function that runs in the thread pool, off the event loop)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(form_fields)]
