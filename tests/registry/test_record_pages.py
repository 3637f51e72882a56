import json
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.registry.models import Reanalysis
from rarecare.registry.record_pages import disease_choices
from tests.conftest import Cast, form_token, login

from .conftest import patient_payload


def _patient(client: TestClient) -> tuple[str, str]:
    login(client, "clinician.a")
    patient_id = client.post("/api/registry/patients", json=patient_payload()).json()["id"]
    url = f"/registry/patients/{patient_id}"
    return url, form_token(client.get(url).text)


def test_it_finds_a_disease_to_record_by_name_orpha_omim_or_icd10(kb: KnowledgeBase) -> None:
    assert any(c.orpha == "ORPHA:365" for c in disease_choices(kb, "Pompe"))
    assert disease_choices(kb, "ORPHA:365")[0].orpha == "ORPHA:365"
    by_omim = disease_choices(kb, "OMIM:232300")
    assert by_omim and by_omim[0].orpha == "ORPHA:365"
    assert "232300" in by_omim[0].found
    assert any(c.orpha == "ORPHA:365" for c in disease_choices(kb, "E74.0"))


def test_a_clinician_records_any_diagnosis_with_its_genetic_finding(
    client: TestClient, cast: Cast
) -> None:
    url, token = _patient(client)
    page = client.get(url)
    assert 'data-testid="diagnosis-form"' in page.text
    choices = client.get(f"{url}/diseases?q=232300")
    assert 'value="ORPHA:365"' in choices.text
    recorded = client.post(
        f"{url}/diagnoses",
        data={
            "csrf_token": token,
            "orpha_code": "ORPHA:365",
            "status": "confirmed",
            "diagnosed_on": "2024-02-01",
            "gene": "GAA",
            "variant": "NM_000152.5:c.-32-13T>G",
            "zygosity": "compound heterozygous",
            "classification": "pathogenic",
            "evidence": "GAA activity on dried blood spot",
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    diagnoses = client.get(url.replace("/registry/", "/api/registry/") + "/diagnoses").json()
    assert diagnoses[0]["gene"] == "GAA"
    assert diagnoses[0]["zygosity"] == "compound heterozygous"
    assert diagnoses[0]["classification"] == "pathogenic"
    assert diagnoses[0]["diagnosed_on"] == "2024-02-01"
    assert "01/02/2024" in client.get(url).text


def test_it_rejects_a_diagnosis_in_the_future_naming_the_field(
    client: TestClient, cast: Cast
) -> None:
    url, token = _patient(client)
    response = client.post(
        f"{url}/diagnoses",
        data={
            "csrf_token": token,
            "orpha_code": "ORPHA:365",
            "status": "confirmed",
            "diagnosed_on": "2999-01-01",
        },
    )
    assert response.status_code == 422
    assert "diagnosed_on" in response.text


def test_a_clinician_records_an_encounter_with_weight_and_height(
    client: TestClient, cast: Cast
) -> None:
    url, token = _patient(client)
    done = client.post(
        f"{url}/encounters",
        data={
            "csrf_token": token,
            "date": "2024-03-01",
            "kind": "visit",
            "weight_kg": "12.5",
            "height_cm": "88",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = client.get(url).text
    assert "12.5" in page or "12,5" in page
    bad = client.post(
        f"{url}/encounters", data={"csrf_token": token, "date": "2024-03-01", "weight_kg": "-3"}
    )
    assert bad.status_code == 422
    assert "weight_kg" in bad.text


def test_a_clinician_edits_vital_status_and_consent(client: TestClient, cast: Cast) -> None:
    url, token = _patient(client)
    form_page = client.get(f"{url}/edit")
    assert form_page.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', form_page.text)
    assert version
    form = {
        "csrf_token": token,
        "version": version.group(1),
        "sex": "female",
        "vital_status": "dead",
        "death_date": "2025-05-01",
        "province_code": "01",
        "first_contact_date": "2022-01-10",
        "first_symptoms_date": "2021-06-01",
        "onset_kind": "date",
        "onset_date": "2021-06-01",
        "diagnosis_kind": "undetermined",
        "diagnostic_status": "suspected",
        "contact_for_research": "yes",
    }
    saved = client.post(f"{url}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    record = client.get(url.replace("/registry/", "/api/registry/")).json()
    assert record["vital_status"] == "dead"
    assert record["death_date"] == "2025-05-01"
    assert record["consent_reuse"] is False
    stale = client.post(f"{url}/edit", data={**form, "vital_status": "alive"})
    assert stale.status_code == 409
    assert "vital_status" in stale.text


def test_it_refuses_a_death_before_birth_and_keeps_the_form(client: TestClient, cast: Cast) -> None:
    url, token = _patient(client)
    form = {
        "csrf_token": token,
        "sex": "female",
        "vital_status": "dead",
        "death_date": "2001-01-01",
        "province_code": "01",
        "diagnostic_status": "suspected",
    }
    response = client.post(f"{url}/edit", data=form)
    assert response.status_code == 422
    assert "death_date" in response.text
    assert 'value="2001-01-01"' in response.text


def test_another_centre_cannot_edit_or_record(client: TestClient, cast: Cast) -> None:
    url, _token = _patient(client)
    login(client, "clinician.b")
    assert client.get(f"{url}/edit").status_code == 404
    token_b = form_token(client.get("/registry/new").text)
    refused = client.post(f"{url}/encounters", data={"csrf_token": token_b, "date": "2024-03-01"})
    assert refused.status_code == 404


def test_a_flagged_duplicate_is_reviewed_and_marked_distinct_with_a_reason(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    first = client.post("/api/registry/patients", json=patient_payload()).json()
    login(client, "clinician.b")
    second = client.post("/api/registry/patients", json=patient_payload()).json()
    assert second["possible_duplicate"]
    page = client.get("/registry/duplicates")
    table = page.text.split('data-testid="duplicates"')[1]
    assert f'/registry/patients/{second["id"]}"' in table
    assert f'/registry/patients/{first["id"]}"' not in table  # the other centre's record
    token = form_token(page.text)
    short = client.post(
        f"/registry/patients/{second['id']}/distinct", data={"csrf_token": token, "reason": "no"}
    )
    assert short.status_code == 422 and "reason" in short.text
    done = client.post(
        f"/registry/patients/{second['id']}/distinct",
        data={"csrf_token": token, "reason": "different mothers, checked by phone"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    table = client.get("/registry/duplicates").text.split('data-testid="duplicates"')[1]
    assert f'/registry/patients/{second["id"]}"' not in table
    login(client, "admin")
    trail = client.get(
        "/admin/audit",
        params={"action": "mark_distinct", "object_type": "patient", "object_id": second["id"]},
    )
    assert "#" + str(second["id"]) in trail.text


def test_a_centre_cannot_review_another_centres_record(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    client.post("/api/registry/patients", json=patient_payload())
    login(client, "clinician.b")
    second = client.post("/api/registry/patients", json=patient_payload()).json()
    login(client, "clinician.a")
    token = form_token(client.get("/registry/duplicates").text)
    refused = client.post(
        f"/registry/patients/{second['id']}/distinct",
        data={"csrf_token": token, "reason": "not my patient at all"},
    )
    assert refused.status_code == 404


def test_a_national_steward_merges_a_duplicate_from_the_worklist(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    first = client.post("/api/registry/patients", json=patient_payload()).json()
    login(client, "clinician.b")
    second = client.post("/api/registry/patients", json=patient_payload()).json()
    page = client.get("/registry/duplicates")
    assert 'data-testid="merge"' not in page.text  # the earlier record is at another centre
    login(client, "admin")
    page = client.get("/registry/duplicates")
    assert f'action="/registry/patients/{second["id"]}/merge"' in page.text
    merged = client.post(
        f"/registry/patients/{second['id']}/merge",
        data={"csrf_token": form_token(page.text), "reason": "same CCCD, same parents"},
        follow_redirects=False,
    )
    assert merged.headers["location"] == f"/registry/patients/{first['id']}?merged=1"
    assert client.get(f"/api/registry/patients/{second['id']}").status_code == 404
    login(client, "clinician.b")  # centre B keeps access to its patient
    assert client.get(f"/api/registry/patients/{first['id']}").status_code == 200


def test_the_api_lists_and_merges_duplicates(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    first = client.post("/api/registry/patients", json=patient_payload()).json()
    login(client, "clinician.b")
    second = client.post("/api/registry/patients", json=patient_payload()).json()
    assert [p["id"] for p in client.get("/api/registry/duplicates").json()] == [second["id"]]
    refused = client.post(
        f"/api/registry/patients/{second['id']}/merge", json={"reason": "same person"}
    )
    assert refused.status_code == 403
    login(client, "admin")
    kept = client.post(
        f"/api/registry/patients/{second['id']}/merge", json={"reason": "same person"}
    )
    assert kept.status_code == 200 and kept.json()["id"] == first["id"]
    assert client.get("/api/registry/duplicates").json() == []


def test_the_edit_form_asks_to_confirm_unusual_dates_then_saves_them(
    client: TestClient, cast: Cast
) -> None:
    url, token = _patient(client)
    form = {
        "csrf_token": token,
        "sex": "female",
        "vital_status": "alive",
        "province_code": "01",
        "diagnostic_status": "suspected",
        "first_contact_date": "2022-01-10",
        "first_symptoms_date": "2022-06-01",  # after the contact: a screened child
    }
    asked = client.post(f"{url}/edit", data=form)
    assert asked.status_code == 422 and 'data-testid="confirm-warnings"' in asked.text
    assert "sàng lọc" in asked.text  # the warning, in Vietnamese
    saved = client.post(
        f"{url}/edit", data=form | {"confirm_warnings": "yes"}, follow_redirects=False
    )
    assert saved.status_code == 303


def test_a_clinician_marks_a_reanalysis_alert_seen_and_another_centre_cannot(
    client: TestClient, cast: Cast, db: Session
) -> None:
    url, _ = _patient(client)
    patient_id = int(url.rsplit("/", 1)[1])
    run = Reanalysis(
        patient_id=patient_id,
        run_at=datetime(2026, 12, 1, tzinfo=UTC),
        knowledge_version="test",
        top=[
            {"code": "OMIM:232300", "codes": ["OMIM:232300"], "name": "Pompe", "probability": 0.6}
        ],
        changes=[{"kind": "first", "name": "Pompe", "to": 0.6}],
        alert=True,
    )
    db.add(run)
    db.flush()
    registry = client.get("/registry").text
    assert "Pompe (60%)" in registry and 'data-testid="acknowledge"' in registry

    login(client, "clinician.b")
    refused = client.post(
        f"/registry/alerts/{run.id}/acknowledge",
        data={"csrf_token": form_token(client.get("/registry").text)},
        follow_redirects=False,
    )
    assert refused.status_code in (403, 404)
    db.refresh(run)
    assert run.acknowledged_by is None

    login(client, "clinician.a")
    seen = client.post(
        f"/registry/alerts/{run.id}/acknowledge",
        data={"csrf_token": form_token(client.get(url).text), "back": "registry"},
        follow_redirects=False,
    )
    assert seen.status_code == 303 and seen.headers["location"].startswith("/registry?")
    db.refresh(run)
    assert run.acknowledged_by == "clinician.a"
    assert "Pompe (60%)" not in client.get("/registry").text  # no longer an open alert
    assert "clinician.a" in client.get(url).text  # "seen by" on the patient's page


def test_a_clinician_registers_a_patient_from_a_phenopacket_file(
    client: TestClient, cast: Cast
) -> None:
    url, token = _patient(client)
    client.post(f"{url}/phenotypes", data={"csrf_token": token, "hpo_id": "HP:0001638"})
    registry = client.get("/registry").text
    assert 'href="/api/registry/export/phenopackets"' in registry
    (document, *_) = client.get("/api/registry/export/phenopackets").json()
    page = client.get("/registry/new").text
    assert 'data-testid="phenopacket-form"' in page
    login(client, "clinician.b")
    token_b = form_token(client.get("/registry/new").text)
    done = client.post(
        "/registry/new/phenopacket",
        data={"csrf_token": token_b, "province": "79"},
        files={"file": ("case.json", json.dumps(document).encode(), "application/json")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    imported = client.get(done.headers["location"]).text
    assert "HP:0001638" in imported
    bad = client.post(
        "/registry/new/phenopacket",
        data={"csrf_token": token_b, "province": "79"},
        files={"file": ("case.json", b"{not json", "application/json")},
    )
    assert bad.status_code == 422 and 'data-testid="errors"' in bad.text
