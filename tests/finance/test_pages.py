"""A patient's costs and insurance cover: the panel the therapy tab loads, and its form."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.care.conftest import CareWorld
from tests.care.test_pages import create_plan
from tests.conftest import login

HTMX = {"HX-Request": "true"}


def test_the_therapy_tab_loads_the_costs_panel_of_the_finance_package(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    create_plan(client, world)
    costs = f"/registry/patients/{world.pompe.id}/costs"
    assert f'hx-get="{costs}"' in client.get(f"/registry/patients/{world.pompe.id}/therapy").text
    panel = client.get(costs, headers=HTMX)
    assert panel.status_code == 200
    assert 'data-testid="costs"' in panel.text and "<html" not in panel.text
    page = client.get(costs)
    assert page.status_code == 200 and "<html" in page.text
    assert world.pompe.pseudonym in page.text and 'data-testid="costs"' in page.text


def test_saving_the_cover_returns_to_the_costs_or_names_what_is_wrong(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    create_plan(client, world)
    url = f"/registry/patients/{world.pompe.id}/therapy/coverage"
    token = client.headers["X-CSRF-Token"]
    saved = client.post(
        url,
        data={"household_income_vnd": "120000000", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/therapy#costs")
    assert "120000000" in client.get(f"/registry/patients/{world.pompe.id}/costs").text
    bad = client.post(url, data={"groups": "martians", "csrf_token": token}, headers=HTMX)
    assert bad.status_code == 422
    assert 'data-testid="errors"' in bad.text and "martians" in bad.text
    assert "<html" not in bad.text


def test_another_centre_gets_404_for_the_costs_and_the_cover(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.b")
    token = client.headers["X-CSRF-Token"]
    assert client.get(f"/registry/patients/{world.pompe.id}/costs").status_code == 404
    cover = client.post(
        f"/registry/patients/{world.pompe.id}/therapy/coverage",
        data={"household_income_vnd": "1", "csrf_token": token},
        headers=HTMX,
    )
    assert cover.status_code == 404
