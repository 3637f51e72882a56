import io
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.errors import ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import bulk
from rarecare.registry.models import Identity, Patient
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, register_patient

HEADER = (
    "full_name,birth_date,national_id,sex,vital_status,death_date,first_contact_date,diagnostic_status,"
    "orpha_code,contact_for_research,consent_reuse,province_code,hpo_observed,hpo_excluded\n"
)
GOOD = HEADER + (
    "Lê Văn Hùng,2018-02-03,001218000001,male,alive,,2020-05-01,confirmed,ORPHA:365,yes,yes,01,"
    '"HP:0001639, HP:0001252",HP:0001250\n'
    "Trần Thị Mai,2015-07-09,079315000002,female,alive,,2024-03-01,suspected,,no,yes,79,,\n"
)
BAD = HEADER + (
    "Lê Văn Hùng,2018-02-03,001218000001,male,alive,,2020-05-01,confirmed,ORPHA:99999999,yes,yes,01,,\n"
    "Trần Thị Mai,2015-07-09,079315000002,female,dead,2014-01-01,2024-03-01,suspected,,yes,yes,79,,\n"
    "Đỗ Văn Nam,2016-01-01,001216000003,male,alive,,2030-01-01,suspected,,yes,yes,01,,\n"
    "Phan Thị Hoa,2017-01-01,001217000004,female,alive,,2024-01-01,suspected,,,yes,01,,\n"
)


def _import(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    vault: IdentityVault,
    text: str,
    dry_run: bool = False,
    *,
    principal: Principal | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, object]:
    return bulk.import_patients(
        session=db,
        principal=principal or cast.data_manager_a,
        kb=kb,
        vault=vault,
        content=text.encode(),
        filename="patients.csv",
        dry_run=dry_run,
        today=TODAY,
        workers=workers,
        progress=progress,
    )


def test_every_bad_row_and_field_is_reported_and_nothing_written(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, vault, BAD)
    problems = [(d.row, d.field) for d in err.value.details]
    assert problems == [
        (2, "orpha_code"),
        (3, "death_date"),
        (3, "first_contact_date"),  # after the date of death
        (4, "first_contact_date"),
        (5, "contact_for_research"),
    ]
    assert "before the date of birth" in err.value.details[1].message
    assert "after the date of death" in err.value.details[2].message
    assert "in the future" in err.value.details[3].message
    assert db.scalar(select(func.count()).select_from(Patient)) == 0
    assert db.scalar(select(func.count()).select_from(Identity)) == 0


