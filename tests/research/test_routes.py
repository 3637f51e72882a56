"""The research API: the release runs as a job the committee follows; whoever may not release
is refused before any job starts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.research.models import RequestStatus
from tests.conftest import login
from tests.research.conftest import World
from tests.research.test_requests import approved


def test_the_release_is_a_job_and_only_the_committee_starts_it(
    client: TestClient,
    db: Session,
    kb: KnowledgeBase,
    world: World,
    inline_jobs: list[tuple[int, int | None]],
) -> None:
    request = approved(db, kb, world)
    login(client, "datamanager.a")
    assert client.post(f"/api/research/requests/{request.id}/release").status_code == 403
    client.cookies.clear()
    login(client, "dac.member")
    started = client.post(f"/api/research/requests/{request.id}/release")
    assert started.status_code == 202, started.text
    job = client.get(f"/api/jobs/{started.json()['id']}").json()
    assert (job["status"], job["result"]) == (
        "done",
        {"request_no": request.id, "extract_rows": 6},
    )
    db.refresh(request)
    assert request.status is RequestStatus.RELEASED
    again = client.post(f"/api/research/requests/{request.id}/release")
    assert again.status_code == 409


def test_variables_are_listed_with_their_labels(client: TestClient) -> None:
    variables = client.get("/api/research/variables").json()
    assert "hpo_observed" in variables and "full_name" not in variables
