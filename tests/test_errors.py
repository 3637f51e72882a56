from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from rarecare import i18n
from rarecare.errors import FieldError, field_errors
from rarecare.i18n import N_
from rarecare.web.templating import show_problem


@pytest.fixture
def vietnamese() -> Iterator[None]:
    token = i18n.current_locale.set("vi")
    yield
    i18n.current_locale.reset(token)


BEFORE_BIRTH = FieldError(
    "death_date", N_("%(day)s is before the date of birth"), row=3, params={"day": date(2020, 1, 2)}
)


def test_a_field_error_reads_in_english_with_iso_dates() -> None:
    assert (
        str(BEFORE_BIRTH)
        == "row 3, death_date (Date of death): 2020-01-02 is before the date of birth"
    )


def test_a_field_error_reads_in_vietnamese_with_vietnamese_dates(vietnamese: None) -> None:
    assert str(BEFORE_BIRTH) == "dòng 3, death_date (Ngày mất): 02/01/2020 trước ngày sinh"


def test_decimals_take_the_readers_separator(vietnamese: None) -> None:
    error = FieldError("weight_kg", N_("must be at least %(ge)s"), params={"ge": 1.5})
    assert error.text == "phải ít nhất 1,5"


class _Form(BaseModel):
    name: str = Field(min_length=3)
    born: date


def test_pydantic_errors_are_translated_by_type(vietnamese: None) -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"name": "ab"})
    texts = {e.field: e.text for e in field_errors(caught.value.errors())}
    assert texts == {"name": "ít nhất 3 ký tự", "born": "bắt buộc"}


def test_a_stored_problem_is_shown_later_in_the_readers_language(vietnamese: None) -> None:
    stored = BEFORE_BIRTH.as_dict()  # a job's result, JSON
    assert show_problem(stored) == "dòng 3, death_date (Ngày mất): 02/01/2020 trước ngày sinh"
    assert show_problem("an older job's plain text") == "an older job's plain text"


ERRORS = {
    "ValidationFailed",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RareCareError",
    "NotAuthenticated",
    "NeedsConfirmation",
}
# the operator's tools speak English (the command line, backups)
OPERATOR_ONLY = ("cli.py", "clikit.py", "backup.py")


def _is_text(node: ast.expr) -> bool:
    """A message written in place: a string, an f-string, or one joined to something."""
    if isinstance(node, ast.BinOp):
        return _is_text(node.left)
    return isinstance(node, ast.Constant | ast.JoinedStr) and not (
        isinstance(node, ast.Constant) and not isinstance(node.value, str)
    )


def test_every_error_message_a_user_can_see_is_translated() -> None:
    """An error raised with a message written in place reaches the user in English: messages
    go through the catalogue (``_()`` or a ``FieldError`` with an ``N_`` message)."""
    found = []
    for path in sorted((Path(__file__).parents[1] / "src" / "rarecare").rglob("*.py")):
        if path.name in OPERATOR_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ERRORS and node.args and _is_text(node.args[0]):
                found.append(f"{path.name}:{node.lineno}")
            if name == "FieldError" and len(node.args) > 1 and _is_text(node.args[1]):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
