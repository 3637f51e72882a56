"""Bulk import (CSV/XLSX, all rows or none, every problem named by row and column) and the
pseudonymised CSV/XLSX export of the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, centre_scope, require_role
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.errors import FieldError, ValidationFailed
from rarecare.gcpause import paused_gc
from rarecare.i18n import N_, _
from rarecare.interop import fhir, phenopackets, tabular
from rarecare.interop.records import ConsentSnapshot, Feature, RecordSnapshot
from rarecare.interop.tabular import (
    Column,
    Table,
    boolean,
    code_list,
    iso_date,
    text,
    whole_number,
)
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import consent, disclosure, fastload, prepare, service
from rarecare.registry.models import Consent, ConsentPurpose, DiagnosticStatus, Patient
from rarecare.registry.schemas import DiagnosisIn, PatientIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from rarecare.storage import utcnow
from rarecare.storage.bulk import Job, prepared_chunks


def _required_boolean(value: str) -> bool:
    if not value.strip():
        raise tabular.CellError(N_("required: yes or no, got %(value)s"))
    return boolean(value)


IMPORT_TABLE = Table(
    (
        Column("full_name", text, True, "Full name (encrypted)", "Nguyễn Thị Lan"),
        Column(
            "birth_date",
            iso_date,
            True,
            "Date of birth (encrypted; the record keeps the month)",
            "2021-03-14",
        ),
        Column("national_id", text, False, "CCCD (encrypted)", "001321012345"),
        Column("insurance_number", text, False, "Health insurance number (encrypted)", ""),
        Column("phone", text, False, "Phone (encrypted)", ""),
        Column("address", text, False, "Address (encrypted)", ""),
        Column("guardian", text, False, "Guardian (encrypted)", ""),
        Column("sex", text, True, "female, male, undetermined or unknown", "female"),
        Column("vital_status", text, False, "alive, dead, lost_to_follow_up or opted_out", "alive"),
        Column("death_date", iso_date, False, "Date of death", ""),
        Column(
            "first_contact_date",
            iso_date,
            False,
            "First contact with a specialised centre",
            "2022-01-10",
        ),
        Column("first_symptoms_date", iso_date, False, "Date of first symptoms", "2021-06-01"),
        Column("onset_kind", text, False, "antenatal, at_birth, date or undetermined", "date"),
        Column("onset_date", iso_date, False, "Date of onset", "2021-06-01"),
        Column(
            "diagnosis_kind",
            text,
            False,
            "antenatal, at_birth, date or undetermined",
            "undetermined",
        ),
        Column("diagnosis_date", iso_date, False, "Date of diagnosis", ""),
        Column(
            "diagnostic_status",
            text,
            True,
            "suspected, probable, confirmed or undiagnosed",
            "suspected",
        ),
        Column("orpha_code", text, False, "ORPHAcode", ""),
        Column(
            "contact_for_research",
            _required_boolean,
            True,
            "Agrees to be contacted for research (yes/no)",
            "yes",
        ),
        Column(
            "consent_reuse", _required_boolean, True, "Consents to reuse of data (yes/no)", "yes"
        ),
        Column("biosample", boolean, False, "Biological sample (yes/no)", "no"),
        Column("biobank", text, False, "Biobank link", ""),
        Column("icf_codes", text, False, "ICF codes", ""),
        Column("province_code", text, True, "34-province code (2025)", "01"),
        Column("former_province_code", text, False, "63-province code (before July 2025)", ""),
        Column(
            "detection",
            text,
            False,
            "How detected: newborn_screening, symptoms, family_screening, prenatal, incidental",
            "symptoms",
        ),
        Column(
            "hpo_observed", code_list, False, "Observed HPO terms, comma-separated", "HP:0001638"
        ),
        Column("hpo_excluded", code_list, False, "Excluded HPO terms, comma-separated", ""),
        Column(
            "consents",
            text,
            False,
            "Consents with their date and form version, separated by ';' (purposes: care, "
            "research, recontact, international, biobank); research and recontact must agree "
            "with their yes/no columns, which without a date here are consents given today",
            "research 2024-05-10 (form v2); biobank 2024-05-10",
        ),
    )
)
_READERS: dict[str, Callable[[str], Any]] = {
    **{c.name: c.parse for c in IMPORT_TABLE.columns},
    "contact_for_research": boolean,
    "consent_reuse": boolean,
    "centre": whole_number,
    "birth_month": iso_date,
    "possible_duplicate_of": whole_number,
}
# What an export holds, typed as the import reads it: an exported file reads back to the same
# values (``tabular.read_rows(EXPORT_TABLE, ...)``).
EXPORT_TABLE = Table(
    tuple(
        Column(name, _READERS.get(name, text))
        for name in (
            "pseudonym",
            "centre",
            "birth_month",
            *prepare.RECORD_COLUMNS,
            "hpo_observed",
            "hpo_excluded",
            "possible_duplicate_of",
            "consents",
        )
    )
)


CHUNK = 10_000  # rows checked and written at a time


def import_patients(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    vault: IdentityVault,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    today: date | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Register the patients of a CSV/XLSX file at the user's centre: every row or none.
    ``progress(n)`` is told of every n rows checked."""
    rows, errors = tabular.read_rows(IMPORT_TABLE, content, filename)
    return load_records(
        session=session,
        principal=principal,
        kb=kb,
        vault=vault,
        rows=rows,
        errors=errors,
        dry_run=dry_run,
        today=today,
        source=filename,
        workers=workers,
        progress=progress,
    )


