"""The Vietnamese HPO labels: which terms need them, and how far the translation has come.

RareCare's own Vietnamese labels and lay synonyms of HPO terms live in
``src/rarecare/knowledge/data/hpo_vi.tsv`` (written by people; a draft until a clinician has
reviewed it). This script lists the terms that must have one — every term annotated to a disease
of the national list, and the 2,000 terms most often annotated to any disease — most frequent
first, into ``scripts/hpo_vi_worklist.tsv`` (id, English label, annotations, listed?), checks that
every translated id is a current HPO term, and reports the coverage.

    .venv/bin/python scripts/build_hpo_vi.py [--check]
    (--check: write nothing; fail when a required term lacks a Vietnamese label)
"""

from __future__ import annotations

import collections
import csv
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src/rarecare/knowledge/data"
TOP = 2000


def required_terms() -> list[tuple[str, int, bool]]:
    """(term, annotations, on the national list?) of every term that needs a Vietnamese label,
    most annotated first."""
    frequency: collections.Counter[str] = collections.Counter()
    by_disease: dict[str, set[str]] = collections.defaultdict(set)
    with gzip.open(DATA / "hpoa.tsv.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > 10 and fields[10] == "P" and fields[2] != "NOT":
                frequency[fields[3]] += 1
                by_disease[fields[0]].add(fields[3])
    sys.path.insert(0, str(ROOT / "src"))
    from rarecare.knowledge import load_knowledge

    kb = load_knowledge(ROOT / "var" / "cache")
    listed_codes = [
        row["orpha_code"]
        for row in csv.DictReader((ROOT / "src/rarecare/demo/data/disease_list.csv").open())
    ]
    listed: set[str] = set()
    for code in listed_codes:
        disease = kb.diseases.get(code)
        if disease is not None:
            listed.update(a.hpo_id for a in disease.annotations if a.aspect == "P")
    wanted = listed | {t for t, _n in frequency.most_common(TOP)}
    current = {t for t in wanted if (term := kb.term(t)) is not None and not term.obsolete}
    return sorted(((t, frequency[t], t in listed) for t in current), key=lambda r: (-r[1], r[0]))


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from rarecare.knowledge import load_knowledge
    from rarecare.knowledge.loader import load_vietnamese

    kb = load_knowledge(ROOT / "var" / "cache")
    translated = load_vietnamese(DATA)
    unknown = sorted(t for t in translated if kb.term(t) is None or kb.term(t).obsolete)  # type: ignore[union-attr]
    required = required_terms()
    if "--check" not in sys.argv:  # checking writes nothing
        with (ROOT / "scripts/hpo_vi_worklist.tsv").open("w", encoding="utf-8") as out:
            out.write("hpo_id\tlabel_en\tannotations\tnational_list\ttranslated\n")
            for term, n, listed in required:
                name = kb.term(term).name  # type: ignore[union-attr]
                flags = ("yes" if listed else "", "yes" if term in translated else "")
                out.write(f"{term}\t{name}\t{n}\t{flags[0]}\t{flags[1]}\n")
    missing = [t for t, _n, _l in required if t not in translated]
    print(
        f"{len(translated)} terms translated; {len(required) - len(missing)} of the "
        f"{len(required)} required ({len(missing)} missing); {len(unknown)} unknown or obsolete ids"
    )
    for term in unknown:
        print(f"  not a current HPO term: {term}")
    return 1 if unknown or ("--check" in sys.argv and missing) else 0


if __name__ == "__main__":
    raise SystemExit(main())
