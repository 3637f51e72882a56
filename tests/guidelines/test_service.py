from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from rarecare.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rarecare.guidelines import service
from rarecare.guidelines.models import GuidelineStatus
from rarecare.guidelines.schemas import GuidelineIn
from rarecare.knowledge import KnowledgeBase
from tests.conftest import Cast

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _create(db: Session, cast: Cast, kb: KnowledgeBase) -> int:
    data = GuidelineIn(
        orpha_code="365",
        title="Hướng dẫn chẩn đoán và điều trị bệnh Pompe",
        version="1.0",
        decision_number="4763/QĐ-BYT",
    )
    return service.create(session=db, principal=cast.analyst, kb=kb, data=data).id


def test_a_guideline_is_public_only_once_approved(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    guideline_id = _create(db, cast, kb)
    assert service.for_disease(session=db, principal=None, orpha_code="ORPHA:365") == []
    with pytest.raises(NotFound):
        service.get(session=db, principal=cast.clinician_a, guideline_id=guideline_id)
    service.set_status(
        session=db,
        principal=cast.analyst,
        guideline_id=guideline_id,
        status=GuidelineStatus.APPROVED,
    )
    assert [
        g.id for g in service.for_disease(session=db, principal=None, orpha_code="ORPHA:365")
    ] == [guideline_id]


def test_it_stores_a_pdf_by_content_hash(
    db: Session, cast: Cast, kb: KnowledgeBase, tmp_path: Path
) -> None:
    guideline_id = _create(db, cast, kb)
    guideline = service.attach_pdf(
        session=db,
        principal=cast.analyst,
        guideline_id=guideline_id,
        content=PDF,
        filename="../../etc/Pompe guideline.pdf",
        content_type="application/pdf",
        storage_dir=tmp_path,
    )
    assert guideline.file_name == "Pompe_guideline.pdf"
    path, _name = service.pdf_path(
        session=db, principal=cast.analyst, guideline_id=guideline_id, storage_dir=tmp_path
    )
    assert path.read_bytes() == PDF
    assert path.parent == tmp_path


def test_it_refuses_files_that_are_not_pdfs(
    db: Session, cast: Cast, kb: KnowledgeBase, tmp_path: Path
) -> None:
    guideline_id = _create(db, cast, kb)
    with pytest.raises(ValidationFailed) as err:
        service.attach_pdf(
            session=db,
            principal=cast.analyst,
            guideline_id=guideline_id,
            content=b"MZ\x90\x00 not a pdf",
            filename="x.pdf",
            content_type="application/x-msdownload",
            storage_dir=tmp_path,
        )
    assert len(err.value.details) == 2
    assert not list(tmp_path.iterdir())


def test_it_refuses_an_unknown_disease_and_non_editors(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    with pytest.raises(ValidationFailed):
        service.create(
            session=db,
            principal=cast.analyst,
            kb=kb,
            data=GuidelineIn(orpha_code="ORPHA:0", title="Nothing"),
        )
    with pytest.raises(PermissionDenied):
        service.create(
            session=db,
            principal=cast.clinician_a,
            kb=kb,
            data=GuidelineIn(orpha_code="ORPHA:365", title="Mine"),
        )


def test_a_decision_taken_on_a_stale_guideline_is_refused(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    guideline_id = _create(db, cast, kb)
    read_at = service.get(session=db, principal=cast.analyst, guideline_id=guideline_id).row_version
    service.set_status(
        session=db,
        principal=cast.admin,
        guideline_id=guideline_id,
        status=GuidelineStatus.WITHDRAWN,
        version=read_at,
    )
    db.flush()
    with pytest.raises(Conflict) as caught:
        service.set_status(
            session=db,
            principal=cast.analyst,
            guideline_id=guideline_id,
            status=GuidelineStatus.APPROVED,
            version=read_at,
        )
    assert [d.field for d in caught.value.details] == ["status"]
    assert "now withdrawn" in str(caught.value.details[0])
