"""The import/export columns of each list and the checks every row must pass.

Rows are checked against the knowledge base (ORPHAcodes, WHO ICD-10 codes) and against each
other (duplicates). Every problem names its spreadsheet row (header = row 1) and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rarecare.errors import FieldError
from rarecare.i18n import N_
from rarecare.interop.tabular import (
    CellError,
    Column,
    Table,
    boolean,
    code_list,
    iso_date,
    number,
    text,
    whole_number,
)
from rarecare.knowledge import KnowledgeBase, fold, normalise_icd10, normalise_orpha
from rarecare.lists.models import ListKind

DOSE_BASES = ("per_kg", "fixed")
REIMBURSEMENT = ("covered", "partial", "not_covered", "pending")
REIMBURSEMENT_LABELS: dict[str, str] = {
    "covered": N_("covered by health insurance"),
    "partial": N_("partly covered"),
    "not_covered": N_("not covered"),
    "pending": N_("coverage decision pending"),
}
_ATC = re.compile(r"^[A-V]\d{2}[A-Z]{2}\d{2}$")


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        v = value.strip().lower()
        if v not in options:
            raise CellError(
                N_("expected one of: %(options)s, got %(value)s"), options=", ".join(options)
            )
        return v

    return parse


def _day_list(value: str) -> list[int]:
    days = []
    for part in code_list(value):
        if not part.isdigit():
            raise CellError(
                N_("expected day numbers from the start of therapy, e.g. 0, 14, 28; got %(value)s")
            )
        days.append(int(part))
    return days


DISEASE_TABLE = Table(
    (
        Column("orpha_code", text, True, "ORPHAcode of the disease", "ORPHA:365"),
        Column("name_vi", text, True, "Vietnamese name", "Bệnh Pompe"),
        Column(
            "name_en", text, False, "English name (default: the Orphanet label)", "Pompe disease"
        ),
        Column(
            "icd10",
            code_list,
            False,
            "WHO ICD-10 codes, comma-separated (default: from the catalogue)",
            "E74.0",
        ),
        Column("disease_group", text, False, "Disease group", "Lysosomal storage disorders"),
        Column(
            "full_coverage",
            boolean,
            False,
            "100% insurance coverage without referral (yes/no)",
            "yes",
        ),
        Column("newborn_screening", boolean, False, "Newborn-screening target (yes/no)", "no"),
        Column("note", text, False, "Note", ""),
    )
)

DRUG_TABLE = Table(
    (
        Column("inn", text, True, "International non-proprietary name", "alglucosidase alfa"),
        Column(
            "brand_names", code_list, False, "Brand names, comma-separated", "Myozyme, Lumizyme"
        ),
        Column("atc_code", text, False, "ATC code", "A16AB07"),
        Column(
            "form",
            text,
            False,
            "Pharmaceutical form",
            "powder for concentrate for solution for infusion",
        ),
        Column("strength", number, True, "Amount per vial or unit", "50"),
        Column("strength_unit", text, True, "Unit of the strength: mg, U, mL", "mg"),
        Column("route", text, False, "Route: IV, SC, intrathecal, oral", "IV"),
        Column(
            "indications",
            code_list,
            True,
            "ORPHAcodes of the indications, comma-separated",
            "ORPHA:365",
        ),
        Column("dose_basis", _choice(DOSE_BASES), True, "per_kg or fixed", "per_kg"),
        Column("dose", number, True, "Dose per administration (per kg when per_kg)", "20"),
        Column("dose_unit", text, True, "Unit of the dose (same as the strength unit)", "mg"),
        Column("interval_days", whole_number, True, "Days between maintenance doses", "14"),
        Column(
            "loading_days",
            _day_list,
            False,
            "Loading doses: days from the start, comma-separated",
            "",
        ),
        Column(
            "vial_sharing", boolean, False, "Opened vials may be shared the same day (yes/no)", "no"
        ),
        Column("price_vnd", number, False, "Price per vial/unit in VND", "14500000"),
        Column(
            "price_effective_from", iso_date, False, "Price valid from (YYYY-MM-DD)", "2025-01-01"
        ),
        Column("price_effective_to", iso_date, False, "Price valid until (YYYY-MM-DD)", ""),
        Column(
            "reimbursement",
            _choice(REIMBURSEMENT),
            False,
            "covered, partial, not_covered, pending",
            "covered",
        ),
        Column("coverage_rate", number, False, "Insurance coverage rate, percent", "100"),
        Column("note", text, False, "Note", ""),
    )
)

TABLES = {ListKind.DISEASES: DISEASE_TABLE, ListKind.DRUGS: DRUG_TABLE}


def entry_key(kind: ListKind, values: dict[str, Any]) -> str:
    return str(values["orpha_code"]) if kind is ListKind.DISEASES else fold(str(values["inn"]))


def check_disease_rows(
    rows: list[tuple[int, dict[str, Any]]], kb: KnowledgeBase
) -> list[FieldError]:
    """Validate and complete disease rows in place (canonical codes, default names)."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for row_no, values in rows:
        raw = values.get("orpha_code")
        if raw is not None:
            code = normalise_orpha(raw)
            disease = kb.disease(code) if code else None
            if disease is None:
                errors.append(
                    FieldError(
                        "orpha_code",
                        N_(
                            "%(code)s is not an ORPHAcode of the Orphanet nomenclature "
                            "(expected e.g. ORPHA:365)"
                        ),
                        row=row_no,
                        params={"code": raw},
                    )
                )
                values.pop("orpha_code")
            else:
                values["orpha_code"] = disease.code
                if disease.code in seen:
                    errors.append(
                        FieldError(
                            "orpha_code",
                            N_("%(code)s is listed twice: duplicate of row %(first)s"),
                            row=row_no,
                            params={"code": disease.code, "first": seen[disease.code]},
                        )
                    )
                else:
                    seen[disease.code] = row_no
                if not values.get("name_en"):
                    values["name_en"] = disease.name
                if not values.get("icd10"):
                    values["icd10"] = sorted(
                        {x.code for x in disease.icd10 if x.relation in ("exact", "narrower")}
                    )
        codes = []
        for icd in values.get("icd10") or []:
            canonical = normalise_icd10(icd)
            if canonical is None or canonical not in kb.icd10_titles:
                errors.append(
                    FieldError(
                        "icd10",
                        N_("%(code)s is not a WHO ICD-10 (2019) code"),
                        row=row_no,
                        params={"code": icd},
                    )
                )
            else:
                codes.append(canonical)
        values["icd10"] = codes
    return errors


