import io
import json
from dataclasses import replace
from datetime import date
from enum import Enum

from fhir.resources.R4B.bundle import Bundle
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.interop import fhir
from rarecare.interop.records import Feature, RecordSnapshot
from rarecare.interop.tabular import read_rows
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import bulk, consent, service
from rarecare.registry.models import DiagnosticStatus
from rarecare.registry.schemas import DiagnosisIn, PatientIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, patient_payload


def _pompe_patient(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> int:
    patient = service.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(patient_payload()),
        today=TODAY,
    )
    for term, excluded in (("HP:0001639", False), ("HP:0001252", False), ("HP:0001250", True)):
        service.add_phenotype(
            session=db,
            principal=cast.clinician_a,
            kb=kb,
            patient_id=patient.id,
            data=PhenotypeIn(hpo_id=term, excluded=excluded),
        )
    service.add_diagnosis(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=patient.id,
        data=DiagnosisIn(orpha_code="ORPHA:365", status=DiagnosticStatus.CONFIRMED),
        today=TODAY,
    )
    return patient.id


def test_phenopacket_export_then_import_round_trips(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    original_id = _pompe_patient(db, cast, kb, vault)
    (document,) = bulk.export_phenopackets(session=db, principal=cast.clinician_a, kb=kb)
    assert "Nguyễn" not in document
    imported = bulk.import_phenopacket(
        session=db,
        principal=cast.clinician_b,
        kb=kb,
        vault=vault,
        text=document,
        province_code="79",
        today=TODAY,
    )
    original = service.get(session=db, principal=cast.clinician_a, patient_id=original_id)
    a, b = bulk.snapshot(original, kb), bulk.snapshot(imported, kb)
    assert (b.sex, b.birth_month, b.orpha_code, b.diagnostic_status, b.icd10_code, b.omim_code) == (
        a.sex,
        a.birth_month,
        a.orpha_code,
        a.diagnostic_status,
        a.icd10_code,
        a.omim_code,
    )
    assert sorted(b.features) == sorted(a.features)
    # the consents travel with their dates
    assert sorted((c.purpose, c.given_on) for c in consent.history(session=db, patient_id=imported.id)) == [
        ("recontact", TODAY), ("research", TODAY)
    ]  # fmt: skip


def test_the_fhir_bundle_validates_and_carries_no_identity(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _pompe_patient(db, cast, kb, vault)
    text, problems = bulk.export_fhir(session=db, principal=cast.analyst, kb=kb)
    assert problems == []
    bundle = Bundle.model_validate_json(text)
    kinds = [type(e.resource).__name__ for e in bundle.entry or []]
    assert kinds == [
        "Patient", "Condition", "Observation", "Observation", "Observation", "Consent", "Consent"
    ]  # fmt: skip
    consents = [e["resource"] for e in json.loads(text)["entry"][5:]]
    assert {(c["status"], c["category"][1]["coding"][0]["code"]) for c in consents} == {
        ("active", "research"),
        ("active", "recontact"),
    }
    data = json.loads(text)
    condition = data["entry"][1]["resource"]["code"]["coding"]
    assert {"system": "http://www.orpha.net", "code": "365"}.items() <= condition[0].items()
    assert any(c["code"] == "E74.0" for c in condition)
    assert "Nguyễn" not in text
    assert "001321012345" not in text


def _with_formula_biobank(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> int:
    patient = service.register(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        data=PatientIn.model_validate(
            patient_payload(biobank='=HYPERLINK("http://evil.example","biobank")')
        ),
        today=TODAY,
    )
    return patient.id


def test_exports_neutralise_spreadsheet_formulas_and_read_back_unchanged(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _with_formula_biobank(db, cast, kb, vault)
    csv_file = io.BytesIO()
    bulk.export_table(session=db, principal=cast.analyst, fmt="csv", target=csv_file)
    text = csv_file.getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    xlsx_file = io.BytesIO()
    bulk.export_table(session=db, principal=cast.analyst, fmt="xlsx", target=xlsx_file)
    sheet = load_workbook(xlsx_file).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" and str(c.value).startswith("'") for c in cells)
    [(_row, values)], errors = read_rows(bulk.EXPORT_TABLE, csv_file.getvalue(), "export.csv")
    assert errors == []
    assert values["biobank"] == '=HYPERLINK("http://evil.example","biobank")'


def test_the_csv_export_reads_back_to_the_same_records(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient_id = _pompe_patient(db, cast, kb, vault)
    exported = io.BytesIO()  # the centre's own records, as they are
    exporter = cast.data_manager_a
    assert bulk.export_table(session=db, principal=exporter, fmt="csv", target=exported) == 1
    [(_row, values)], errors = read_rows(bulk.EXPORT_TABLE, exported.getvalue(), "export.csv")
    assert errors == []
    patient = service.get(session=db, principal=exporter, patient_id=patient_id)
    given = consent.of_patients(session=db, patient_ids=[patient.id], current_only=True)
    [expected] = bulk.export_rows([patient], given)
    expected["birth_month"] = patient.birth_month

    def same(v: object) -> object:  # an empty cell is the empty value of its column
        v = v.value if isinstance(v, Enum) else v
        return None if v in ("", []) else v

    for name, value in expected.items():
        assert same(values.get(name)) == same(value), name


def test_exports_go_through_every_record_a_batch_at_a_time(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    for i in range(5):
        identity = {**patient_payload()["identity"], "national_id": f"00132101234{i}"}
        service.register(
            session=db,
            principal=cast.clinician_a,
            kb=kb,
            vault=vault,
            data=PatientIn.model_validate(patient_payload(identity=identity)),
            today=TODAY,
        )
    batches = list(service.visible(session=db, principal=cast.analyst, action="export", batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "export" and event.detail is not None
    assert len(event.detail["returned"]) == 5


def test_a_record_fhir_refuses_is_left_out_and_named_not_the_whole_bundle() -> None:
    good = RecordSnapshot(
        pseudonym="RC-GOOD",
        sex="female",
        birth_month=date(2020, 1, 1),
        vital_status="alive",
        death_date=None,
        orpha_code=None,
        disease_label="",
        diagnostic_status="undiagnosed",
        features=(Feature("HP:0001250", "Seizure", False),),
    )
    bad = replace(good, pseudonym="RC-BAD", features=(Feature(" HP:1  bad ", "", False),))
    text, problems = fhir.to_json([good, bad])
    assert [p.field for p in problems] == ["RC-BAD"]
    bundle = Bundle.model_validate_json(text)
    kinds = [type(e.resource).__name__ for e in bundle.entry or []]
    assert kinds == ["Patient", "Observation", "OperationOutcome"]
    assert "RC-BAD" in text.split("OperationOutcome")[1]


def test_a_ministry_export_coarsens_a_rare_combination(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _pompe_patient(db, cast, kb, vault)
    exported = io.BytesIO()
    bulk.export_table(session=db, principal=cast.analyst, fmt="csv", target=exported)
    [(_row, values)], _errors = read_rows(bulk.EXPORT_TABLE, exported.getvalue(), "x.csv")
    assert values["birth_month"] == date(2021, 1, 1)
    assert values["province_code"] == ""
    mine = io.BytesIO()  # the patient's own centre exports the record as it is
    bulk.export_table(session=db, principal=cast.data_manager_a, fmt="csv", target=mine)
    [(_row, own)], _errors = read_rows(bulk.EXPORT_TABLE, mine.getvalue(), "x.csv")
    assert own["birth_month"] == date(2021, 3, 1) and own["province_code"] == "01"
