"""Jinja2 environment (autoescaped, gettext-enabled) and the one ``render`` helper."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rarecare import __version__, i18n
from rarecare.access import ROLE_LABELS
from rarecare.care.models import LEVEL_LABELS
from rarecare.guidelines.models import GUIDELINE_STATUS_LABELS
from rarecare.i18n import N_
from rarecare.knowledge import SOURCES
from rarecare.lists.models import STATUS_LABELS
from rarecare.registry.models import DIAGNOSTIC_STATUS_LABELS, VITAL_STATUS_LABELS
from rarecare.web.security import CSRF_FIELD, csrf_token_for

NAV: tuple[tuple[str, str, str], ...] = (
    # (path, label msgid, module key); labels are translated in the template
    ("/catalogue", N_("Catalogue"), "catalogue"),
    ("/diagnosis", N_("Diagnosis"), "diagnosis"),
    ("/registry", N_("Registry"), "registry"),
    ("/care", N_("Care"), "care"),
    ("/finance", N_("Finance"), "finance"),
    ("/monitoring", N_("Monitoring"), "monitoring"),
    ("/public", N_("Public portal"), "public"),
)


LABELS: dict[str, str] = {
    **ROLE_LABELS,
    **LEVEL_LABELS,
    **STATUS_LABELS,
    **GUIDELINE_STATUS_LABELS,
    **DIAGNOSTIC_STATUS_LABELS,
    **VITAL_STATUS_LABELS,
}


def label(value: object) -> str:
    """The translated label of an enumerated value (role, centre level, ...)."""
    key = getattr(value, "value", value)
    return i18n.gettext(LABELS.get(str(key), str(key)))


def make_environment() -> Environment:
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
        nav=NAV,
        locales=i18n.LOCALE_NAMES,
        csrf_field=CSRF_FIELD,
        label=label,
    )
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    principal = getattr(request.state, "principal", None)
    html = env.get_template(template).render(
        request=request,
        principal=principal,
        locale=i18n.current_locale.get(),
        csrf_token=csrf_token_for(request),
        path=request.url.path,
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)
