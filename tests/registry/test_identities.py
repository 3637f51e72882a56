import pytest
from sqlalchemy.orm import Session

from rarecare.errors import NotFound, PermissionDenied, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import identities
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import register_patient


def test_identities_are_revealed_to_the_centre_and_audited_admins_only(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    patient = register_patient(db, cast, kb, vault)
    assert (
        identities.reveal_identity(
            session=db, principal=cast.clinician_a, vault=vault, patient_id=patient.id, reason=""
        ).full_name
        == "Nguyễn Thị Lan"
    )
    with pytest.raises(PermissionDenied):
        identities.reveal_identity(
            session=db,
            principal=cast.analyst,
            vault=vault,
            patient_id=patient.id,
            reason="statistics please",
        )
    with pytest.raises(ValidationFailed):
        identities.reveal_identity(
            session=db, principal=cast.admin, vault=vault, patient_id=patient.id, reason=""
        )
    revealed = identities.reveal_identity(
        session=db,
        principal=cast.admin,
        vault=vault,
        patient_id=patient.id,
        reason="merge of duplicate records requested by NCH",
    )
    assert revealed.national_id == "001321012345"
    with pytest.raises(NotFound):
        identities.reveal_identity(
            session=db, principal=cast.clinician_b, vault=vault, patient_id=patient.id, reason=""
        )
