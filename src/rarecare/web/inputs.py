"""The one input guard every request passes (an app-wide dependency): a query parameter, form
field or JSON string that carries a NUL or another control character, or is longer than any
field RareCare has, is refused with a 422 naming the field before a route sees it."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import Request

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import _
from rarecare.storage.checks import text_problem

MAX_TEXT = 20_000  # characters: longer than any text field (guideline notes, summaries)
JSON_TYPES = ("application/json", "application/fhir+json")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _walk(value: Any, path: str, problems: list[FieldError]) -> None:
    if isinstance(value, str):
        problem = text_problem(value, MAX_TEXT)
        if problem:
            problems.append(FieldError(path or "body", problem))
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else str(key), problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}.{i}" if path else str(i), problems)


async def guard_input(request: Request) -> None:
    problems: list[FieldError] = []
    for key, param in request.query_params.multi_items():
        _walk(param, key, problems)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if content_type in JSON_TYPES:
            body = await request.body()
            # not JSON: the route's own parsing names the problem
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                _walk(json.loads(body) if body else None, "", problems)
        elif content_type in FORM_TYPES:
            form = await request.form()
            for key, value in form.multi_items():
                if isinstance(value, str):
                    _walk(value, key, problems)
    if problems:
        raise ValidationFailed(_("Invalid input."), problems)
