from sqlalchemy.orm import Session

from rarecare.diagnosis import service as diagnosis
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service, similarity
from rarecare.registry.schemas import PatientIn, PhenotypeIn
from rarecare.registry.vault import IdentityVault
from tests.conftest import KNOWLEDGE_CACHE, Cast

from .conftest import TODAY, patient_payload


def _patient(
    db: Session,
    cast: Cast,
    kb: KnowledgeBase,
    vault: IdentityVault,
    who: str,
    name: str,
    terms: tuple[str, ...],
) -> int:
    actor = getattr(cast, who)
    patient = service.register(
        session=db,
        principal=actor,
        kb=kb,
        vault=vault,
        today=TODAY,
        data=PatientIn.model_validate(patient_payload(full_name=name, national_id="")),
    )
    for term in terms:
        service.add_phenotype(
            session=db, principal=actor, kb=kb, patient_id=patient.id, data=PhenotypeIn(hpo_id=term)
        )
    return patient.id


def test_the_most_similar_patient_elsewhere_is_found_with_shared_features_only(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    pompe = ("HP:0001639", "HP:0001252", "HP:0000158", "HP:0003236")
    index_case = _patient(db, cast, kb, vault, "clinician_a", "Bệnh Nhân Một", pompe)
    twin = _patient(
        db,
        cast,
        kb,
        vault,
        "clinician_b",
        "Bệnh Nhân Hai",
        ("HP:0001639", "HP:0001290", "HP:0000158"),
    )
    _patient(db, cast, kb, vault, "clinician_b", "Bệnh Nhân Ba", ("HP:0001250", "HP:0001263"))
    engine = diagnosis.engine_for(kb, KNOWLEDGE_CACHE)
    found = similarity.similar(
        session=db, principal=cast.clinician_a, engine=engine, patient_id=index_case
    )
    assert found[0].patient_id == twin
    assert found[0].centre_id == cast.centre_b
    assert len(found) == 1  # the seizure patient shares nothing informative
    shared_ids = [h for h, _n in found[0].shared]
    assert "HP:0001639" in shared_ids and "HP:0000158" in shared_ids
    assert not hasattr(found[0], "full_name")
