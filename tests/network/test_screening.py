from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.errors import ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.network import screening, screening_import
from rarecare.network.models import (
    ScreeningIdentity,
    ScreeningOutcome,
    ScreeningRecord,
    ScreeningResult,
)
from rarecare.network.schemas import ProgrammeIn, ScreeningFollowUpIn

from .conftest import Network

HEADER = (
    "sample_code,programme,laboratory,baby_name,mother_name,birth_date,sex,province_code,"
    "phone,address,sample_date,result_date,result,analyte\n"
)
GOOD = [
    "NBS-1,NBS-X,LAB-A,,Nguyễn Thị Hoa,2026-03-02,female,01,0912345678,12 Phố Huế,2026-03-04,2026-03-09,normal,",
    "NBS-2,NBS-X,LAB-A,Lê Minh,Lê Thị Mai,2026-03-03,male,01,,,2026-03-05,2026-03-10,positive,Phe 420 µmol/L",
    "NBS-3,NBS-X,LAB-A,,Phạm Thu,04/03/2026,nữ,79,,,06/03/2026,,normal,",
]


def _import(db: Session, network: Network, lines: list[str]) -> dict[str, object]:
    return screening_import.import_results(
        session=db,
        principal=network.cast.data_manager_a,
        vault=network.vault,
        content=(HEADER + "\n".join(lines) + "\n").encode(),
        filename="results.csv",
        today=date(2026, 4, 1),
    )


def test_a_programme_screens_only_diseases_the_national_list_flags(
    db: Session, network: Network, kb: KnowledgeBase, programme: int
) -> None:
    with pytest.raises(ValidationFailed) as err:
        screening.add_programme(
            session=db,
            principal=network.cast.analyst,
            kb=kb,
            data=ProgrammeIn(code="NBS-P", name="Pompe", orpha_codes=["ORPHA:365"]),
        )
    assert [e.field for e in err.value.details] == ["orpha_codes"]


def test_importing_results_keeps_identities_only_encrypted(
    db: Session, network: Network, programme: int
) -> None:
    report = _import(db, network, GOOD)
    assert report == {"rows": 3, "written": 3}
    records = {r.sample_code: r for r in db.scalars(select(ScreeningRecord))}
    assert records["NBS-2"].result is ScreeningResult.POSITIVE
    assert records["NBS-2"].outcome is ScreeningOutcome.PENDING
    assert records["NBS-1"].outcome is ScreeningOutcome.NOT_APPLICABLE
    assert records["NBS-3"].sex == "female" and records["NBS-3"].province_code == "79"
    assert records["NBS-1"].birth_month == date(2026, 3, 1)
    assert records["NBS-1"].age_at_sample_hours == 48
    stored = " ".join(
        str(getattr(records["NBS-1"], c.key)) for c in ScreeningRecord.__table__.columns
    )
    assert "Hoa" not in stored and "0912345678" not in stored
    blob = db.get(ScreeningIdentity, records["NBS-1"].id)
    assert blob is not None and b"Hoa" not in blob.blob
    who = screening.identity_of(
        session=db,
        principal=network.cast.data_manager_a,
        vault=network.vault,
        record_id=records["NBS-2"].id,
        reason="Recall the family for a confirmatory test.",
    )
    assert (who.full_name, who.guardian) == ("Lê Minh", "Lê Thị Mai")


def test_a_file_with_errors_imports_nothing_and_names_every_row(
    db: Session, network: Network, programme: int
) -> None:
    bad = [
        *GOOD,
        "NBS-1,NBS-X,LAB-A,,Trần Thị B,2026-03-02,female,01,,,2026-03-04,,normal,",
        "NBS-5,NBS-Y,LAB-A,,Trần Thị C,2026-02-30,male,99,,,2026-03-04,,sick,",
    ]
    with pytest.raises(ValidationFailed) as err:
        _import(db, network, bad)
    where = {(e.row, e.field) for e in err.value.details}
    assert where == {
        (5, "sample_code"),  # the same sample as row 2
        (6, "programme"),
        (6, "birth_date"),
        (6, "province_code"),
        (6, "result"),
    }
    assert db.scalars(select(ScreeningRecord)).all() == []


def test_a_sample_imported_before_is_refused(db: Session, network: Network, programme: int) -> None:
    _import(db, network, GOOD[:1])
    with pytest.raises(ValidationFailed) as err:
        _import(db, network, GOOD)
    assert [(e.row, e.field) for e in err.value.details] == [(2, "sample_code")]


def test_a_confirmed_positive_is_linked_to_its_registry_record_and_counted(
    db: Session, network: Network, programme: int
) -> None:
    _import(db, network, GOOD)
    positive = screening.search(
        session=db,
        principal=network.cast.admin,
        result=ScreeningResult.POSITIVE,
        outcome=ScreeningOutcome.PENDING,
    )
    assert [r.sample_code for r in positive] == ["NBS-2"]
    with pytest.raises(ValidationFailed):
        screening.follow_up(
            session=db,
            principal=network.cast.admin,
            record_id=positive[0].id,
            data=ScreeningFollowUpIn(outcome=ScreeningOutcome.CONFIRMED),
        )
    screening.follow_up(
        session=db,
        principal=network.cast.admin,
        record_id=positive[0].id,
        data=ScreeningFollowUpIn(
            recalled_on=date(2026, 3, 11),
            confirmatory_test="Plasma amino acids",
            confirmed_on=date(2026, 3, 13),
            outcome=ScreeningOutcome.CONFIRMED,
            patient_id=network.patient.id,
            first_treatment_on=date(2026, 3, 14),
        ),
    )
    figures = screening.figures(
        session=db, principal=network.cast.analyst, first=date(2026, 3, 1), last=date(2026, 3, 31)
    )
    assert (figures.screened, figures.positives, figures.confirmed) == (3, 1, 1)
    assert figures.days_birth_to_result == 7.0
    assert figures.days_result_to_confirmation == 3.0
    assert figures.days_birth_to_treatment == 11.0
    hanoi = next(p for p in figures.provinces if p.code == "01")
    assert hanoi.screened == 2 and hanoi.positives == 1 and hanoi.expected_births > 0


def test_clinicians_do_not_browse_screening_records(db: Session, network: Network) -> None:
    from rarecare.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        screening.search(session=db, principal=network.cast.clinician_a)


def test_an_xlsx_file_imports_like_a_csv(db: Session, network: Network, programme: int) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    for line in GOOD:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    report = screening_import.import_results(
        session=db,
        principal=network.cast.data_manager_a,
        vault=network.vault,
        content=buffer.getvalue(),
        filename="results.xlsx",
        today=date(2026, 4, 1),
    )
    assert report == {"rows": 3, "written": 3}