def test_a_good_file_registers_everyone_with_phenotypes(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    dry = _import(db, cast, kb, vault, GOOD, dry_run=True)
    assert (dry["rows"], dry["written"]) == (2, 0)
    report = _import(db, cast, kb, vault, GOOD)
    assert report["written"] == 2
    patients = db.scalars(select(Patient).order_by(Patient.id)).all()
    assert [p.centre_id for p in patients] == [cast.centre_a, cast.centre_a]
    assert sorted((ph.hpo_id, ph.excluded) for ph in patients[0].phenotypes) == [
        ("HP:0001250", True),
        ("HP:0001252", False),
        ("HP:0001639", False),
    ]


def test_the_same_person_twice_in_a_file_is_refused(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    lines = GOOD.splitlines(keepends=True)
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, vault, "".join([*lines, lines[1]]))
    assert err.value.details[0].row == 4
    assert "same person as row 2" in err.value.details[0].text


def test_the_template_imports_and_the_export_has_no_identities(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    report = bulk.import_patients(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        vault=vault,
        content=bulk.template("xlsx"),
        filename="t.xlsx",
        today=TODAY,
    )
    assert report["written"] == 1
    exported = io.BytesIO()
    assert bulk.export_table(session=db, principal=cast.analyst, fmt="xlsx", target=exported) == 1
    sheet = load_workbook(exported).worksheets[0]
    values = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert "RC-" in values
    assert "Nguyễn" not in values
    assert "001321012345" not in values


def _people(n: int, *, bad_last: bool = False) -> str:
    rows = [
        f"Người Số {i},2015-01-01,0012150{i:05d},female,alive,,2024-01-01,suspected,,yes,yes,01,,\n"
        for i in range(1, n + 1)
    ]
    if bad_last:
        rows[-1] = rows[-1].replace("2024-01-01", "2030-01-01")  # first contact in the future
    return HEADER + "".join(rows)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 2)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("workers", [0, 2], ids=["in-process", "worker-processes"])
def test_a_large_file_is_checked_and_written_chunk_by_chunk(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault, workers: int
) -> None:
    report = _import(db, cast, kb, vault, _people(5), workers=workers)
    assert (report["rows"], report["written"]) == (5, 5)
    patients = db.scalars(select(Patient).order_by(Patient.id)).all()
    assert len({p.pseudonym for p in patients}) == 5
    assert db.scalar(select(func.count()).select_from(Identity)) == 5
    # each identity decrypts, bound to its own patient id
    for patient in patients:
        blob = db.scalar(select(Identity).where(Identity.patient_id == patient.id))
        assert blob is not None
        name = vault.decrypt(blob.blob, str(patient.id).encode()).full_name
        assert name.startswith("Người Số ")


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("workers", [0, 2], ids=["in-process", "worker-processes"])
def test_bad_rows_after_chunks_were_written_are_all_reported_and_undo_everything(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault, workers: int
) -> None:
    lines = _people(5, bad_last=True).splitlines(keepends=True)
    lines[2] = lines[2].replace("01,,", "99,,")  # row 3: no such province
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, vault, "".join(lines), workers=workers)
    assert [(d.row, d.field) for d in err.value.details] == [
        (3, "province_code"),
        (6, "first_contact_date"),
    ]
    assert db.scalar(select(func.count()).select_from(Patient)) == 0
    assert db.scalar(select(func.count()).select_from(Identity)) == 0


