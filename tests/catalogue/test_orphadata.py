from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from rarecare.catalogue import service
from rarecare.catalogue.orphadata import parse_product1
from rarecare.errors import PermissionDenied, ValidationFailed
from rarecare.knowledge import KnowledgeBase
from tests.conftest import Cast

FIXTURE = (Path(__file__).parent / "fixtures" / "en_product1_small.xml").read_bytes()


def test_it_reads_icd10_and_icd11_references_with_their_relations() -> None:
    version, rows = parse_product1(FIXTURE)
    assert version.startswith("1.3.40")
    pompe = [
        (r.system, r.code, r.relation, r.validation) for r in rows if r.orpha_code == "ORPHA:365"
    ]
    assert pompe == [
        ("ICD-10", "E74.0", "narrower", "Validated"),
        ("ICD-11", "5C51.3", "exact", "Validated"),
    ]


def test_it_refuses_other_xml_and_entity_bombs() -> None:
    with pytest.raises(ValidationFailed):
        parse_product1(b"<root/>")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><JDBOR>&a;</JDBOR>'
    with pytest.raises(ValidationFailed):
        parse_product1(bomb)


def test_imported_official_mappings_show_on_the_disease(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    result = service.import_official_mappings(
        session=db, principal=cast.analyst, kb=kb, content=FIXTURE
    )
    assert (result.rows, result.orpha_codes) == (2, 1)  # the unknown ORPHAcode is skipped
    detail = service.disease_detail(kb=kb, code="ORPHA:365", session=db)
    official = [x for x in detail.icd11 if "official" in x.provenance]
    assert [(x.code, x.relation) for x in official] == [("5C51.3", "exact")]


def test_only_the_ministry_and_admins_import_mappings(
    db: Session, cast: Cast, kb: KnowledgeBase
) -> None:
    with pytest.raises(PermissionDenied):
        service.import_official_mappings(
            session=db, principal=cast.clinician_a, kb=kb, content=FIXTURE
        )
