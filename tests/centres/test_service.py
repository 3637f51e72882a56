"""The centres directory: admins register and maintain centres; a province must be one of the
34; a code is unique; a stale change is refused with what changed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.centres import service
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreCareIn, CentreIn
from rarecare.errors import Conflict, PermissionDenied, ValidationFailed
from tests.conftest import Cast, login


def _centre(**overrides: object) -> CentreIn:
    fields: dict[str, object] = {
        "code": "HUE-C",
        "name": "Hue Central Hospital",
        "level": CentreLevel.REGIONAL,
        "province_code": "46",
    }
    return CentreIn.model_validate({**fields, **overrides})


def test_only_an_admin_registers_a_centre(db: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        service.create_centre(session=db, principal=cast.clinician_a, data=_centre())
    centre = service.create_centre(session=db, principal=cast.admin, data=_centre())
    assert service.get_centre_by_code(session=db, code="HUE-C").id == centre.id


def test_it_refuses_an_unknown_province_and_a_taken_code(db: Session, cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as bad:
        service.create_centre(session=db, principal=cast.admin, data=_centre(province_code="99"))
    assert bad.value.details[0].field == "province_code"
    with pytest.raises(Conflict):
        service.create_centre(session=db, principal=cast.admin, data=_centre(code="CENTRE-A"))


def test_a_stale_change_of_a_centre_is_refused_with_what_changed(db: Session, cast: Cast) -> None:
    centre = service.get_centre(session=db, centre_id=cast.centre_a)
    opened = centre.version
    service.update_care(
        session=db,
        principal=cast.admin,
        centre_id=centre.id,
        data=CentreCareIn(chairs=4, version=opened),
    )
    with pytest.raises(Conflict) as stale:
        service.update_care(
            session=db,
            principal=cast.admin,
            centre_id=centre.id,
            data=CentreCareIn(chairs=2, version=opened),
        )
    assert [d.field for d in stale.value.details] == ["chairs"]
    assert service.get_centre(session=db, centre_id=centre.id).chairs == 4


def test_the_directory_is_public_and_upkeep_is_for_admins(client: TestClient, cast: Cast) -> None:
    assert any(c["code"] == "CENTRE-A" for c in client.get("/api/centres").json())
    login(client, "clinician.a")
    refused = client.put(f"/api/centres/{cast.centre_a}/care", json={"chairs": 3})
    assert refused.status_code == 403
