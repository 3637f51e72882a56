"""The monitoring pages for every role: the committee edits, centre staff update their own
organisation's activities, the ministry reads; anonymous users are sent to log in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.monitoring import service
from rarecare.monitoring.models import ActivityStatus
from rarecare.monitoring.schemas import ActivityChangeIn
from tests.conftest import login

from .conftest import PlanWorld

PAGES = ("/monitoring", "/monitoring/meetings", "/monitoring/events", "/monitoring/organisations")


@pytest.mark.parametrize("username", ["secretary", "analyst", "clinician.a", "admin"])
def test_every_monitoring_page_renders_in_vietnamese_for_each_role(
    client: TestClient, world: PlanWorld, username: str
) -> None:
    login(client, username)
    for path in PAGES:
        page = client.get(path)
        if username == "clinician.a" and path == "/monitoring/meetings":
            assert page.status_code == 403  # the committee's meetings are not the centres'
            continue
        assert page.status_code == 200, (path, page.text[:300])
        assert 'lang="vi"' in page.text
    overview = client.get("/monitoring").text
    assert "Kế hoạch hành động" in overview and "Nhiệm vụ trọng tâm" in overview


def test_the_committee_marks_an_activity_at_risk_with_a_comment_through_the_form(
    client: TestClient, db: Session, world: PlanWorld
) -> None:
    login(client, "secretary")
    page = client.post(
        f"/monitoring/activities/{world.led_by_a.id}",
        data={
            "status": "at_risk",
            "percent_done": "40",
            "comment": "Thiếu kinh phí",
            "version": str(world.led_by_a.version),
        },
        follow_redirects=False,
    )
    assert page.status_code == 303
    assert world.led_by_a.status is ActivityStatus.AT_RISK
    overview = client.get("/monitoring").text
    assert "Thiếu kinh phí" in overview.split('data-testid="at-risk"')[1]
    history = client.get(f"/monitoring/activities/{world.led_by_a.id}").text
    assert "Có nguy cơ chậm" in history and "secretary" in history


def test_a_centre_user_cannot_open_another_organisations_activity(
    client: TestClient, world: PlanWorld
) -> None:
    login(client, "clinician.a")
    assert client.get(f"/monitoring/activities/{world.led_by_b.id}").status_code == 404
    refused = client.patch(
        f"/api/monitoring/activities/{world.led_by_b.id}", json={"percent_done": 90}
    )
    assert refused.status_code == 404
    own = client.patch(f"/api/monitoring/activities/{world.led_by_a.id}", json={"percent_done": 50})
    assert own.status_code == 200 and own.json()["percent_done"] == 50


def test_a_stale_form_answers_409_and_keeps_the_colleagues_change(
    client: TestClient, db: Session, world: PlanWorld
) -> None:
    read_at = world.led_by_a.version
    service.update_activity(
        session=db,
        principal=world.committee,
        activity_id=world.led_by_a.id,
        data=ActivityChangeIn(status=ActivityStatus.DELAYED),
    )
    db.flush()
    login(client, "clinician.a")
    stale = client.post(
        f"/monitoring/activities/{world.led_by_a.id}",
        data={"status": "on_track", "version": str(read_at)},
    )
    assert stale.status_code == 409
    assert world.led_by_a.status is ActivityStatus.DELAYED


def test_anonymous_users_are_asked_to_log_in(client: TestClient, world: PlanWorld) -> None:
    assert client.get("/api/monitoring/activities").status_code == 401
    assert client.get("/monitoring", follow_redirects=False).status_code in (302, 303, 401)


def test_the_committee_builds_the_plan_in_the_browser(
    client: TestClient, db: Session, world: PlanWorld
) -> None:
    login(client, "secretary")
    token = client.headers["X-CSRF-Token"]
    created = client.post(
        "/monitoring/organisations",
        data={
            "code": "VMA",
            "name": "Tổng hội Y học Việt Nam",
            "kind": "association",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    task = world.plan.objectives[0].tasks[0]
    activity = client.post(
        "/monitoring/activities",
        data={
            "task_id": str(task.id),
            "code": "2.9",
            "title": "Lấy ý kiến hội chuyên ngành về danh mục",
            "lead_code": "VMA",
            "partner_codes": ["MSA", "HOSP-A"],
            "deadline": "2026-08-31",
            "output_kind": "disease_list",
        },
        follow_redirects=False,
    )
    assert activity.status_code == 303, activity.text[-500:]
    page = client.get(activity.headers["location"]).text
    assert "Lấy ý kiến hội chuyên ngành về danh mục" in page
    assert "Phiên bản Danh mục bệnh hiếm quốc gia" in page  # the linked output, in Vietnamese
    member = client.post(
        "/monitoring/committee",
        data={
            "name": "Nguyễn Văn B",
            "organisation_code": "MSA",
            "role": "chair",
            "term_start": "2025-01-25",
        },
        follow_redirects=False,
    )
    assert member.status_code == 303
    assert "Nguyễn Văn B" in client.get("/monitoring/meetings").text
    bad = client.post(
        "/monitoring/activities",
        data={
            "task_id": str(task.id),
            "code": "2.10",
            "title": "Sai",
            "lead_code": "NOBODY",
            "deadline": "2026-08-31",
        },
    )
    assert bad.status_code == 422 and "NOBODY" in bad.text


def test_centre_staff_cannot_create_activities(client: TestClient, world: PlanWorld) -> None:
    login(client, "clinician.a")
    task = world.plan.objectives[0].tasks[0]
    refused = client.post(
        "/monitoring/activities",
        data={
            "task_id": str(task.id),
            "code": "2.9",
            "title": "Của tôi",
            "lead_code": "HOSP-A",
            "deadline": "2026-08-31",
        },
    )
    assert refused.status_code == 403
