"""Fills the Vietnamese catalogue from ``scripts/vi_translations.json`` (msgid → msgstr).

    .venv/bin/python scripts/translate_vi.py       # after scripts/update_messages.sh

Entries already translated in the .po are kept; the JSON is the reviewed source of truth for
the rest. Prints the msgids that still lack a translation (and exits 1 if any)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/rarecare/web/locale/vi/LC_MESSAGES/messages.po"
TABLE = ROOT / "scripts/vi_translations.json"


def main() -> int:
    table: dict[str, str] = json.loads(TABLE.read_text(encoding="utf-8"))
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    missing: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        if not isinstance(message.id, str):  # a plural: Vietnamese has one form (nplurals=1)
            singular = str(message.id[0])
            if singular in table:
                message.string = (table[singular],)
            elif not any(message.string or ()):
                missing.append(singular)
            continue
        if message.id in table:
            message.string = table[message.id]
        elif not message.string:
            missing.append(message.id)
    catalog.project = "RareCare"
    catalog.fuzzy = False
    catalog.last_translator = "RareCare developers"
    catalog.language_team = "RareCare Vietnamese"
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
