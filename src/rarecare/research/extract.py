"""What a released extract holds: the variables a request may ask for, project pseudonyms keyed
per request (two extracts of the same patient cannot be joined), dates shifted or coarsened as
the committee chose, and the ZIP (``extract.csv`` + ``manifest.json``) with its checksum.

Pure functions of the records handed in: the service chooses the records (consenting cohort)
and audits the release."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from rarecare.i18n import N_
from rarecare.knowledge import KnowledgeBase
from rarecare.registry.models import Patient
from rarecare.research.models import DateHandling

# what a request may ask for, in the extract's column order
VARIABLES: dict[str, str] = {
    "sex": N_("Sex"),
    "birth_date": N_("Month of birth"),
    "province": N_("Province (34, since 2025)"),
    "orpha_code": N_("Disease (ORPHAcode)"),
    "disease_name": N_("Disease name"),
    "diagnostic_status": N_("Diagnostic status"),
    "diagnosis_date": N_("Date of diagnosis"),
    "first_symptoms_date": N_("Date of first symptoms"),
    "first_contact_date": N_("First contact with a specialised centre"),
    "onset_date": N_("Date of onset"),
    "diagnostic_delay_days": N_("Days from first symptoms to diagnosis"),
    "vital_status": N_("Vital status"),
    "death_date": N_("Date of death"),
    "detection": N_("How the case was detected"),
    "hpo_observed": N_("Observed HPO terms"),
    "hpo_excluded": N_("Excluded HPO terms"),
    "genes": N_("Genes of the genetic diagnosis"),
}
SHIFT_DAYS = 182  # a shift is between -182 and +182 days, never 0
SUBJECT = "subject_id"


def project_pseudonym(salt: str, pseudonym: str) -> str:
    """The patient's pseudonym in one request's extract: an HMAC under that request's secret."""
    digest = hmac.new(bytes.fromhex(salt), pseudonym.encode(), hashlib.sha256).hexdigest()
    return f"S{digest[:16].upper()}"


def date_offset(salt: str, pseudonym: str) -> int:
    """The patient's date shift in one extract (the same for all their dates: intervals hold)."""
    digest = hmac.new(bytes.fromhex(salt), b"shift:" + pseudonym.encode(), hashlib.sha256).digest()
    offset = int.from_bytes(digest[:4], "big") % (2 * SHIFT_DAYS) - SHIFT_DAYS
    return offset or SHIFT_DAYS


def treated(day: date | None, handling: DateHandling, offset: int) -> str:
    if day is None:
        return ""
    if handling is DateHandling.YEAR:
        return str(day.year)
    if handling is DateHandling.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return date.fromordinal(day.toordinal() + offset).isoformat()


def _delay(patient: Patient) -> str:
    if patient.first_symptoms_date and patient.diagnosis_date:
        return str((patient.diagnosis_date - patient.first_symptoms_date).days)
    return ""


def _genes(patient: Patient) -> str:
    return ";".join(sorted({d.gene for d in patient.diagnoses if d.gene}))


def _disease_name(kb: KnowledgeBase) -> Callable[[Patient], str]:
    def name(patient: Patient) -> str:
        disease = kb.diseases.get(patient.orpha_code or "")
        return disease.name if disease else ""

    return name


Reader = Callable[[Patient, int], str]  # (patient, its date offset) -> one cell


def row_reader(
    variables: list[str], *, handling: DateHandling, salt: str, kb: KnowledgeBase
) -> Callable[[Patient], dict[str, str]]:
    """What turns a patient into one line of the extract: the project pseudonym and the
    requested variables only (the readers are chosen once per extract)."""

    def day(read: Callable[[Patient], date | None]) -> Reader:
        return lambda p, offset: treated(read(p), handling, offset)

    def plain(read: Callable[[Patient], str]) -> Reader:
        return lambda p, _offset: read(p)

    name = _disease_name(kb)
    readers: dict[str, Reader] = {
        "sex": plain(lambda p: p.sex.value),
        "birth_date": day(lambda p: p.birth_month),
        "province": plain(lambda p: p.province_code),
        "orpha_code": plain(lambda p: p.orpha_code or ""),
        "disease_name": plain(name),
        "diagnostic_status": plain(lambda p: p.diagnostic_status.value),
        "diagnosis_date": day(lambda p: p.diagnosis_date),
        "first_symptoms_date": day(lambda p: p.first_symptoms_date),
        "first_contact_date": day(lambda p: p.first_contact_date),
        "onset_date": day(lambda p: p.onset_date),
        "diagnostic_delay_days": plain(_delay),
        "vital_status": plain(lambda p: p.vital_status.value),
        "death_date": day(lambda p: p.death_date),
        "detection": plain(lambda p: p.detection.value),
        "hpo_observed": plain(
            lambda p: ";".join(sorted({f.hpo_id for f in p.phenotypes if not f.excluded}))
        ),
        "hpo_excluded": plain(
            lambda p: ";".join(sorted({f.hpo_id for f in p.phenotypes if f.excluded}))
        ),
        "genes": plain(_genes),
    }
    chosen = [(variable, readers[variable]) for variable in variables]

    def row(patient: Patient) -> dict[str, str]:
        offset = date_offset(salt, patient.pseudonym)
        line = {SUBJECT: project_pseudonym(salt, patient.pseudonym)}
        line.update({variable: read(patient, offset) for variable, read in chosen})
        return line

    return row


def package(
    rows: Iterable[dict[str, str]], columns: list[str], manifest: dict[str, Any]
) -> tuple[bytes, str, int]:
    """The ZIP of the extract: (its bytes, the SHA-256 of ``extract.csv``, the number of rows).
    The manifest names the checksum and the row count."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=[SUBJECT, *columns], lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    data = text.getvalue().encode("utf-8")
    checksum = hashlib.sha256(data).hexdigest()
    manifest = {
        **manifest,
        "rows": count,
        "columns": [SUBJECT, *columns],
        "files": {"extract.csv": {"sha256": checksum, "bytes": len(data)}},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("extract.csv", data)
        archive.writestr(
            "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
        )
    return out.getvalue(), checksum, count
