"""The indicator pages for every role, the suppressed download, the DHIS2 export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rarecare.monitoring import exports, indicators
from rarecare.registry.models import Patient
from tests.conftest import Cast, login

PERIOD = "2026Q1"


@pytest.fixture
def stored(db: Session, cast: Cast, registry: dict[str, Patient]) -> None:
    indicators.refresh(session=db, principal=cast.analyst, period=PERIOD)


@pytest.mark.parametrize("username", ["analyst", "admin", "clinician.a"])
def test_the_dashboard_and_indicator_pages_render_for_each_role(
    client: TestClient, stored: None, username: str
) -> None:
    login(client, username)
    page = client.get(f"/monitoring/indicators?period={PERIOD}")
    assert page.status_code == 200, page.text[-500:]
    assert "Chỉ số quốc gia" in page.text and "Người bệnh được đăng ký" in page.text
    assert ('data-chart="map"' in page.text) == (username != "clinician.a")
    one = client.get(f"/monitoring/indicators/share_children?period={PERIOD}")
    assert one.status_code == 200 and "Tử số" in one.text


def test_a_centre_user_sees_their_centre_and_no_province(
    client: TestClient, stored: None, cast: Cast
) -> None:
    login(client, "clinician.a")
    page = client.get(f"/monitoring/indicators/registered?period={PERIOD}&breakdown=province")
    assert page.status_code == 200
    assert "Centre A" in page.text and "Centre B" not in page.text
    assert client.get(f"/monitoring/indicators/provinces/01?period={PERIOD}").status_code == 403


def test_the_province_dashboard_drills_down_to_its_centres(
    client: TestClient, stored: None
) -> None:
    login(client, "analyst")
    page = client.get(f"/monitoring/indicators/provinces/01?period={PERIOD}")
    assert page.status_code == 200
    assert "Hà Nội" in page.text and "Centre A" in page.text


def test_a_centre_page_shows_its_disease_groups_to_its_own_staff_only(
    client: TestClient, stored: None, cast: Cast
) -> None:
    login(client, "clinician.a")
    own = client.get(f"/monitoring/indicators/centres/{cast.centre_a}?period={PERIOD}")
    assert own.status_code == 200 and "Lysosomal storage disorders" in own.text
    assert client.get(f"/monitoring/indicators/centres/{cast.centre_b}").status_code == 404
    login(client, "analyst")
    province = client.get(f"/monitoring/indicators/provinces/01?period={PERIOD}").text
    assert f"/monitoring/indicators/centres/{cast.centre_a}" in province


def test_the_csv_download_hides_small_counts(client: TestClient, stored: None) -> None:
    login(client, "analyst")
    response = client.get(
        f"/monitoring/indicators/registered/download.csv?period={PERIOD}&breakdown=province"
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["key"]: r["numerator"] for r in rows} == {"01": "<5", "79": "<5"}
    assert all(r["value"] == "" for r in rows) and rows[0]["licence"].startswith("CC BY 4.0")


def test_the_dhis2_export_is_a_data_value_set_without_suppressed_values(
    db: Session, stored: None, cast: Cast
) -> None:
    payload = exports.dhis2(session=db, principal=cast.analyst, period=PERIOD)
    values = payload["dataValues"]
    assert values and all(set(v) == {"dataElement", "period", "orgUnit", "value"} for v in values)
    registered = [v for v in values if v["dataElement"] == "RC_REGISTERED"]
    assert registered == []  # 4 people in all: below 5, suppressed even nationally
    listed = [v for v in values if v["dataElement"] == "RC_LISTED_WITH_DRUG"]
    assert listed and listed[0]["orgUnit"] == "VN" and listed[0]["period"] == PERIOD


def test_the_cli_refreshes_and_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rarecare.cli import app

    runner = CliRunner()
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'i.sqlite3'}")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["indicators", "refresh", "--period", "2026Q1"])
    assert result.exit_code == 0, result.output
    assert "2026Q1:" in result.output and "values from 0 records" in result.output
    out = tmp_path / "dhis2.json"
    exported = runner.invoke(
        app,
        ["indicators", "export", "--period", "2026Q1", "--format", "dhis2", "--out", str(out)],
    )
    assert exported.exit_code == 0, exported.output
    assert "dataValues" in json.loads(out.read_text())


def test_stale_figures_are_recomputed_in_the_background_once(
    fresh_url: str, tmp_path: Path
) -> None:
    import time
    from datetime import date

    from rarecare.config import Settings
    from rarecare.jobs.models import Job
    from rarecare.jobs.service import JobRunner
    from rarecare.monitoring import jobs
    from rarecare.storage import make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(fresh_url))
    runner = JobRunner(
        sessions, Settings(database_url=fresh_url, demo=True, var_dir=tmp_path), isolated=False
    )
    runner.register(jobs.REFRESH, jobs.refresh_job)
    today = date(2026, 5, 20)
    job_id = jobs.refresh_if_stale(sessions=sessions, runner=runner, hours=24, today=today)
    assert job_id is not None
    deadline = time.monotonic() + 60
    while True:
        with sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None
            if job.status in ("done", "failed") or time.monotonic() > deadline:
                break
        time.sleep(0.05)
    assert job.status == "done" and job.result is not None and job.result["period"] == "2026Q2"
    assert jobs.refresh_if_stale(sessions=sessions, runner=runner, hours=24, today=today) is None
    runner.shutdown()
