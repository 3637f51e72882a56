import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service
from rarecare.lists.models import DiseaseEntry, ListKind, VersionStatus
from rarecare.lists.schemas import ImportReport, VersionIn
from tests.conftest import Cast

HEADER = "orpha_code,name_vi,name_en,icd10,disease_group,full_coverage,newborn_screening,note\n"
GOOD = HEADER + (
    "ORPHA:365,Bệnh Pompe,,,Lysosomal,yes,no,\n"
    "355,Bệnh Gaucher,Gaucher disease,E75.2,Lysosomal,yes,no,\n"
    "ORPHA:716,Bệnh phenylketon niệu,,,Amino acids,yes,yes,\n"
)
BAD = HEADER + (
    "ORPHA:365,Bệnh Pompe,,,Lysosomal,yes,no,\n"
    "ORPHA:99999999,Bệnh không có,,,x,no,no,\n"
    "ORPHA:355,,Gaucher disease,,x,no,no,\n"
    "ORPHA:365,Bệnh Pompe lần hai,,,x,no,no,\n"
)


def _draft(db: Session, cast: Cast, title: str = "Danh mục thử", **extra: object) -> int:
    data = VersionIn(
        title=title, decision_number="1/QĐ-BYT", effective_from=date(2026, 1, 1), **extra
    )
    return service.create_version(
        session=db, principal=cast.analyst, kind=ListKind.DISEASES, data=data
    ).id


def _import(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    version_id: int,
    text: str,
    dry_run: bool = False,
    **options: object,
) -> ImportReport:
    return service.import_file(
        session=db,
        principal=cast.analyst,
        kb=kb,
        version_id=version_id,
        content=text.encode(),
        filename="list.csv",
        dry_run=dry_run,
        **options,  # type: ignore[arg-type]
    )


def test_a_bad_file_fails_with_one_precise_message_per_problem_and_writes_nothing(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    version_id = _draft(db, cast)
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, version_id, BAD)
    problems = [(d.row, d.field) for d in err.value.details]
    assert problems == [(3, "orpha_code"), (4, "name_vi"), (5, "orpha_code")]
    messages = [d.text for d in err.value.details]
    assert "ORPHA:99999999 is not an ORPHAcode" in messages[0]
    assert "required value is missing" in messages[1]
    assert "duplicate of row 2" in messages[2]
    count = db.scalar(
        select(func.count()).select_from(DiseaseEntry).where(DiseaseEntry.version_id == version_id)
    )
    assert count == 0


