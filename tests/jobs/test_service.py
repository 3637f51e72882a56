"""Background jobs: long work runs off the request path with progress a page can follow; a
failure names what is wrong; only the owner (or an administrator) follows a job; a job a
stopped server left behind is marked failed."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.app import create_app
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.config import Settings
from rarecare.errors import NotFound, ValidationFailed
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext, JobRunner
from rarecare.knowledge import KnowledgeBase
from rarecare.storage import make_engine, make_sessionmaker
from rarecare.storage.migrate import upgrade
from rarecare.web.deps import get_knowledge
from tests.conftest import DATA_KEY, KNOWLEDGE_CACHE, PASSWORD, Cast, login
from tests.registry.test_cli import GOOD

OWNER = Principal(user_id=7, username="dm", role=Role.DATA_MANAGER, centre_id=1)


def _wait(sessions: object, job_id: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while True:
        with sessions() as session:  # type: ignore[operator]
            job: Job = session.get(Job, job_id)
            if job.status in ("done", "failed") or time.monotonic() > deadline:
                return job
        time.sleep(0.05)


@pytest.fixture
def runner(tmp_path: Path) -> JobRunner:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(database_url=url, demo=True, var_dir=tmp_path)
    return JobRunner(make_sessionmaker(engine), settings, isolated=False)


def test_a_job_runs_in_the_background_and_reports_progress(runner: JobRunner) -> None:
    seen: list[int] = []

    def count(context: JobContext) -> dict[str, object]:
        for i in range(1, 4):
            context.report(i, 3)
            with context.sessions() as session:  # what a page polling the job sees
                job = session.get(Job, context.job_id)
                assert job is not None
                seen.append(runner.progress(job).done)
                assert not session.dirty  # reading progress writes nothing
        return {"counted": 3, "by": context.principal.username}

    runner.register("count", count)
    with runner.sessions.begin() as session:
        job_id = jobs.submit(session=session, principal=OWNER, kind="count", params={}).id
    runner.start(job_id)
    job = _wait(runner.sessions, job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.result == {"counted": 3, "by": "dm"}
    assert seen == [1, 2, 3]  # each step visible while the job runs


def step_by_step(context: JobContext) -> dict[str, object]:
    """A job (module-level: the job process imports it) that reports one step, then waits
    until the test lets it go on."""
    context.report(1, 2)
    go_on = Path(str(context.params["go_on"]))
    deadline = time.monotonic() + 60
    while not go_on.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    context.report(2, 2)
    return {"pid": os.getpid()}


def test_a_job_runs_in_a_process_of_its_own_and_its_progress_is_seen(
    fresh_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_url)
    runner = JobRunner(
        make_sessionmaker(engine), Settings(database_url=fresh_url, demo=True, var_dir=tmp_path)
    )
    runner.register("steps", step_by_step)
    go_on = tmp_path / "go-on"
    with runner.sessions.begin() as session:
        job_id = jobs.submit(
            session=session, principal=OWNER, kind="steps", params={"go_on": str(go_on)}
        ).id
    runner.start(job_id)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with runner.sessions() as session:
                seen = runner.progress(session.get(Job, job_id))  # type: ignore[arg-type]
            if seen.done == 1:
                break
            time.sleep(0.05)
        assert (seen.status, seen.done, seen.total) == ("running", 1, 2)
        go_on.touch()
        job = _wait(runner.sessions, job_id)
    finally:
        runner.shutdown()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert job.result is not None and job.result["pid"] != os.getpid()


def test_a_failing_job_names_what_is_wrong(runner: JobRunner) -> None:
    def refuse(_context: JobContext) -> dict[str, object]:
        raise ValidationFailed("The file has problems.")

    runner.register("refuse", refuse)
    with runner.sessions.begin() as session:
        job_id = jobs.submit(session=session, principal=OWNER, kind="refuse", params={}).id
    runner.start(job_id)
    job = _wait(runner.sessions, job_id)
    assert (job.status, job.error) == ("failed", "The file has problems.")


def test_a_job_left_running_by_a_stopped_server_is_marked_failed(runner: JobRunner) -> None:
    with runner.sessions.begin() as session:
        job = jobs.submit(session=session, principal=OWNER, kind="count", params={})
        job.status = "running"
    assert runner.recover() == 1
    with runner.sessions() as session:
        stale = session.get(Job, job.id)
        assert stale is not None and stale.status == "failed" and "interrupted" in stale.error


def test_only_the_owner_or_an_admin_follows_a_job(db: Session, cast: Cast) -> None:
    job = jobs.submit(session=db, principal=cast.data_manager_a, kind="count", params={})
    assert jobs.get(session=db, principal=cast.admin, job_id=job.id).id == job.id
    with pytest.raises(NotFound):
        jobs.get(session=db, principal=cast.clinician_b, job_id=job.id)


def test_an_import_and_an_export_run_as_jobs_through_the_web(
    fresh_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=fresh_url,
        demo=True,
        var_dir=tmp_path,
        data_key=SecretStr(base64.b64encode(DATA_KEY).decode()),
    )
    (tmp_path / "cache").symlink_to(KNOWLEDGE_CACHE)  # the job process loads the knowledge
    sessions = make_sessionmaker(make_engine(fresh_url))
    with sessions.begin() as session:
        centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(code="NCH", name="NCH", level=CentreLevel.NATIONAL, province_code="01"),
        )
        for name, role in (("dm.a", Role.DATA_MANAGER), ("dm.b", Role.CLINICIAN)):
            accounts.create_user(
                session=session,
                principal=SYSTEM,
                data=UserIn(username=name, password=PASSWORD, role=role, centre_code="NCH"),
            )
    app = create_app(settings)
    app.dependency_overrides[get_knowledge] = lambda: kb
    with TestClient(app) as client:
        login(client, "dm.a")
        started = client.post(
            "/api/registry/import/jobs",
            files={"file": ("patients.csv", GOOD.encode(), "text/csv")},
        )
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        job = _poll(client, job_id)
        assert job["status"] == "done", job
        assert job["result"]["written"] == 1
        page = client.get(f"/jobs/{job_id}")
        assert page.status_code == 200 and 'data-status="done"' in page.text
        export = client.post("/api/registry/export/jobs", params={"format": "csv"})
        assert export.status_code == 202
        done = _poll(client, export.json()["id"])
        assert done["result"]["records"] == 1
        file = client.get(f"/api/jobs/{done['id']}/file")
        assert file.status_code == 200 and b"pseudonym" in file.content
        login(client, "dm.b")  # another user of the same centre does not follow it
        assert client.get(f"/api/jobs/{job_id}").status_code == 404


def _poll(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)
