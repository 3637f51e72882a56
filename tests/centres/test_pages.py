"""Centres in the browser: an administrator adds a centre and edits what it can give."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.centres import service
from tests.conftest import Cast, login


def test_an_admin_adds_a_centre_and_edits_its_capabilities(
    client: TestClient, db: Session, cast: Cast
) -> None:
    login(client, "admin")
    token = client.headers["X-CSRF-Token"]
    assert 'data-testid="new-centre"' in client.get("/centres").text
    created = client.post(
        "/centres",
        data={
            "csrf_token": token,
            "code": "bvtw-hue",
            "name": "Bệnh viện Trung ương Huế",
            "level": "regional",
            "province_code": "46",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = created.headers["location"]
    page = client.get(url)
    assert "Bệnh viện Trung ương Huế" in page.text and 'data-testid="edit-centre"' in page.text
    version = page.text.split('name="version" value="')[1].split('"')[0]
    saved = client.post(
        f"{url}/care",
        data={
            "csrf_token": token,
            "version": version,
            "chairs": "4",
            "infusions_per_chair": "3",
            **{f"day-{i}": "yes" for i in range(6)},  # Monday to Saturday
            "contact": "0234 3822 325",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    centre = service.get_centre_by_code(session=db, code="BVTW-HUE")
    assert (centre.chairs, centre.infusions_per_chair, centre.opening_days) == (4, 3, "1111110")
    stale = client.post(
        f"{url}/care", data={"csrf_token": token, "version": version, "chairs": "2"}
    )
    assert stale.status_code == 409


def test_the_centre_form_names_what_is_wrong_and_a_clinician_cannot_add_one(
    client: TestClient, cast: Cast
) -> None:
    login(client, "admin")
    token = client.headers["X-CSRF-Token"]
    bad = client.post(
        "/centres",
        data={
            "csrf_token": token,
            "code": "X",
            "name": "",
            "level": "regional",
            "province_code": "01",
        },
    )
    assert bad.status_code == 422 and "code" in bad.text
    duplicate = client.post(
        "/centres",
        data={
            "csrf_token": token,
            "code": "CENTRE-A",
            "name": "Again",
            "level": "national",
            "province_code": "01",
        },
    )
    assert duplicate.status_code == 409
    login(client, "clinician.a")
    refused = client.post(
        "/centres",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "code": "NEW-1",
            "name": "Mới",
            "level": "provincial",
            "province_code": "01",
        },
    )
    assert refused.status_code == 403
    assert 'data-testid="new-centre"' not in client.get("/centres").text