def check_drug_rows(rows: list[tuple[int, dict[str, Any]]], kb: KnowledgeBase) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for row_no, values in rows:
        inn = values.get("inn")
        if inn:
            key = fold(inn)
            if key in seen:
                errors.append(
                    FieldError(
                        "inn",
                        N_("%(code)s is listed twice: duplicate of row %(first)s"),
                        row=row_no,
                        params={"code": inn, "first": seen[key]},
                    )
                )
            else:
                seen[key] = row_no
        atc = values.get("atc_code")
        if atc and not _ATC.match(atc.upper()):
            errors.append(
                FieldError(
                    "atc_code",
                    N_("%(code)s is not an ATC code (expected e.g. A16AB07)"),
                    row=row_no,
                    params={"code": atc},
                )
            )
        elif atc:
            values["atc_code"] = atc.upper()
        indications = []
        for raw in values.get("indications") or []:
            code = normalise_orpha(raw)
            if code is None or kb.disease(code) is None:
                errors.append(
                    FieldError(
                        "indications",
                        N_("%(code)s is not an ORPHAcode of the Orphanet nomenclature"),
                        row=row_no,
                        params={"code": raw},
                    )
                )
            else:
                indications.append(code)
        values["indications"] = indications
        for field in ("strength", "dose", "interval_days"):
            value = values.get(field)
            if value is not None and value <= 0:
                errors.append(FieldError(field, N_("must be greater than zero"), row=row_no))
        unit, dose_unit = values.get("strength_unit"), values.get("dose_unit")
        if unit and dose_unit and unit != dose_unit:
            errors.append(
                FieldError(
                    "dose_unit",
                    N_("must be the strength unit (%(unit)s) to count vials"),
                    row=row_no,
                    params={"unit": unit},
                )
            )
        rate = values.get("coverage_rate")
        if rate is not None and not 0 <= rate <= 100:
            errors.append(
                FieldError("coverage_rate", N_("expected a percentage from 0 to 100"), row=row_no)
            )
        start, end = values.get("price_effective_from"), values.get("price_effective_to")
        if start and end and end < start:
            errors.append(
                FieldError("price_effective_to", N_("ends before price_effective_from"), row=row_no)
            )
        price = values.get("price_vnd")
        if price is not None and price < 0:
            errors.append(FieldError("price_vnd", N_("must not be negative"), row=row_no))
    return errors


CHECKS = {ListKind.DISEASES: check_disease_rows, ListKind.DRUGS: check_drug_rows}
