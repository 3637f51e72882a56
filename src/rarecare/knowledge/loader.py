"""Loads the packaged knowledge files into memory, with a binary cache for fast start-up."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
from collections import defaultdict
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from rarecare.knowledge.diseases import Annotation, Disease, Gene, Prevalence, Xref
from rarecare.knowledge.frequency import parse_frequency
from rarecare.knowledge.hpo import HpoTerm, Ontology, VietnameseLabel

log = logging.getLogger("rarecare.knowledge")
CACHE_FORMAT = 1


def data_dir() -> Traversable:
    return resources.files("rarecare.knowledge") / "data"


def manifest(directory: Traversable | Path | None = None) -> dict[str, Any]:
    base = directory if directory is not None else data_dir()
    loaded: dict[str, Any] = json.loads((base / "manifest.json").read_text())
    return loaded


def _read_gz_text(base: Traversable | Path, name: str) -> str:
    with (base / name).open("rb") as fh:
        return gzip.decompress(fh.read()).decode("utf-8")


def _tsv(base: Traversable | Path, name: str) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(_read_gz_text(base, name)), delimiter="\t", quoting=csv.QUOTE_NONE)
    )


def load_ontology(base: Traversable | Path) -> Ontology:
    raw = json.loads(_read_gz_text(base, "hpo.json.gz"))
    return ontology_of(raw, manifest(base)["sources"]["hpo"]["version"])


def ontology_of(raw: list[dict[str, Any]], version: str) -> Ontology:
    """The ontology from the compact term records of ``hpo.json.gz`` (as the build makes them)."""
    terms = {
        t["id"]: HpoTerm(
            id=t["id"],
            name=t["name"],
            definition=t.get("def", ""),
            synonyms=tuple(t.get("syn", ())),
            parents=tuple(t.get("is_a", ())),
            alt_ids=tuple(t.get("alt", ())),
            obsolete=bool(t.get("obsolete")),
            replaced_by=t.get("replaced_by"),
            consider=tuple(t.get("consider", ())),
        )
        for t in raw
    }
    return Ontology(version=version, terms=terms)


def load_diseases(base: Traversable | Path) -> dict[str, Disease]:
    """Every ORPHA entity and every OMIM/DECIPHER disease with annotations, cross-linked."""
    annotations: dict[str, list[Annotation]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in _tsv(base, "hpoa.tsv.gz"):
        db_id, name, qualifier, hpo_id, reference, _evidence, onset, freq, sex, _mod, aspect = row
        names.setdefault(db_id, name)
        annotations[db_id].append(
            Annotation(
                hpo_id=hpo_id,
                frequency=parse_frequency(freq),
                frequency_raw=freq,
                onset=onset,
                sex=sex.upper(),
                negated=qualifier == "NOT",
                references=tuple(r for r in reference.split(";") if r),
                aspect=aspect,
            )
        )

    mappings: dict[str, dict[str, list[Xref]]] = defaultdict(lambda: defaultdict(list))
    for code, system, target, relation, provenance in _tsv(base, "mappings.tsv.gz"):
        mappings[code][system].append(Xref(target, relation, provenance))

    diseases: dict[str, Disease] = {}
    omim_links: dict[str, list[Xref]] = defaultdict(list)
    for entity in json.loads(_read_gz_text(base, "orpha.json.gz")):
        code = f"ORPHA:{entity['code']}"
        equivalents = []
        for omim, relation in entity.get("omim", []):
            equivalents.append(Xref(f"OMIM:{omim}", relation, "Orphanet"))
            omim_links[f"OMIM:{omim}"].append(Xref(code, _inverse(relation), "Orphanet"))
        own = annotations.get(code)
        if own is None and entity.get("hpo"):  # phenotypes known only from the ORPHApacket
            own = [
                Annotation(
                    h, parse_frequency(f), f, "", "", parse_frequency(f) == 0.0, (code,), "P"
                )
                for h, f in entity["hpo"]
            ]
        diseases[code] = Disease(
            code=code,
            name=entity["label"],
            synonyms=tuple(entity.get("syn", ())),
            definition=entity.get("def", ""),
            disorder_type=entity.get("type", ""),
            parents=tuple(f"ORPHA:{p}" for p in entity.get("parents", ())),
            children=tuple(f"ORPHA:{c}" for c in entity.get("children", ())),
            genes=tuple(
                Gene(g["symbol"], g["name"], g["hgnc"], g["association"])
                for g in entity.get("genes", ())
            ),
            equivalents=tuple(equivalents),
            icd10=tuple(mappings[code]["ICD-10"]),
            icd11=tuple(mappings[code]["ICD-11"]),
            onset=tuple(entity.get("onset", ())),
            inheritance=tuple(entity.get("inheritance", ())),
            prevalence=tuple(Prevalence(*p[:4]) for p in entity.get("prevalence", ())),
            annotations=tuple(own or ()),
        )
    derived, labels = _textmined(base)
    for code, label in labels.items():
        if code not in annotations:  # an OMIM entry known only by its (Mondo) name
            annotations[code] = []
            names[code] = label[:1].upper() + label[1:]
    for db_id, items in annotations.items():
        if db_id.startswith("ORPHA:"):
            continue
        links = omim_links.get(db_id, [])
        icd10 = tuple(
            Xref(x.code, "derived", f"via {link.code} ({x.provenance})")
            for link in links
            if link.relation == "exact" and link.code in diseases
            for x in diseases[link.code].icd10
            if x.relation in ("exact", "narrower")
        )
        diseases[db_id] = Disease(
            code=db_id,
            name=_omim_name(names[db_id]),
            equivalents=tuple(links),
            icd10=icd10,
            annotations=tuple(items),
        )
    for code, found in derived.items():
        if code in diseases:
            diseases[code].derived = tuple(found)
    return diseases


def _textmined(base: Traversable | Path) -> tuple[dict[str, list[Annotation]], dict[str, str]]:
    """Features named in disease names and definitions, and the labels of OMIM entries known
    only from Mondo (see ``knowledge.build_text``)."""
    derived: dict[str, list[Annotation]] = defaultdict(list)
    labels: dict[str, str] = {}
    for code, label, kind, hpo_id, qualifier, _phrase in _tsv(base, "textmined.tsv.gz"):
        if label:
            labels.setdefault(code, label)
        derived[code].append(Annotation(hpo_id, None, qualifier, "", "", False, (kind,), "P"))
    return derived, labels


def _inverse(relation: str) -> str:
    return {"narrower": "broader", "broader": "narrower"}.get(relation, relation)


def _omim_name(name: str) -> str:
    return name.split(";")[0].strip() if name.isupper() else name


def load_icd10(base: Traversable | Path) -> dict[str, str]:
    return dict(_tsv(base, "icd10.tsv.gz"))


VIETNAMESE = "hpo_vi.tsv"  # RareCare's own Vietnamese HPO labels (scripts/build_hpo_vi.py)


def load_vietnamese(base: Traversable | Path) -> dict[str, VietnameseLabel]:
    """HPO id → RareCare's Vietnamese label, lay synonyms and review status ("draft": not yet
    reviewed by a clinician); lines starting with # are the file's provenance."""
    path = base / VIETNAMESE
    if not path.is_file():
        return {}
    found: dict[str, VietnameseLabel] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        hpo_id, label, synonyms, status = [*line.split("\t"), "", "", ""][:4]
        if hpo_id == "hpo_id":  # the header
            continue
        found[hpo_id] = VietnameseLabel(
            label.strip(),
            tuple(s.strip() for s in synonyms.split("|") if s.strip()),
            status or "draft",
        )
    return found


# The cache holds pickled objects of these modules: a change to any of them invalidates it.
_CACHED_MODULES = ("base.py", "diseases.py", "hpo.py", "search.py", "loader.py")


def cache_key(base: Traversable | Path) -> str:
    """Names the cache after the data files' checksums and the code that builds the objects."""
    digest = hashlib.sha256(json.dumps(manifest(base)["sha256"], sort_keys=True).encode())
    package = resources.files("rarecare.knowledge")
    for module in _CACHED_MODULES:
        digest.update((package / module).read_bytes())
    if (base / VIETNAMESE).is_file():  # RareCare's own data, outside Orphanet's and HPO's manifest
        digest.update((base / VIETNAMESE).read_bytes())
    return f"knowledge-v{CACHE_FORMAT}-{digest.hexdigest()[:16]}.pickle"
