"""Budget scenarios: saved, compared side by side and exported; prevalence from Orphanet."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from rarecare.errors import PermissionDenied
from rarecare.finance import scenarios, service
from rarecare.finance.budget import orphanet_prevalence
from rarecare.finance.schemas import BudgetIn
from rarecare.knowledge import KnowledgeBase
from tests.care.conftest import POMPE_DRUG, CareWorld
from tests.conftest import login


def test_orphanet_prevalence_prefers_a_worldwide_point_prevalence() -> None:
    figures = [
        ("Prevalence at birth", "1-9 / 100 000", "Europe"),
        ("Point prevalence", "1-9 / 1 000 000", "France"),
        ("Point prevalence", "<1 / 1 000 000", "Worldwide"),
        ("Point prevalence", "Unknown", "Worldwide"),
    ]
    assert orphanet_prevalence(figures) == (0.05, figures[2])
    assert orphanet_prevalence([("Point prevalence", "Unknown", "Worldwide")]) is None


def test_the_budget_defaults_to_the_prevalence_of_the_drugs_indications(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    data = BudgetIn(drug=POMPE_DRUG, coverage=100, start=date(2027, 1, 1), years=1)
    impact, derived = service.budget_impact(
        session=db, principal=world.cast.analyst, data=data, kb=kb
    )
    value, sources = service.indication_prevalence(kb, ["ORPHA:365"])
    assert sources and sources[0].startswith("ORPHA:365: ")
    assert impact.inputs.prevalence_per_100k == value == derived["prevalence_per_100k"] != 1.0


def _save(db: Session, world: CareWorld, kb: KnowledgeBase, name: str, coverage: float) -> int:
    data = BudgetIn(drug=POMPE_DRUG, coverage=coverage, start=date(2027, 1, 1), years=3)
    return scenarios.save(session=db, principal=world.cast.analyst, name=name, data=data, kb=kb).id


def test_scenarios_are_saved_compared_and_exported(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    full = _save(db, world, kb, "Pompe 100%", 100)
    half = _save(db, world, kb, "Pompe 50%", 50)
    compared = scenarios.compare(
        session=db, principal=world.cast.analyst, scenario_ids=[full, half]
    )
    rows = compared.rows()
    assert [r["name"] for r in rows] == ["Pompe 100%", "Pompe 50%"]
    assert rows[0]["total_fund"] == pytest.approx(2 * rows[1]["total_fund"])
    assert set(rows[0]) == set(compared.columns())  # three yearly columns each
    data, filename = scenarios.export(compared, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and filename.endswith(".xlsx")
    assert [c.value for c in sheet[1]] == compared.columns()
    assert sheet.cell(3, 2).value == "Pompe 50%"


def test_scenarios_belong_to_national_roles_and_their_authors(
    db: Session, world: CareWorld, kb: KnowledgeBase
) -> None:
    mine = _save(db, world, kb, "Pompe 100%", 100)
    with pytest.raises(PermissionDenied):
        scenarios.listing(session=db, principal=world.cast.clinician_a)
    admins = scenarios.save(
        session=db,
        principal=world.cast.admin,
        name="admin's",
        data=BudgetIn(drug=POMPE_DRUG, coverage=80, start=date(2027, 1, 1)),
        kb=kb,
    ).id
    with pytest.raises(PermissionDenied):
        scenarios.delete(session=db, principal=world.cast.analyst, scenario_id=admins)
    scenarios.delete(session=db, principal=world.cast.admin, scenario_id=mine)
    assert [s.id for s in scenarios.listing(session=db, principal=world.cast.analyst)] == [admins]


def test_an_analyst_saves_and_compares_scenarios_in_the_browser(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "analyst")
    query = {"drug": POMPE_DRUG, "coverage": "100", "start": "2027-01-01", "years": "2"}
    page = client.get("/finance/budget-impact", params=query)
    assert 'data-testid="save-scenario"' in page.text and "Orphanet" in page.text
    token = client.headers["X-CSRF-Token"]
    saved = client.post(
        "/finance/scenarios",
        data=query | {"name": "Pompe, 100% từ 2027", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    compared = client.get(saved.headers["location"])
    assert 'data-testid="comparison"' in compared.text and "Pompe, 100% từ 2027" in compared.text
    assert "₫" in compared.text or "đồng" in compared.text
    export = client.get(
        saved.headers["location"].replace("/finance/scenarios?", "/finance/scenarios/export.csv?")
    )
    assert export.status_code == 200 and "Pompe, 100% từ 2027" in export.content.decode("utf-8-sig")
    unnamed = client.post("/finance/scenarios", data=query | {"name": "", "csrf_token": token})
    assert unnamed.status_code == 422
