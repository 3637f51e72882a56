from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from rarecare.errors import Conflict, NotFound, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.network import labs
from rarecare.network.models import Interpretation, Sample, SampleStatus, TestKind
from rarecare.network.schemas import LabTestIn, SampleIn, SampleResultIn

from .conftest import Network


def _order(db: Session, network: Network, days_ago: int = 0) -> Sample:
    return labs.order(
        session=db,
        principal=network.cast.clinician_b,
        patient_id=network.patient.id,
        data=SampleIn(test_code="GAA-DBS", ordered_on=date.today() - timedelta(days=days_ago)),
    )


def test_the_directory_finds_the_tests_that_support_a_disease(
    db: Session, network: Network
) -> None:
    found = labs.lab_tests(session=db, orpha_code="ORPHA:365")
    assert [t.code for t in found] == ["GAA-DBS"]
    assert found[0].laboratory.name == "Lab of centre A"
    assert labs.lab_tests(session=db, orpha_code="ORPHA:716") == []


def test_a_test_for_an_unknown_disease_or_laboratory_is_refused_by_field(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    with pytest.raises(ValidationFailed) as err:
        labs.add_test(
            session=db,
            principal=network.cast.admin,
            kb=kb,
            data=LabTestIn(
                laboratory_code="LAB-Z",
                code="X-1",
                name="Panel",
                kind=TestKind.GENE_PANEL,
                orpha_codes=["ORPHA:0"],
                sample_type="EDTA blood",
                turnaround_days=30,
            ),
        )
    assert {e.field for e in err.value.details} == {"laboratory_code", "orpha_codes"}


def test_a_sample_goes_ordered_sent_received_resulted(db: Session, network: Network) -> None:
    sample = _order(db, network, days_ago=3)
    assert sample.status is SampleStatus.ORDERED
    labs.step(
        session=db,
        principal=network.cast.clinician_b,
        sample_id=sample.id,
        status=SampleStatus.SENT,
        on=date.today() - timedelta(days=2),
    )
    labs.step(
        session=db,
        principal=network.cast.clinician_b,
        sample_id=sample.id,
        status=SampleStatus.RECEIVED,
    )
    labs.record_result(
        session=db,
        principal=network.cast.clinician_b,
        sample_id=sample.id,
        data=SampleResultIn(
            result_text="GAA 0.4 µmol/L/h (ref > 2.5)", interpretation=Interpretation.ABNORMAL
        ),
        attachment=("report.pdf", b"%PDF-1.4 report"),
    )
    assert sample.status.value == "resulted"
    assert sample.sent_on == date.today() - timedelta(days=2)
    assert sample.attachment_type == "application/pdf"
    with pytest.raises(Conflict):
        labs.step(
            session=db,
            principal=network.cast.clinician_b,
            sample_id=sample.id,
            status=SampleStatus.SENT,
        )


def test_a_sample_past_its_turnaround_is_overdue_for_its_centre_only(
    db: Session, network: Network
) -> None:
    late = _order(db, network, days_ago=20)
    _order(db, network, days_ago=1)
    found = labs.overdue(session=db, principal=network.cast.clinician_b)
    assert [s.id for s, _d in found] == [late.id]
    assert found[0][1].due_on == late.ordered_on + timedelta(days=14)
    assert labs.overdue(session=db, principal=network.cast.clinician_a) == []
    assert len(labs.overdue(session=db, principal=network.cast.analyst)) == 1


def test_another_centre_cannot_see_or_update_a_sample(db: Session, network: Network) -> None:
    sample = _order(db, network)
    with pytest.raises(NotFound):
        labs.step(
            session=db,
            principal=network.cast.clinician_a,
            sample_id=sample.id,
            status=SampleStatus.SENT,
        )
    with pytest.raises(NotFound):
        labs.order(
            session=db,
            principal=network.cast.clinician_a,
            patient_id=network.patient.id,
            data=SampleIn(test_code="GAA-DBS"),
        )
