"""The care and finance API and pages through the web app, as the fixed cast."""

from __future__ import annotations

import io
from datetime import date, timedelta

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import login

from .conftest import POMPE_DRUG, CareWorld

TODAY = date.today()


def create_plan(client: TestClient, world: CareWorld) -> dict[str, object]:
    response = client.post(
        f"/api/registry/patients/{world.pompe.id}/plans",
        json={"drug": POMPE_DRUG, "start_date": TODAY.isoformat()},
    )
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_a_clinician_plans_schedules_and_records_an_infusion_through_the_api(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    plan = create_plan(client, world)
    schedule = client.get(f"/api/registry/patients/{world.pompe.id}/schedule").json()
    assert schedule[0]["dose"] == 300 and schedule[0]["vials"] == 6
    given = client.post(
        f"/api/care/plans/{plan['id']}/administrations",
        json={"given_on": TODAY.isoformat(), "lot": "L1"},
    )
    assert given.status_code == 201 and given.json()["vials"] == 6
    centre = client.get(f"/api/centres/{world.cast.centre_a}/schedule").json()
    assert all(a["patient"] == world.pompe.pseudonym for a in centre)
    assert client.get("/api/care/alerts").json() == []
    assert client.get("/api/care/adherence").status_code == 200
    [centre_pdc] = client.get("/api/care/adherence/centres").json()
    assert centre_pdc["centre_id"] == world.cast.centre_a and centre_pdc["plans"] == 1


def test_another_centre_gets_404_for_plans_schedules_and_infusions(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    plan = create_plan(client, world)
    login(client, "clinician.b")
    for response in (
        client.get(f"/api/registry/patients/{world.pompe.id}/plans"),
        client.get(f"/api/registry/patients/{world.pompe.id}/schedule"),
        client.get(f"/api/registry/patients/{world.pompe.id}/costs"),
        client.get(f"/api/centres/{world.cast.centre_a}/schedule"),
        client.post(
            f"/api/care/plans/{plan['id']}/administrations", json={"given_on": TODAY.isoformat()}
        ),
        client.get(f"/registry/patients/{world.pompe.id}/therapy"),
        client.get(f"/centres/{world.cast.centre_a}/calendar"),
    ):
        assert response.status_code == 404, response.request.url
    assert (
        client.get("/api/care/demand", params={"centre_id": world.cast.centre_a}).status_code == 404
    )


def test_the_ministry_sees_demand_travel_and_budget_but_cannot_plan(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    create_plan(client, world)
    login(client, "analyst")
    assert (
        client.post(
            f"/api/registry/patients/{world.pompe.id}/plans",
            json={"drug": POMPE_DRUG, "start_date": TODAY.isoformat()},
        ).status_code
        == 403
    )
    demand = client.get("/api/care/demand", params={"months": 3}).json()
    assert demand["rows"][0]["drug"] == POMPE_DRUG and len(demand["months"]) == 3
    xlsx = client.get("/api/care/demand.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    travel = client.post(
        "/api/care/travel/what-if", json={"drug": POMPE_DRUG, "enable": ["CENTRE-B"]}
    ).json()
    assert travel["before"]["patients"] == 1 and travel["road_factor"] == 1.3
    bad = client.post("/api/care/travel/what-if", json={"drug": POMPE_DRUG, "enable": ["NOPE"]})
    assert bad.status_code == 422 and "NOPE" in bad.text
    assert client.get("/api/care/travel/recommend", params={"drug": POMPE_DRUG}).status_code == 200
    budget = client.post(
        "/api/finance/budget-impact",
        json={"drug": POMPE_DRUG, "coverage": 100, "start": "2027-01-01", "years": 3},
    )
    assert budget.status_code == 200 and len(budget.json()["years"]) == 3


def test_every_care_and_finance_page_renders(client: TestClient, world: CareWorld) -> None:
    login(client, "clinician.a")
    create_plan(client, world)
    pages = [
        "/care",
        "/finance",
        "/centres",
        f"/centres/{world.cast.centre_a}",
        f"/centres/{world.cast.centre_a}/calendar",
        f"/centres/{world.cast.centre_a}/day/{TODAY.isoformat()}",
        f"/registry/patients/{world.pompe.id}/therapy",
        "/care/demand",
        "/care/travel",
        f"/care/travel?drug={POMPE_DRUG}&enable=CENTRE-B",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
    therapy_page = client.get(f"/registry/patients/{world.pompe.id}/therapy").text
    assert world.pompe.pseudonym in therapy_page and "300" in therapy_page
    login(client, "analyst")
    budget = client.get(
        "/finance/budget-impact", params={"drug": POMPE_DRUG, "coverage": "100", "years": "2"}
    )
    assert budget.status_code == 200 and 'data-testid="budget-chart"' in budget.text
    bad = client.get("/finance/budget-impact", params={"drug": POMPE_DRUG, "coverage": "140"})
    assert bad.status_code == 422 and "coverage" in bad.text


def test_the_plan_form_names_what_is_wrong(client: TestClient, world: CareWorld) -> None:
    login(client, "clinician.a")
    response = client.post(
        f"/registry/patients/{world.pompe.id}/therapy/plans",
        data={
            "drug": "idursulfase",
            "start_date": TODAY.isoformat(),
            "csrf_token": client.headers["X-CSRF-Token"],
        },
    )
    assert response.status_code == 422
    assert "không cung cấp idursulfase" in response.text


def _plan_started(client: TestClient, world: CareWorld, days_ago: int) -> dict[str, object]:
    response = client.post(
        f"/api/registry/patients/{world.pompe.id}/plans",
        json={
            "drug": POMPE_DRUG,
            "start_date": (TODAY - timedelta(days=days_ago)).isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_a_clinician_changes_the_dose_from_a_date_keeping_the_history(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    plan = _plan_started(client, world, 30)
    page = client.get(f"/registry/patients/{world.pompe.id}/therapy")
    assert 'data-testid="change-form"' in page.text
    changed = client.post(
        f"/care/plans/{plan['id']}/change",
        data={
            "patient_id": str(world.pompe.id),
            "from_date": TODAY.isoformat(),
            "dose": "25",
            "interval_days": "7",
            "reason": "weekly at higher dose",
            "csrf_token": client.headers["X-CSRF-Token"],
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    plans = client.get(f"/api/registry/patients/{world.pompe.id}/plans").json()
    old = next(p for p in plans if p["id"] == plan["id"])
    new = next(p for p in plans if p["id"] != plan["id"])
    assert old["status"] == "stopped"
    assert old["end_date"] == (TODAY - timedelta(days=1)).isoformat()
    assert new["status"] == "active" and new["dose"] == 25 and new["interval_days"] == 7
    assert new["start_date"] == TODAY.isoformat()


def test_a_clinician_stops_a_plan_with_a_reason_but_not_before_it_started(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    plan = _plan_started(client, world, 10)
    form = {
        "patient_id": str(world.pompe.id),
        "reason": "family moved abroad",
        "csrf_token": client.headers["X-CSRF-Token"],
    }
    early = client.post(
        f"/care/plans/{plan['id']}/stop",
        data={**form, "end_date": (TODAY - timedelta(days=20)).isoformat()},
    )
    assert early.status_code == 422 and "end_date" in early.text
    stopped = client.post(
        f"/care/plans/{plan['id']}/stop",
        data={**form, "end_date": TODAY.isoformat()},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    [after] = client.get(f"/api/registry/patients/{world.pompe.id}/plans").json()
    assert after["status"] == "stopped" and "family moved abroad" in after["note"]
    login(client, "clinician.b")
    again = client.post(
        f"/care/plans/{plan['id']}/stop",
        data={**form, "end_date": TODAY.isoformat(), "csrf_token": client.headers["X-CSRF-Token"]},
    )
    assert again.status_code == 404


def test_a_clinician_prints_a_patient_summary_with_diagnosis_and_therapy(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    create_plan(client, world)
    response = client.get(f"/registry/patients/{world.pompe.id}/summary.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert world.pompe.pseudonym in text
    assert POMPE_DRUG in text
    login(client, "clinician.b")
    assert client.get(f"/registry/patients/{world.pompe.id}/summary.pdf").status_code == 404
    login(client, "analyst")
    assert client.get(f"/registry/patients/{world.pompe.id}/summary.pdf").status_code == 403


def test_the_care_page_shows_adherence_per_centre_and_the_plans_below_threshold(
    client: TestClient, world: CareWorld
) -> None:
    login(client, "clinician.a")
    started = TODAY - timedelta(days=70)
    plan = client.post(
        f"/api/registry/patients/{world.pompe.id}/plans",
        json={"drug": POMPE_DRUG, "start_date": started.isoformat()},
    ).json()
    client.post(
        f"/api/care/plans/{plan['id']}/administrations", json={"given_on": started.isoformat()}
    )
    page = client.get("/care").text
    assert 'data-testid="centre-adherence"' in page
    assert 'data-testid="low-adherence"' in page and world.pompe.pseudonym in page
    login(client, "clinician.b")  # another centre sees neither the plan nor its centre's figure
    other = client.get("/care").text
    assert world.pompe.pseudonym not in other and 'data-testid="low-adherence"' not in other