def load_records(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    vault: IdentityVault,
    rows: list[tuple[int, dict[str, Any]]],
    errors: list[FieldError] | None = None,
    dry_run: bool = False,
    today: date | None = None,
    source: str = "records",
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Check every record (row number, column values); write them all, or nothing. With
    ``workers`` > 1, large inputs are checked and prepared by that many processes."""
    with paused_gc():  # hundreds of thousands of small acyclic objects
        return _load_records(
            session=session,
            principal=principal,
            kb=kb,
            vault=vault,
            rows=rows,
            errors=errors,
            dry_run=dry_run,
            today=today,
            source=source,
            workers=workers,
            progress=progress,
        )


def _load_records(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    vault: IdentityVault,
    rows: list[tuple[int, dict[str, Any]]],
    errors: list[FieldError] | None,
    dry_run: bool,
    today: date | None,
    source: str,
    workers: int,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    actor = require_role(principal, Role.CLINICIAN, Role.DATA_MANAGER)
    centre_id = centre_scope(actor)
    assert centre_id is not None
    ctx = prepare.Context(
        kb=kb,
        vault=vault,
        centre_id=centre_id,
        centre_code=centres.get_centre(session=session, centre_id=centre_id).code,
        today=today or date.today(),
        username=actor.username,
        now=utcnow(),
        copy=fastload.is_postgres(session),
    )
    errors = list(errors or [])
    # a cell the reader could not read is named once, by the reader
    unreadable = {(e.row, e.field) for e in errors}
    seen: dict[str, int] = {}
    at_centre = set(
        session.scalars(select(Patient.pseudonym).where(Patient.centre_id == centre_id))
    )
    loader = None if dry_run else fastload.Loader(session=session, actor=actor, centre_id=centre_id)
    count = 0
    try:
        for chunk in prepared_chunks(
            Job(prepare.prepare, rows, ctx),
            allocate=None if dry_run else fastload.IdAllocator(session),
            size=CHUNK,
            workers=workers,
        ):
            errors.extend(e for e in chunk.errors if (e.row, e.field) not in unreadable)
            for row_no, pseudonym, _pid in chunk.people:
                if pseudonym in seen:
                    errors.append(
                        FieldError(
                            "full_name",
                            N_("the same person as row %(first)s"),
                            row=row_no,
                            params={"first": seen[pseudonym]},
                        )
                    )
                elif pseudonym in at_centre:
                    errors.append(
                        FieldError(
                            "full_name",
                            N_("this person is already registered at the centre"),
                            row=row_no,
                        )
                    )
                seen.setdefault(pseudonym, row_no)
            count += len(chunk.people)
            if loader is not None and not errors:
                loader.add(chunk)  # undone if a later row fails
            if progress is not None:
                progress(chunk.rows)
    except BaseException:
        if loader is not None:
            loader.abort()
        raise
    if errors:
        if loader is not None:
            loader.abort()
        errors.sort(key=lambda e: (e.row or 0, e.field))
        raise ValidationFailed(_("The file has errors; nothing was imported."), errors)
    report: dict[str, Any] = {
        "rows": count,
        "written": 0,
        "dry_run": dry_run,
        "possible_duplicates": 0,
    }
    if loader is None:
        return report
    report["possible_duplicates"] = loader.finish()
    report["written"] = count
    audit.record(
        session=session,
        actor=actor,
        action="import",
        object_type="registry",
        centre_id=centre_id,
        detail={"source": source, **report},
    )
    return report


def consents_text(rows: Sequence[Consent]) -> str:
    """A record's current consents in one cell: "research 2026-11-22 (form v2); biobank ..."."""
    return "; ".join(
        f"{c.purpose.value} {c.given_on.isoformat()}"
        + (f" (form {c.form_version})" if c.form_version else "")
        for c in rows
        if c.withdrawn_on is None
    )


def export_rows(
    patients: list[Patient], consents: dict[int, list[Consent]] | None = None
) -> list[dict[str, Any]]:
    given = consents or {}
    return [
        {
            "pseudonym": p.pseudonym,
            "centre": p.centre_id,
            "birth_month": p.birth_month,
            "sex": p.sex.value,
            "vital_status": p.vital_status.value,
            "death_date": p.death_date,
            "first_contact_date": p.first_contact_date,
            "first_symptoms_date": p.first_symptoms_date,
            "onset_kind": p.onset_kind.value,
            "onset_date": p.onset_date,
            "diagnosis_kind": p.diagnosis_kind.value,
            "diagnosis_date": p.diagnosis_date,
            "diagnostic_status": p.diagnostic_status.value,
            "orpha_code": p.orpha_code,
            "contact_for_research": p.contact_for_research,
            "consent_reuse": p.consent_reuse,
            "biosample": p.biosample,
            "biobank": p.biobank,
            "icf_codes": p.icf_codes,
            "province_code": p.province_code,
            "former_province_code": p.former_province_code,
            "detection": p.detection.value,
            "hpo_observed": [ph.hpo_id for ph in p.phenotypes if not ph.excluded],
            "hpo_excluded": [ph.hpo_id for ph in p.phenotypes if ph.excluded],
            "possible_duplicate_of": p.possible_duplicate_of,
            "consents": consents_text(given.get(p.id, [])),
        }
        for p in patients
    ]


def export_table(
    *,
    session: Session,
    principal: Principal | None,
    fmt: str,
    target: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Pseudonymised records the principal may see (never identities), every one of them,
    written into ``target`` as they are read; returns how many. A ministry user's export
    coarsens rare combinations as the record views do (``disclosure``)."""
    count = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for patients in service.visible(session=session, principal=principal, action="export"):
            count += len(patients)
            if progress is not None:
                progress(count)
            coarsen = disclosure.to_coarsen(session=session, principal=principal, patients=patients)
            given = consent.of_patients(
                session=session, patient_ids=[p.id for p in patients], current_only=True
            )
            for patient, row in zip(patients, export_rows(patients, given), strict=True):
                yield disclosure.coarse(row) if patient.id in coarsen else row

    tabular.export_to(target, EXPORT_TABLE, rows(), fmt, "registry")
    return count


def template(fmt: str) -> bytes:
    return tabular.template(IMPORT_TABLE, fmt)


# ------------------------------------------------------------------- phenopackets, FHIR
def snapshot(
    patient: Patient, kb: KnowledgeBase, consents: Sequence[Consent] = ()
) -> RecordSnapshot:
    terms = kb.ontology.terms
    disease = kb.diseases.get(patient.orpha_code or "")
    confirmed = [d for d in patient.diagnoses if d.orpha_code == patient.orpha_code]
    return RecordSnapshot(
        pseudonym=patient.pseudonym,
        sex=patient.sex.value,
        birth_month=patient.birth_month,
        vital_status=patient.vital_status.value,
        death_date=patient.death_date,
        orpha_code=patient.orpha_code,
        disease_label=disease.name if disease else "",
        diagnostic_status=patient.diagnostic_status.value,
        icd10_code=confirmed[-1].icd10_code if confirmed else "",
        omim_code=confirmed[-1].omim_code if confirmed else "",
        features=tuple(
            Feature(ph.hpo_id, terms[ph.hpo_id].name if ph.hpo_id in terms else "", ph.excluded)
            for ph in patient.phenotypes
        ),
        consents=tuple(
            ConsentSnapshot(c.purpose.value, c.given_on, c.form_version, c.withdrawn_on)
            for c in consents
        ),
    )


def export_phenopackets(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase
) -> Iterator[str]:
    """One GA4GH Phenopacket v2 JSON document per visible patient (pseudonymised)."""
    for patients in service.visible(session=session, principal=principal, action="export"):
        given = consent.of_patients(session=session, patient_ids=[p.id for p in patients])
        for patient in patients:
            yield phenopackets.to_json(snapshot(patient, kb, given[patient.id]))


def export_fhir(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase
) -> tuple[str, list[FieldError]]:
    """One FHIR Bundle of the visible patients (Patient under its pseudonym, Condition,
    Observations), and the records left out because FHIR refuses them, each named by its
    pseudonym: one bad record never fails the whole file. The bundle also carries them as an
    OperationOutcome."""

    def snapshots() -> Iterator[RecordSnapshot]:
        for patients in service.visible(session=session, principal=principal, action="export"):
            given = consent.of_patients(session=session, patient_ids=[p.id for p in patients])
            for p in patients:
                yield snapshot(p, kb, given[p.id])

    return fhir.to_json(snapshots())


def import_phenopacket(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    vault: IdentityVault,
    text: str,
    province_code: str,
    today: date | None = None,
) -> Patient:
    """Register a patient from a phenopacket at the user's centre. A phenopacket carries no
    direct identifier: the subject id and date of birth key the identity."""
    record = phenopackets.from_json(text)
    status = record.diagnostic_status
    data = PatientIn.model_validate(
        {
            "identity": {
                "full_name": f"phenopacket {record.pseudonym}",
                "birth_date": record.birth_month,
            },
            "sex": record.sex,
            "vital_status": record.vital_status,
            "death_date": record.death_date,
            "diagnostic_status": "suspected" if record.orpha_code else "undiagnosed",
            "orpha_code": None,
            "contact_for_research": False,
            "consent_reuse": False,
            "province_code": province_code,
        }
    )
    patient = service.register(
        session=session, principal=principal, kb=kb, vault=vault, data=data, today=today
    )
    for feature in record.features:
        service.add_phenotype(
            session=session,
            principal=principal,
            kb=kb,
            patient_id=patient.id,
            data=PhenotypeIn(hpo_id=feature.hpo_id, excluded=feature.excluded),
        )
    if record.orpha_code:
        service.add_diagnosis(
            session=session,
            principal=principal,
            kb=kb,
            patient_id=patient.id,
            data=DiagnosisIn(orpha_code=record.orpha_code, status=DiagnosticStatus(status)),
            today=today,
        )
    current = [c for c in record.consents if c.withdrawn_on is None]
    if current:  # the consents the phenopacket carries, with their dates and form versions
        handle = service.open_record(
            session=session, principal=principal, patient_id=patient.id, action="update"
        )
        purposes = {p.value: p for p in ConsentPurpose}
        for given in {c.purpose: c for c in current}.values():  # one current per purpose
            if given.purpose in purposes:
                consent.give(
                    session=session,
                    record=handle,
                    purpose=purposes[given.purpose],
                    given_on=min(given.given_on, today or date.today()),
                    form_version=given.form_version,
                    today=today,
                )
    return patient
