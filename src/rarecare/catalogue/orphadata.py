"""Reader for Orphanet's official ORPHA–ICD alignment (Orphadata "product 1" XML,
``en_product1.xml``): every disorder's ICD-10 and ICD-11 references with their mapping relation
(E, NTBT, BTNT, W, ND), ICD relation and validation status. Parsed with defusedxml."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _

RELATIONS = {"E": "exact", "NTBT": "narrower", "BTNT": "broader", "W": "wrong", "ND": "undecided"}


@dataclass(frozen=True)
class MappingRow:
    orpha_code: str
    system: str
    code: str
    relation: str
    icd_relation: str
    validation: str


def _name(element: Element | None) -> str:
    if element is None:
        return ""
    name = element.find("Name")
    return (name.text or "").strip() if name is not None else (element.text or "").strip()


def parse_product1(content: bytes) -> tuple[str, list[MappingRow]]:
    """Returns (source version, rows). Raises ValidationFailed for a file of another kind."""
    try:
        root = ElementTree.parse(io.BytesIO(content)).getroot()
    except Exception as exc:
        raise ValidationFailed(
            _("The file is not readable XML."), [FieldError("file", str(exc))]
        ) from exc
    if root is None or root.tag != "JDBOR" or root.find("DisorderList") is None:
        raise ValidationFailed(
            _("This is not an Orphadata product 1 file."),
            [FieldError("file", N_("expected a JDBOR root with a DisorderList"))],
        )
    version = " ".join(v for v in (root.get("version", ""), root.get("date", "")) if v) or "unknown"
    rows: list[MappingRow] = []
    for disorder in root.iter("Disorder"):
        code = (disorder.findtext("OrphaCode") or "").strip()
        if not code.isdigit():
            continue
        for ref in disorder.iter("ExternalReference"):
            source = (ref.findtext("Source") or "").strip().upper()
            if source not in ("ICD-10", "ICD-11"):
                continue
            relation_text = _name(ref.find("DisorderMappingRelation"))
            relation = RELATIONS.get(
                relation_text.split(" ")[0], relation_text.lower() or "undecided"
            )
            rows.append(
                MappingRow(
                    orpha_code=f"ORPHA:{code}",
                    system=source,
                    code=(ref.findtext("Reference") or "").strip(),
                    relation=relation,
                    icd_relation=_name(ref.find("DisorderMappingICDRelation")),
                    validation=_name(ref.find("DisorderMappingValidationStatus")),
                )
            )
    return version, rows