def test_a_correct_file_imports_and_fills_names_and_icd10_from_the_catalogue(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    version_id = _draft(db, cast)
    report = _import(db, cast, kb, version_id, GOOD)
    assert report.added == 3
    version = service.get_version(session=db, principal=cast.analyst, version_id=version_id)
    pompe = next(e for e in version.disease_entries if e.orpha_code == "ORPHA:365")
    assert pompe.name_en == "Glycogen storage disease due to acid maltase deficiency"
    assert pompe.icd10_codes == ["E74.0"]
    assert next(e for e in version.disease_entries if e.orpha_code == "ORPHA:355").icd10_codes == [
        "E75.2"
    ]


def test_a_dry_run_reports_but_writes_nothing(db: Session, cast: Cast, kb: KnowledgeBase) -> None:
    version_id = _draft(db, cast)
    report = _import(db, cast, kb, version_id, GOOD, dry_run=True)
    assert (report.rows, report.written) == (3, False)
    version = service.get_version(session=db, principal=cast.analyst, version_id=version_id)
    assert version.disease_entries == []


def test_a_wrong_header_names_the_unknown_and_missing_columns(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    version_id = _draft(db, cast)
    with pytest.raises(ValidationFailed) as err:
        _import(db, cast, kb, version_id, "orpha,name_vi\nORPHA:365,x\n")
    assert {(d.row, d.field) for d in err.value.details} == {(1, "orpha"), (1, "orpha_code")}


def test_approving_supersedes_the_previous_version_and_diff_shows_the_change(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    first = _draft(db, cast, "version 1")
    _import(db, cast, kb, first, GOOD)
    service.approve(session=db, principal=cast.admin, version_id=first)  # four eyes
    second = service.create_version(
        session=db,
        principal=cast.analyst,
        kind=ListKind.DISEASES,
        copy_from=first,
        data=VersionIn(
            title="version 2", decision_number="2/QĐ-BYT", effective_from=date(2026, 7, 1)
        ),
    ).id
    changed = GOOD.replace(
        "ORPHA:716,Bệnh phenylketon niệu,,,Amino acids,yes,yes,\n",
        "ORPHA:716,Bệnh PKU,,,Amino acids,yes,yes,\nORPHA:905,Bệnh Wilson,,,Metals,yes,no,\n",
    )
    changed = changed.replace("355,Bệnh Gaucher,Gaucher disease,E75.2,Lysosomal,yes,no,\n", "")
    _import(db, cast, kb, second, changed, confirm=True)  # it removes Gaucher disease
    service.approve(session=db, principal=cast.admin, version_id=second)

    old = service.get_version(session=db, principal=None, version_id=first)
    new = service.get_version(session=db, principal=None, version_id=second)
    assert old.status == VersionStatus.SUPERSEDED
    assert old.effective_to == date(2026, 6, 30)
    assert (new.status, new.approved_by) == (VersionStatus.APPROVED, "admin")
    assert service.current_version(session=db, kind=ListKind.DISEASES) is not None

    diff = service.diff(session=db, principal=None, from_id=first, to_id=second)
    assert [r["orpha_code"] for r in diff.added] == ["ORPHA:905"]
    assert [r["orpha_code"] for r in diff.removed] == ["ORPHA:355"]
    assert [(c.key, [(f.field, f.old, f.new) for f in c.changes]) for c in diff.changed] == [
        ("ORPHA:716", [("name_vi", "Bệnh phenylketon niệu", "Bệnh PKU")])
    ]


def test_approval_needs_a_decision_an_effective_date_and_entries(db: Session, cast: Cast) -> None:
    version_id = service.create_version(
        session=db,
        principal=cast.analyst,
        kind=ListKind.DISEASES,
        data=VersionIn(title="incomplete"),
    ).id
    with pytest.raises(ValidationFailed) as err:
        service.approve(session=db, principal=cast.admin, version_id=version_id)
    assert {d.field for d in err.value.details} == {"decision_number", "effective_from", "entries"}


def test_an_approved_version_cannot_be_changed(db: Session, cast: Cast, kb: KnowledgeBase) -> None:
    version_id = _draft(db, cast)
    _import(db, cast, kb, version_id, GOOD)
    service.approve(session=db, principal=cast.admin, version_id=version_id)
    with pytest.raises(Conflict):
        _import(db, cast, kb, version_id, GOOD)


def test_drafts_are_hidden_from_clinicians_and_the_public(db: Session, cast: Cast) -> None:
    version_id = _draft(db, cast)
    for principal in (None, cast.clinician_a):
        with pytest.raises(NotFound):
            service.get_version(session=db, principal=principal, version_id=version_id)
        assert service.list_versions(session=db, principal=principal, kind=ListKind.DISEASES) == []


def test_only_the_ministry_and_admins_edit_lists(db: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        service.create_version(
            session=db,
            principal=cast.clinician_a,
            kind=ListKind.DISEASES,
            data=VersionIn(title="mine"),
        )


def test_export_to_xlsx_and_back_round_trips(db: Session, cast: Cast, kb: KnowledgeBase) -> None:
    version_id = _draft(db, cast)
    _import(db, cast, kb, version_id, GOOD)
    data, name = service.export_file(
        session=db, principal=cast.analyst, version_id=version_id, fmt="xlsx"
    )
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["orpha_code", "name_vi"]
    copy = _draft(db, cast, "copy")
    report = service.import_file(
        session=db, principal=cast.analyst, kb=kb, version_id=copy, content=data, filename=name
    )
    assert report.added == 3
    assert (
        service.diff(session=db, principal=cast.analyst, from_id=version_id, to_id=copy).changed
        == []
    )


def test_the_templates_import_cleanly_into_their_lists(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    for kind in ListKind:
        for fmt in ("csv", "xlsx"):
            data, name = service.template_file(kind, fmt)
            version_id = service.create_version(
                session=db,
                principal=cast.analyst,
                kind=kind,
                data=VersionIn(title=f"template {fmt}"),
            ).id
            report = service.import_file(
                session=db,
                principal=cast.analyst,
                kb=kb,
                version_id=version_id,
                content=data,
                filename=name,
                dry_run=True,
            )
            assert report.rows == 1


DRUG_HEADER = (
    "inn,brand_names,atc_code,form,strength,strength_unit,route,indications,dose_basis,dose,dose_unit,"
    "interval_days,loading_days,vial_sharing,price_vnd,price_effective_from,price_effective_to,"
    "reimbursement,coverage_rate,note\n"
)


def test_drug_rows_are_checked_field_by_field(db: Session, cast: Cast, kb: KnowledgeBase) -> None:
    version_id = service.create_version(
        session=db, principal=cast.analyst, kind=ListKind.DRUGS, data=VersionIn(title="drugs")
    ).id
    bad = DRUG_HEADER + (
        "alglucosidase alfa,Myozyme,A16AB07,powder,50,mg,IV,ORPHA:365,per_kg,20,mg,14,,yes,1,2025-01-01,,covered,100,\n"
        "laronidase,,XX,vial,2.9,mg,IV,ORPHA:0,weekly,0.58,U,7,soon,no,-5,2025-01-01,2024-01-01,free,150,\n"
    )
    with pytest.raises(ValidationFailed) as err:
        service.import_file(
            session=db,
            principal=cast.analyst,
            kb=kb,
            version_id=version_id,
            content=bad.encode(),
            filename="drugs.csv",
        )
    fields = sorted(d.field for d in err.value.details if d.row == 3)
    assert fields == sorted(
        [
            "atc_code",
            "indications",
            "dose_basis",
            "dose_unit",
            "loading_days",
            "price_vnd",
            "price_effective_to",
            "reimbursement",
            "coverage_rate",
        ]
    )
    assert all(d.row == 3 for d in err.value.details)


def test_a_stale_change_of_a_draft_is_refused_with_what_changed(db: Session, cast: Cast) -> None:
    draft = service.create_version(
        session=db,
        principal=cast.analyst,
        kind=ListKind.DISEASES,
        data=VersionIn(title="National list 2027"),
    )
    opened = draft.version
    service.update_version(
        session=db,
        principal=cast.analyst,
        version_id=draft.id,
        data=VersionIn(title="National list 2027 (revised)", version=opened),
    )
    with pytest.raises(Conflict) as stale:
        service.update_version(
            session=db,
            principal=cast.analyst,
            version_id=draft.id,
            data=VersionIn(title="National list 2027 (mine)", version=opened),
        )
    assert [d.field for d in stale.value.details] == ["title"]


def test_a_replacement_that_removes_entries_needs_confirming_and_a_merge_keeps_them(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    from rarecare.errors import Conflict
    from rarecare.lists.schemas import ImportMode

    draft = _draft(db, cast, "draft")
    _import(db, cast, kb, draft, GOOD)
    header, *rows = GOOD.splitlines(keepends=True)
    short = header + rows[0]  # a one-row file against the whole draft
    preview = _import(db, cast, kb, draft, short, dry_run=True)
    assert preview.removed == len(rows) - 1 and preview.removed_labels
    with pytest.raises(Conflict) as refused:
        _import(db, cast, kb, draft, short)
    assert "removes" in str(refused.value.details[0])
    version = service.get_version(session=db, principal=cast.analyst, version_id=draft)
    assert len(service.entries(version)) == len(rows)  # nothing written
    merged = _import(db, cast, kb, draft, short, mode=ImportMode.MERGE)
    assert (merged.removed, merged.rows) == (0, len(rows))
    replaced = _import(db, cast, kb, draft, short, confirm=True)
    assert replaced.rows == 1


def test_the_last_editor_cannot_approve_their_own_draft(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    from rarecare.errors import PermissionDenied

    version_id = _draft(db, cast)
    _import(db, cast, kb, version_id, GOOD)  # the analyst edited it last
    with pytest.raises(PermissionDenied):
        service.approve(session=db, principal=cast.analyst, version_id=version_id)
    approved = service.approve(session=db, principal=cast.admin, version_id=version_id)
    assert (approved.edited_by, approved.approved_by) == ("analyst", "admin")
