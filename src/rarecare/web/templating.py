"""Jinja2 environment (autoescaped, gettext-enabled) and the one ``render`` helper."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from babel.numbers import format_currency, format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rarecare import __version__, i18n
from rarecare.errors import FieldError
from rarecare.i18n import N_
from rarecare.knowledge import SOURCES
from rarecare.web.deps import principal_of
from rarecare.web.security import CSRF_FIELD, csrf_token_for
from rarecare.web.site import Section


def make_label(labels: dict[str, str]) -> Callable[[object], str]:
    """The template function giving the translated label of an enumerated value (role, centre
    level, list status, ...) from the labels the features handed up."""

    def label(value: object) -> str:
        key = getattr(value, "value", value)
        return i18n.gettext(labels.get(str(key), str(key)))

    return label


def make_environment(sections: tuple[Section, ...], labels: dict[str, str]) -> Environment:
    templates_dir = str(resources.files("rarecare.web") / "templates")
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(
        version=__version__,
        sources=SOURCES,
        nav=sections,
        # whether a section's pages open for the principal (links to it are shown or not)
        section_open=lambda key, principal: any(
            s.key == key and s.open_to(principal) for s in sections
        ),
        locales=i18n.LOCALE_NAMES,
        csrf_field=CSRF_FIELD,
        label=make_label(labels),
    )
    env.filters.update(
        day=i18n.format_day,
        number=format_number,
        decimal=i18n.format_quantity,
        published=format_published,
        chance=format_chance,
        vocab=translate_value,
        place=i18n.place_name,
        problem=show_problem,
        money=format_money,
    )
    return env


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number in the reader's language (Vietnamese: "1.234.567,5")."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.current_locale.get())


def format_published(value: str | None, digits: int = 2) -> str:
    """A published figure as the reader writes numbers ("0,13", "1.234"); what is not a number
    ("<5", "x" for a hidden cell, "") as it is."""
    if not value:
        return value or ""
    try:
        number = float(value)
    except ValueError:
        return value
    return i18n.format_quantity(number, digits)


# large sums in words, as Vietnamese budgets write them ("55,7 tỷ đồng")
_SCALES = ((1e9, N_("%(n)s billion VND")), (1e6, N_("%(n)s million VND")))


def format_money(value: float | int | None, short: bool = False) -> str:
    """An amount of đồng in the reader's language: "55.703.732.500 ₫"; ``short``: "55,7 tỷ
    đồng" (one decimal, in billions or millions)."""
    if value is None:
        return ""
    locale = i18n.current_locale.get()
    if short:
        for scale, words in _SCALES:
            if abs(value) >= scale:
                return i18n.gettext(words) % {"n": format_number(value / scale, 1)}
    return format_currency(round(value), "VND", locale=locale)


def format_chance(probability: float) -> str:
    """A post-test probability as a percentage in the reader's language, never rounded to a
    certainty the evidence does not give: "<0,1%" and ">99,9%" instead of 0 and 100."""
    percent = probability * 100
    if percent < 0.1:
        return "<" + format_number(0.1, 1) + "%"
    if percent > 99.9:
        return ">" + format_number(99.9, 1) + "%"
    return format_number(percent, 1) + "%"


def show_problem(problem: object) -> str:
    """A stored problem (a job's: a field error as a dict, or older plain text) in the
    reader's language."""
    if isinstance(problem, dict):
        return str(FieldError.from_dict(problem))
    return str(problem)


def translate_value(value: str) -> str:
    """A value of a controlled vocabulary in the reader's language (as it is when unknown);
    no %-formatting, so "Frequent (30-79%)" stays as written."""
    return i18n.gettext(value) if value else value


def is_partial(request: Request) -> bool:
    """Whether htmx asked for a fragment (to swap into the page) rather than a whole page."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    principal = principal_of(request)
    html = env.get_template(template).render(
        request=request,
        principal=principal,
        locale=i18n.current_locale.get(),
        csrf_token=csrf_token_for(request),
        path=request.url.path,
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)
