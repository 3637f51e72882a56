"""The one input guard every request passes (an app-wide dependency): a query parameter, form
field or JSON string that carries a NUL or another control character, or is longer than any
field RareCare has, and a whole number beyond what the database stores, is refused with a 422
naming the field before a route sees it."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from fastapi import Request

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import _
from rarecare.storage.checks import text_problem

MAX_TEXT = 20_000  # characters: longer than any text field (guideline notes, summaries)
JSON_TYPES = ("application/json", "application/fhir+json")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


INT_PARAM = 2**31 - 1  # ids and counts in paths and queries are 32-bit integers
INT_BODY = 2**63 - 1  # whole numbers in bodies fit 64 bits (amounts in VND among them)
_WHOLE = re.compile(r"^[+-]?\d+$")


def _out_of_range(path: str, problems: list[FieldError]) -> None:
    problems.append(FieldError(path or "body", _("number out of range")))


def _walk(value: Any, path: str, problems: list[FieldError]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > INT_BODY:
            _out_of_range(path, problems)
    elif isinstance(value, str):
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
    params = [*request.query_params.multi_items(), *request.path_params.items()]
    for key, param in params:
        _walk(param, key, problems)
        if isinstance(param, str) and _WHOLE.match(param) and abs(int(param)) > INT_PARAM:
            _out_of_range(key, problems)
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
