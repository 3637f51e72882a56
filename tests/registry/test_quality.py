from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from rarecare.errors import NotFound, PermissionDenied
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import quality
from rarecare.registry.models import Encounter, Patient, VitalStatus
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast, login
from tests.registry.conftest import register_patient


def _flawed(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> dict[str, int]:
    """Records as older imports left them: checks did not exist when they were written."""
    good = register_patient(db, cast, kb, vault, icf_codes="b710")
    early = register_patient(db, cast, kb, vault, full_name="Trần Văn An", national_id="")
    dead = register_patient(db, cast, kb, vault, full_name="Phạm Thị Bình", national_id="")
    heavy = register_patient(db, cast, kb, vault, full_name="Đỗ Minh Châu", national_id="")
    register_patient(
        db, cast, kb, vault, who="clinician_b", full_name="Lý Thị Dung", national_id=""
    )
    db.execute(
        update(Patient).where(Patient.id == early.id).values(first_contact_date=date(2019, 1, 1))
    )
    db.execute(update(Patient).where(Patient.id == dead.id).values(vital_status=VitalStatus.DEAD))
    db.add(Encounter(patient_id=heavy.id, centre_id=cast.centre_a, date=date(2023, 1, 5),
                     weight_kg=140.0, recorded_by="clinician.a"))  # fmt: skip
    db.flush()
    db.expire_all()
    return {"good": good.id, "early": early.id, "dead": dead.id, "heavy": heavy.id}


def test_a_centre_sees_its_implausible_records_measures_and_missing_elements(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    ids = _flawed(db, cast, kb, vault)
    found = quality.report(session=db, principal=cast.clinician_a, today=date(2026, 1, 1))
    assert found.records == 4
    problems = {(p.patient_id, p.kind, p.fields) for p in found.problems}
    assert (ids["early"], "implausible", ("first_contact_date",)) in problems
    assert (ids["dead"], "implausible", ("death_date",)) in problems
    assert (ids["heavy"], "measure", ("weight_kg",)) in problems
    assert not any(p.patient_id == ids["good"] and p.kind != "missing" for p in found.problems)
    # icf codes are missing from three of the four, the diagnosis record from all four
    assert dict(found.missing)["ICF codes"] == 3
    assert found.by_kind["missing"] == 4
    assert all(p.fix.startswith("/registry/") for p in found.problems)


def test_a_centre_never_sees_another_centres_quality_and_the_ministry_none(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _flawed(db, cast, kb, vault)
    with pytest.raises(NotFound):
        quality.report(session=db, principal=cast.clinician_a, centre_id=cast.centre_b)
    with pytest.raises(PermissionDenied):
        quality.report(session=db, principal=cast.analyst, centre_id=cast.centre_a)
    of_b = quality.report(session=db, principal=cast.admin, centre_id=cast.centre_b)
    assert of_b.records == 1


def test_the_cap_limits_rows_shown_never_the_counts(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _flawed(db, cast, kb, vault)
    found = quality.report(session=db, principal=cast.clinician_a, limit=2)
    assert len(found.problems) == 2 and found.total > 2


def test_the_quality_page_lists_problems_in_vietnamese_with_links_to_fix_them(
    client: TestClient, db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    ids = _flawed(db, cast, kb, vault)
    login(client, "clinician.a")
    page = client.get("/registry/quality")
    assert page.status_code == 200
    assert "Chất lượng dữ liệu" in page.text
    assert f'href="/registry/patients/{ids["early"]}/edit"' in page.text
    api = client.get("/api/registry/quality").json()
    assert api["records"] == 4 and api["by_kind"]["measure"] == 1