@pytest.mark.usefixtures("small_chunks")
def test_people_registered_at_another_centre_are_flagged_as_possible_duplicates(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _import(db, cast, kb, vault, _people(3))
    report = _import(db, cast, kb, vault, _people(5), principal=cast.clinician_b, workers=2)
    assert report["possible_duplicates"] == 3
    at_b = db.scalars(
        select(Patient).where(Patient.centre_id == cast.centre_b).order_by(Patient.id)
    ).all()
    first = {
        p.pseudonym: p.id
        for p in db.scalars(select(Patient).where(Patient.centre_id == cast.centre_a))
    }
    assert [p.possible_duplicate_of for p in at_b] == [first.get(p.pseudonym) for p in at_b]
    assert sum(p.possible_duplicate_of is not None for p in at_b) == 3


def test_the_prepared_columns_and_their_binary_copy_types_match_the_database(db: Session) -> None:
    from psycopg.postgres import types as pg_types
    from sqlalchemy import inspect, text

    from rarecare.registry import prepare

    tables = {
        "registry_patients": (prepare.PATIENT_COLUMNS, prepare.PATIENT_TYPES),
        "registry_identities": (prepare.IDENTITY_COLUMNS, prepare.IDENTITY_TYPES),
        "registry_phenotypes": (prepare.PHENOTYPE_COLUMNS, prepare.PHENOTYPE_TYPES),
        "registry_consents": (prepare.CONSENT_COLUMNS, prepare.CONSENT_TYPES),
    }
    for table, (columns, types) in tables.items():
        assert len(columns) == len(types)
        assert set(columns) <= {c["name"] for c in inspect(db.connection()).get_columns(table)}
        if db.get_bind().dialect.name == "postgresql":
            actual: dict[str, str] = dict(
                db.execute(
                    text(
                        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
                        " WHERE attrelid = CAST(:t AS regclass) AND attnum > 0"
                    ),
                    {"t": table},
                ).all()
            )
            assert [pg_types[actual[c]].name for c in columns] == list(types), table


@pytest.mark.usefixtures("small_chunks")
def test_an_import_reports_its_progress_chunk_by_chunk(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    told: list[int] = []
    _import(db, cast, kb, vault, _people(5), progress=told.append)
    assert told == [2, 2, 1]


def test_a_near_homonym_of_an_earlier_record_is_flagged_on_import(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    first = register_patient(db, cast, kb, vault, full_name="Lê Văn Lân", national_id="")
    line = "Lê Văn Lan,2021-03-14,,female,alive,,2022-01-10,suspected,,no,no,01,,\n"
    report = _import(db, cast, kb, vault, HEADER + line)
    assert report["possible_duplicates"] == 1
    flagged = db.scalars(select(Patient).where(Patient.id != first.id)).one()
    assert flagged.possible_duplicate_of == first.id


def test_an_import_carries_how_each_case_was_detected(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    text = (
        "full_name,birth_date,sex,first_contact_date,diagnostic_status,contact_for_research,"
        "consent_reuse,province_code,detection\n"
        "Lâm Thị Hoa,2025-01-02,female,2025-01-20,suspected,no,yes,01,newborn_screening\n"
        "Lâm Văn Hải,2020-01-02,male,2022-01-20,suspected,no,yes,01,stars\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        _import(db, cast, kb, vault, text)
    assert [(d.row, d.field) for d in caught.value.details] == [(3, "detection")]
    report = _import(db, cast, kb, vault, text.replace(",stars", ",symptoms"))
    assert report["written"] == 2
    assert sorted(p.detection.value for p in db.scalars(select(Patient))) == [
        "newborn_screening",
        "symptoms",
    ]


CONSENTING = HEADER.replace("hpo_excluded\n", "hpo_excluded,consents\n") + (
    "Lê Văn Hùng,2018-02-03,001218000001,male,alive,,2020-05-01,confirmed,ORPHA:365,yes,yes,01,,,"
    '"research 2021-04-02 (form v2); biobank 2021-04-02"\n'
    "Trần Thị Mai,2015-07-09,079315000002,female,alive,,2024-03-01,suspected,,no,yes,79,,,\n"
)


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_records_the_consents_it_lists_with_their_dates(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault, workers: int
) -> None:
    from rarecare.registry import consent

    _import(db, cast, kb, vault, CONSENTING, workers=workers)
    patients = {p.sex.value: p for p in db.scalars(select(Patient))}
    given = consent.of_patients(session=db, patient_ids=[p.id for p in patients.values()])
    hung = sorted(
        (c.purpose.value, c.given_on.isoformat(), c.form_version)
        for c in given[patients["male"].id]
    )
    # recontact: ticked without a date in the cell, so given on the day of the import
    assert hung[:2] == [("biobank", "2021-04-02", ""), ("recontact", hung[1][1], "")]
    assert hung[2] == ("research", "2021-04-02", "v2")
    mai = sorted(c.purpose.value for c in given[patients["female"].id])
    assert mai == ["research"]  # consent_reuse yes, contact_for_research no


def test_an_import_names_every_bad_consent_and_writes_nothing(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    bad = HEADER.replace("hpo_excluded\n", "hpo_excluded,consents\n") + (
        "Lê Văn Hùng,2018-02-03,001218000001,male,alive,,2020-05-01,confirmed,ORPHA:365,yes,no,01,,,"
        '"research 2021-04-02; dna 2021-04-02; biobank 2099-01-01; care yesterday"\n'
    )
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, vault, bad)
    assert [(d.row, d.field, d.params) for d in err.value.details] == [
        (2, "consents", {"code": "research", "column": "consent_reuse"}),
        (2, "consents", {"code": "dna"}),
        (2, "consents", {"item": "biobank 2099-01-01"}),
        (2, "consents", {"item": "care yesterday"}),
    ]
    assert db.scalar(select(func.count()).select_from(Patient)) == 0
