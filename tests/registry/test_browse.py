import json

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.errors import PermissionDenied
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import browse, quality
from rarecare.registry.browse import RegistryQuery
from rarecare.registry.models import IdentityKey
from rarecare.registry.vault import IdentityVault
from tests.conftest import Cast

from .conftest import TODAY, register_patient


def _people(db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault) -> list[int]:
    ids = []
    for n in range(3):
        ids.append(
            register_patient(
                db,
                cast,
                kb,
                vault,
                full_name=f"Trần Văn Hùng {n}",
                national_id=f"00132101234{n}",
                insurance_number=f"TE101012345678{n}",
                birth_date=f"2020-0{n + 1}-14",
            ).id
        )
    ids.append(
        register_patient(
            db, cast, kb, vault, who="clinician_b", full_name="Lê Thị Mai", national_id=""
        ).id
    )
    return ids


def test_it_finds_a_person_by_cccd_insurance_number_or_exact_name(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    ids = _people(db, cast, kb, vault)

    def find(kind: str, value: str) -> list[int]:
        query = RegistryQuery.model_validate({"identifier_kind": kind, "identifier": value})
        found, _total = browse.browse(
            session=db, principal=cast.clinician_a, vault=vault, query=query, today=TODAY
        )
        return [p.id for p in found]

    assert find("cccd", "001321012341") == [ids[1]]
    assert find("cccd", "００１３２１０１２３４１") == [ids[1]]  # full-width digits
    assert find("insurance", "te-1010-1234-5678-2") == [ids[2]]
    assert find("name", "  trần  văn hùng 0 ") == [ids[0]]
    assert find("name", "Tran Van Hung 0") == []  # exact: diacritics count
    assert find("name", "Lê Thị Mai") == []  # another centre's patient stays hidden
    keys = " ".join(db.scalars(select(IdentityKey.digest)))
    assert "001321012341" not in keys and "TE1010" not in keys


def test_a_search_by_identifier_is_audited_without_the_value(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    _people(db, cast, kb, vault)
    query = RegistryQuery(identifier_kind="cccd", identifier="001321012341")
    browse.browse(session=db, principal=cast.clinician_a, vault=vault, query=query)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "search").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail is not None
    assert event.detail["filters"]["identifier_kind"] == "cccd"
    assert "001321012341" not in json.dumps(event.detail)


def test_it_pages_sorts_and_filters_with_the_total(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    ids = _people(db, cast, kb, vault)
    first, total = browse.browse(
        session=db,
        principal=cast.analyst,
        vault=vault,
        query=RegistryQuery(sort="oldest"),
        offset=0,
        limit=2,
    )
    assert total == 4 and [p.id for p in first] == ids[:2]
    second, _ = browse.browse(
        session=db,
        principal=cast.analyst,
        vault=vault,
        query=RegistryQuery(sort="oldest"),
        offset=2,
        limit=2,
    )
    assert [p.id for p in second] == ids[2:]
    own, own_total = browse.browse(
        session=db, principal=cast.clinician_b, vault=vault, query=RegistryQuery()
    )
    assert own_total == 1 and [p.id for p in own] == [ids[3]]
    late, _ = browse.browse(
        session=db,
        principal=cast.analyst,
        vault=vault,
        query=RegistryQuery(undiagnosed_for_days=365, centre_id=cast.centre_a),
        today=TODAY,
    )
    assert {p.id for p in late} == set(ids[:3])  # first contact 2022, still suspected


def test_records_from_before_the_index_are_indexed_once(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    ids = _people(db, cast, kb, vault)
    db.execute(delete(IdentityKey))
    assert browse.index_identities(session=db, principal=cast.admin, vault=vault) == len(ids)
    assert browse.index_identities(session=db, principal=cast.admin, vault=vault) == 0
    query = RegistryQuery(identifier_kind="cccd", identifier="001321012340")
    found, _ = browse.browse(session=db, principal=cast.clinician_a, vault=vault, query=query)
    assert [p.id for p in found] == [ids[0]]
    with pytest.raises(PermissionDenied):
        browse.index_identities(session=db, principal=cast.clinician_a, vault=vault)


def test_a_former_9_digit_cmnd_is_found_and_flagged_for_its_cccd(
    db: Session, cast: Cast, kb: KnowledgeBase, vault: IdentityVault
) -> None:
    old = register_patient(db, cast, kb, vault, full_name="Đặng Văn Tú", national_id="012345678")
    assert (
        db.scalars(select(IdentityKey.kind).where(IdentityKey.patient_id == old.id)).all()[0]
        == "cmnd"
    )
    query = RegistryQuery(identifier_kind="cccd", identifier="012 345 678")
    found, _total = browse.browse(
        session=db, principal=cast.clinician_a, vault=vault, query=query, today=TODAY
    )
    assert [p.id for p in found] == [old.id]
    flagged = quality.report(session=db, principal=cast.clinician_a, today=TODAY)
    assert [(p.patient_id, p.fields) for p in flagged.problems if p.kind == "check"] == [
        (old.id, ("national_id",))
    ]
