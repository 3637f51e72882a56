"""The research pages: an applicant writes a request with a cohort and documents, sees the
suppressed feasibility count and submits; a committee member approves and releases; the
applicant downloads. Clinicians see no register; the consent page records and withdraws."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.registry.models import Consent
from tests.conftest import login
from tests.research.conftest import POMPE, World

PDF = b"%PDF-1.4 a protocol"


def csrf(client: TestClient) -> str:
    return client.headers["X-CSRF-Token"]


def test_an_applicant_and_the_committee_take_a_request_to_its_extract(
    client: TestClient, world: World, inline_jobs: list[tuple[int, int | None]]
) -> None:
    login(client, "researcher.a")
    token = csrf(client)
    form = client.get("/research/requests/new")
    assert form.status_code == 200 and 'name="variables"' in form.text
    made = client.post(
        "/research/requests/new",
        data={
            "csrf_token": token,
            "organisation_code": "UNI-HN",
            "title": "Pompe in women",
            "purpose": "How long does diagnosis take for women with Pompe disease?",
            "orpha_codes": POMPE,
            "sexes": ["female"],
            "variables": ["sex", "province"],
            "duration_months": "6",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    page = client.get(page_url)
    assert re.search(r'data-testid="feasibility"><strong>&lt;5</strong>', page.text)  # three women
    for kind in ("protocol", "ethics"):
        client.post(
            f"{page_url}/documents",
            data={"csrf_token": token, "kind": kind},
            files={"file": (f"{kind}.pdf", PDF, "application/pdf")},
        )
    client.post(f"{page_url}/submit", data={"csrf_token": token})
    api_url = page_url.replace("/research/", "/api/research/")
    assert client.get(api_url).json()["status"] == "submitted"

    client.cookies.clear()
    login(client, "dac.member")
    token = csrf(client)
    assert "Pompe in women" in client.get("/research").text
    client.post(f"{page_url}/review", data={"csrf_token": token})
    approved = client.post(
        f"{page_url}/approve",
        data={
            "csrf_token": token,
            "conditions": "Aggregates only.",
            "date_handling": "year",
            "expires_on": "2099-01-01",
        },
    )
    assert approved.status_code == 200, approved.text
    released = client.post(f"{page_url}/release", data={"csrf_token": token})
    assert 'data-testid="release-job"' in released.text  # followed on the request page
    assert 'data-status="done"' in released.text and 'data-testid="extract-facts"' in released.text
    assert inline_jobs[-1] == (3, 3)  # the job reported its rows
    assert client.get(f"{page_url}/extract").status_code == 403  # not the applicant

    client.cookies.clear()
    login(client, "researcher.a")
    download = client.get(f"{page_url}/extract")
    assert download.headers["content-type"] == "application/zip"
    rows = zipfile.ZipFile(io.BytesIO(download.content)).read("extract.csv").decode().splitlines()
    assert rows[0] == "subject_id,sex,province" and len(rows) == 4


def test_a_bad_request_form_comes_back_naming_each_field(client: TestClient, world: World) -> None:
    login(client, "researcher.a")
    response = client.post(
        "/research/requests/new",
        data={
            "csrf_token": csrf(client),
            "organisation_code": "UNI-HN",
            "title": "Bad",
            "purpose": "short",
            "orpha_codes": "ORPHA:0",
            "duration_months": "6",
        },
    )
    assert response.status_code == 422
    assert 'data-testid="errors"' in response.text and "title" in response.text


def test_a_clinician_sees_no_register(client: TestClient, world: World) -> None:
    login(client, "clinician.a")
    page = client.get("/research")
    assert page.status_code == 200 and 'data-testid="no-register"' in page.text
    assert client.get("/research/requests/new").status_code == 403


def test_the_beacon_page_is_public(client: TestClient, world: World) -> None:
    page = client.get("/research/beacon")
    assert page.status_code == 200 and "/api/beacon/v2/individuals" in page.text


def test_the_consent_page_records_and_withdraws(
    client: TestClient, db: Session, world: World
) -> None:
    patient = world.consenting[0]
    login(client, "clinician.a")
    token = csrf(client)
    url = f"/registry/patients/{patient.id}/consents"
    assert 'data-testid="consent-research"' in client.get(url).text
    client.post(
        url,
        data={
            "csrf_token": token,
            "purpose": "biobank",
            "given_on": "2026-11-01",
            "form_version": "v3",
        },
    )
    client.post(
        f"{url}/research/withdraw", data={"csrf_token": token, "withdrawn_on": "2026-11-30"}
    )
    rows = db.query(Consent).filter(Consent.patient_id == patient.id).all()
    assert {(r.purpose.value, r.withdrawn_on is None) for r in rows} >= {
        ("biobank", True),
        ("research", False),
    }
    bad = client.post(url, data={"csrf_token": token, "purpose": "care", "given_on": "2099-01-01"})
    assert bad.status_code == 422 and 'data-testid="errors"' in bad.text
    client.cookies.clear()
    login(client, "clinician.b")
    assert client.get(url).status_code == 404


def test_the_committee_page_lists_members_and_admins_change_it(
    client: TestClient, world: World
) -> None:
    login(client, "admin")
    page = client.get("/research/committee")
    assert page.status_code == 200 and "dac.member" in page.text
    added = client.post(
        "/research/committee",
        data={"csrf_token": csrf(client), "username": "analyst", "organisation_code": "UNI-HN"},
    )
    assert added.status_code == 200 and "analyst" in added.text
    refused = client.post(
        "/research/committee",
        data={
            "csrf_token": csrf(client),
            "username": "researcher.b",
            "organisation_code": "UNI-HN",
        },
    )
    assert refused.status_code == 422 and 'data-testid="errors"' in refused.text


def test_the_menu_shows_a_researcher_only_what_they_can_open(
    client: TestClient, world: World
) -> None:
    login(client, "researcher.a")
    menu = client.get("/research").text.split('class="mainnav"')[1].split("</nav>")[0]
    assert 'href="/research"' in menu and 'href="/catalogue"' in menu
    for closed in ("/registry", "/care", "/network", "/monitoring"):
        assert f'href="{closed}"' not in menu
    client.cookies.clear()
    login(client, "clinician.a")
    menu = client.get("/research").text.split('class="mainnav"')[1].split("</nav>")[0]
    assert 'href="/registry"' in menu and 'href="/research"' in menu
