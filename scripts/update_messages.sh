#!/usr/bin/env bash
# Re-extracts the translatable strings and merges them into the Vietnamese catalogue.
# Then translate the new (empty) entries in src/rarecare/web/locale/vi/LC_MESSAGES/messages.po;
# tests/web/test_i18n.py fails while any string lacks a translation.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOC=src/rarecare/web/locale
$BIN/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o "$LOC/messages.pot" . >/dev/null 2>&1
if [ -f "$LOC/vi/LC_MESSAGES/messages.po" ]; then
  $BIN/pybabel update -i "$LOC/messages.pot" -d "$LOC" -l vi --no-fuzzy-matching --ignore-obsolete --omit-header >/dev/null 2>&1
else
  $BIN/pybabel init -i "$LOC/messages.pot" -d "$LOC" -l vi >/dev/null 2>&1
fi
grep -c '^msgid' "$LOC/messages.pot" | xargs echo "messages:"
