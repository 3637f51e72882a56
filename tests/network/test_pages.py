"""The care network through the web app: pages and API, as the fixed cast."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from tests.conftest import login

from .conftest import Network

TODAY = date.today().isoformat()


def _refer(client: TestClient, network: Network) -> str:
    login(client, "clinician.b")
    page = client.get(f"/registry/patients/{network.patient.id}/network")
    assert page.status_code == 200 and 'data-testid="refer-form"' in page.text
    sent = client.post(
        f"/registry/patients/{network.patient.id}/referrals",
        data={
            "to_centre_code": "CENTRE-A",
            "urgency": "urgent",
            "suspected": "ORPHA:365",
            "reason": "Floppy infant with cardiomyopathy: suspected Pompe disease.",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def test_a_referral_goes_from_the_provinces_to_the_expert_centre_and_back(
    client: TestClient, network: Network, db: Session
) -> None:
    where = _refer(client, network)
    login(client, "clinician.a")
    home = client.get("/network")
    assert f'href="{where}"' in home.text  # on the incoming worklist
    assert client.get(where).status_code == 200
    for step, data in (
        ("accept", {}),
        ("seen", {"seen_on": TODAY}),
    ):
        answer = client.post(f"{where}/{step}", data=data, follow_redirects=False)
        assert answer.status_code == 303, answer.text
    ordered = client.post(
        f"/registry/patients/{network.patient.id}/samples",
        data={"test_code": "GAA-DBS", "ordered_on": TODAY},
        follow_redirects=False,
    )
    assert ordered.status_code == 303
    tab = client.get(f"/registry/patients/{network.patient.id}/network")
    assert "GAA activity" in tab.text
    assert client.get("/api/network/samples/overdue").json() == []
    sample_id = db.execute(text("SELECT id FROM network_samples")).scalar_one()
    resulted = client.post(
        f"/network/samples/{sample_id}/result",
        data={
            "patient_id": str(network.patient.id),
            "result_text": "GAA 0.4 µmol/L/h",
            "interpretation": "abnormal",
            "resulted_on": TODAY,
        },
        files={"file": ("report.pdf", b"%PDF-1.4 report", "application/pdf")},
        follow_redirects=False,
    )
    assert resulted.status_code == 303, resulted.text
    returned = client.post(
        f"{where}/outcome",
        data={"outcome": "Infantile-onset Pompe disease", "orpha_code": "ORPHA:365"},
        follow_redirects=False,
    )
    assert returned.status_code == 303, returned.text
    back = client.post(
        f"{where}/back",
        data={
            "to_centre_code": "CENTRE-B",
            "drug": "alglucosidase alfa",
            "reason": "Infusions every two weeks near home, please.",
        },
        follow_redirects=False,
    )
    assert back.status_code == 303, back.text
    page = client.get(back.headers["location"])
    assert 'data-testid="travel-what-if"' in page.text
    login(client, "clinician.b")
    notes = client.get("/api/network/notifications").json()
    assert len(notes) >= 4


def test_a_third_centre_sees_neither_the_referral_nor_the_record(
    client: TestClient, network: Network
) -> None:
    where = _refer(client, network)
    login(client, "clinician.c")
    assert client.get(where).status_code == 404
    assert client.get(f"/registry/patients/{network.patient.id}/network").status_code == 404
    rid = where.rsplit("/", 1)[-1]
    assert client.get(f"/api/network/referrals/{rid}").status_code == 404
    assert client.post(f"{where}/accept", follow_redirects=False).status_code == 404


def test_declining_on_the_page_ends_the_receiving_centre_s_access(
    client: TestClient, network: Network
) -> None:
    where = _refer(client, network)
    login(client, "clinician.a")
    refused = client.post(f"{where}/decline", data={"reason": "no"}, follow_redirects=False)
    assert refused.status_code == 422 and 'data-testid="errors"' in refused.text
    declined = client.post(
        f"{where}/decline",
        data={"reason": "Please see the regional metabolic clinic first."},
        follow_redirects=False,
    )
    assert declined.status_code == 303
    assert client.get(f"/registry/patients/{network.patient.id}").status_code == 404


def test_the_directory_and_the_screening_pages_answer(
    client: TestClient, network: Network, kb: KnowledgeBase
) -> None:
    labs = client.get("/network/labs")
    assert labs.status_code == 200 and "GAA activity" in labs.text
    assert client.get("/api/network/tests?orpha=ORPHA:365").json()[0]["code"] == "GAA-DBS"
    login(client, "analyst")
    assert client.get("/network/screening").status_code == 200
    assert client.get("/network").status_code == 200
    login(client, "datamanager.a")
    assert client.get("/network/screening").status_code == 200
    assert client.get("/api/network/screening/template.csv").status_code == 200


def test_the_steering_committee_sees_the_network_without_patient_level_data(
    client: TestClient, network: Network, db: Session
) -> None:
    from rarecare.access import SYSTEM, Role
    from rarecare.accounts import service as accounts
    from rarecare.accounts.schemas import UserIn
    from tests.conftest import PASSWORD

    accounts.create_user(
        session=db,
        principal=SYSTEM,
        data=UserIn(username="committee", password=PASSWORD, role=Role.COMMITTEE),
    )
    _refer(client, network)
    login(client, "committee")
    home = client.get("/network")
    assert home.status_code == 200 and 'data-testid="incoming"' not in home.text
    assert client.get("/network/screening").status_code == 200
    assert client.get("/api/network/referrals").status_code == 403


def test_the_header_counts_the_centres_unread_notifications(
    client: TestClient, network: Network
) -> None:
    _refer(client, network)  # centre B refers a patient to centre A
    client.cookies.clear()
    login(client, "clinician.a")
    assert 'hx-get="/network/notifications/badge"' in client.get("/network").text
    badge = client.get("/network/notifications/badge")
    assert badge.status_code == 200 and 'data-testid="unread-badge"' in badge.text
    client.post("/network/notifications/read")
    assert client.get("/network/notifications/badge").status_code == 204  # nothing new
