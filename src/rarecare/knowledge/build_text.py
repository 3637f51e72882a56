"""Build step: the HPO features named in disease names and Orphanet definitions
(``textmined.tsv.gz``), with ``knowledge.textmine``'s dictionary matcher.

Rows: code, label, field, hpo_id, qualifier, phrase
- ``field`` is ``name`` (the OMIM name in ``phenotype.hpoa``, the Orphanet label, or for OMIM
  entries that HPO does not annotate yet, Mondo's label) or ``definition`` (Orphanet's text);
- ``label`` is set on the rows of OMIM entries known only from Mondo (the name to show);
- ``qualifier`` is ``variable`` ("with or without ...") or empty; negated mentions are left out.
Only phenotypic-abnormality terms are matched, from their labels and EXACT synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rarecare.knowledge.loader import ontology_of
from rarecare.knowledge.textmine import Lexicon, Mention

_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (\w+)')


def exact_synonyms(obo: Path, scopes: tuple[str, ...] = ("EXACT",)) -> dict[str, list[str]]:
    """Synonyms of the given scopes (EXACT by default) per term id, from ``hp.obo``."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in obo.read_text(encoding="utf-8").splitlines():
        if line.startswith("id: "):
            current = line[4:].strip()
        elif (match := _SYNONYM.match(line)) and match.group(2) in scopes:
            out.setdefault(current, []).append(match.group(1).replace('\\"', '"'))
    return out


def phenotypic_lexicon(terms: list[dict[str, Any]], synonyms: dict[str, list[str]]) -> Lexicon:
    """The lexicon of current terms below Phenotypic abnormality (labels, EXACT synonyms), from
    the compact term records the build writes to ``hpo.json.gz``."""
    ontology = ontology_of(terms, "")
    entries: list[tuple[str, str, bool]] = []
    for t in terms:
        if t.get("obsolete") or not ontology.is_phenotypic(t["id"]):
            continue
        entries.append((t["id"], t["name"], True))
        entries.extend((t["id"], s, False) for s in synonyms.get(t["id"], ()))
    return Lexicon(entries)


def _rows(code: str, label: str, field: str, mentions: Iterable[Mention]) -> list[list[str]]:
    return [
        [code, label, field, m.hpo_id, "variable" if m.variable else "", m.phrase]
        for m in mentions
        if not m.negated
    ]


def textmined_rows(
    lexicon: Lexicon,
    hpoa: list[list[str]],
    orpha: list[dict[str, Any]],
    mondo_omim: Iterable[tuple[str, str]],
) -> list[list[str]]:
    """``mondo_omim``: (OMIM code, Mondo label) of Mondo's exact OMIM matches."""
    rows: list[list[str]] = []
    names: dict[str, str] = {}
    for row in hpoa:
        if row[0].startswith("OMIM:"):
            names.setdefault(row[0], row[1])
    for code, name in sorted(names.items()):
        rows += _rows(code, "", "name", lexicon.mentions(name.split(";")[0]))
    for entity in orpha:
        code = f"ORPHA:{entity['code']}"
        rows += _rows(code, "", "name", lexicon.mentions(entity["label"]))
        if entity.get("def"):
            rows += _rows(code, "", "definition", lexicon.mentions(entity["def"]))
    mondo_only: dict[str, str] = {}
    for code, label in mondo_omim:
        if code not in names and not label.startswith("obsolete") and "susceptibility" not in label:
            mondo_only.setdefault(code, label)
    for code, label in sorted(mondo_only.items()):
        rows += _rows(code, label, "name", lexicon.mentions(label))
    return rows
