"""Translations (Babel/gettext) without web dependencies.

Catalogues are the ``.po`` files under ``rarecare/web/locale``; they are compiled in memory at
first use, so no build step or binary file is needed. The current locale is a context variable
that the web layer sets per request (the CLI leaves the default, English source strings).
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib import resources

from babel import Locale
from babel.dates import format_date, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES: tuple[str, ...] = ("vi", "en")
LOCALE_NAMES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DOMAIN = "messages"

current_locale: ContextVar[str] = ContextVar("rarecare_locale", default="en")


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for ``locale`` (English is the source language)."""
    if locale not in LOCALES or locale == "en":
        return NullTranslations()
    po_path = resources.files("rarecare.web") / "locale" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


_ = gettext


def format_day(value: date | datetime | None) -> str:
    """A date in the current language (Vietnamese: "03/12/2026"; English: "3 Dec 2026")."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    locale = current_locale.get()
    return format_date(day, format="dd/MM/yyyy" if locale == "vi" else "d MMM yyyy", locale=locale)


def format_quantity(value: float | int | None, digits: int = 2) -> str:
    """A measured quantity with at most ``digits`` decimals and no trailing zeros, in the
    current language (Vietnamese: "12", "0,5", "1.234,25")."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_locale.get())


def weekday_name(day: date) -> str:
    """The day of the week in the current language ("Chủ Nhật", "Sunday")."""
    return str(get_day_names("wide", locale=current_locale.get())[day.weekday()])


# ISO 3166's official short names (as Orphanet writes them) where CLDR's English differs
_ISO_NAMES = {
    "Taiwan, Province of China": "TW",
    "Korea, Republic of": "KR",
    "Korea, Democratic People's Republic of": "KP",
    "Iran, Islamic Republic of": "IR",
    "Russian Federation": "RU",
    "Viet Nam": "VN",
    "Libyan Arab Jamahiriya": "LY",
    "Moldova, Republic of": "MD",
    "Palestinian Territory, occupied": "PS",
    "Tanzania, United Republic of": "TZ",
    "Brunei Darussalam": "BN",
    "Hong Kong": "HK",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Reunion": "RE",
}


@cache
def _territory_codes() -> dict[str, str]:
    english = Locale("en").territories
    codes = {name.casefold(): code for code, name in english.items() if code.isalpha()}
    codes.update({name.casefold(): code for name, code in _ISO_NAMES.items()})
    return codes


def place_name(name: str) -> str:
    """A country or region in the current language: a country by its CLDR name (Babel), a
    region through the catalogue, anything else as written."""
    code = _territory_codes().get(name.casefold())
    locale = current_locale.get()
    if code is None:
        return gettext(name) if name else name
    if locale == "en":
        return name
    return str(Locale(locale).territories.get(code, name))


def negotiate(accept_language: str | None, default: str) -> str:
    """Pick a supported locale from an Accept-Language header."""
    if not accept_language:
        return default
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        base = tag.split("-")[0]
        if base in LOCALES:
            return base
    return default


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction without translating it now."""
    return message
