"""Shared fixtures: both database backends, per-test rollback, the app, and the fixed cast.

Every test that asks for ``db`` (or anything built on it) runs twice: on SQLite and on a real
PostgreSQL server (``RARECARE_TEST_POSTGRES_URL``, default the local server). Each test runs in a
transaction that is rolled back, so tests never see each other's rows. In CI an unreachable
PostgreSQL server fails the run instead of skipping.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.app import create_app
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.config import Settings
from rarecare.diagnosis import service as diagnosis_service
from rarecare.diagnosis.deps import get_engine
from rarecare.knowledge import KnowledgeBase, load_knowledge
from rarecare.storage import make_engine
from rarecare.storage.migrate import upgrade
from rarecare.web.deps import get_knowledge, get_session

POSTGRES_URL = os.environ.get(
    "RARECARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "correct-horse-battery"
DATA_KEY = b"k" * 32  # the data key of every test database
ROOT = Path(__file__).resolve().parents[1]
# The packaged knowledge base's binary cache is shared by every test run (keyed by content).
KNOWLEDGE_CACHE = ROOT / "var" / "cache"


def _postgres_engine_for_session(worker: str) -> tuple[Engine, str, Engine]:
    """Creates a throw-away database; returns (admin engine, its name, engine on it)."""
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL unreachable at {make_url(POSTGRES_URL).render_as_string()}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI must run the PostgreSQL suite)", pytrace=False)
        pytest.skip(message)
    name = f"rarecare_test_{worker}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    return admin, name, make_engine(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each backend (one per test worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "rarecare.sqlite3"
        eng = make_engine(f"sqlite:///{path}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    admin, name, eng = _postgres_engine_for_session(worker)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own (committed data, several connections): an SQLite file,
    or a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    admin, name, engine = _postgres_engine_for_session("fresh")
    try:
        upgrade(engine)
        yield engine.url.render_as_string(hide_password=False)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real, packaged knowledge base (HPO, Orphanet, Mondo, ICD-10)."""
    return load_knowledge(KNOWLEDGE_CACHE)


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        demo=True,
        var_dir=tmp_path,
        login_max_failures=3,
        warm_up=False,  # each test's cache directory is its own: nothing to warm
        # one data key for the whole run: the database registers the key in force
        data_key=SecretStr(base64.b64encode(DATA_KEY).decode()),
    )


@pytest.fixture
def app(settings: Settings, db: Session, kb: KnowledgeBase) -> FastAPI:
    application = create_app(settings)
    application.dependency_overrides[get_knowledge] = lambda: kb
    application.dependency_overrides[get_engine] = lambda: diagnosis_service.engine_for(
        kb, KNOWLEDGE_CACHE
    )

    def session_override() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_session] = session_override
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass(frozen=True)
class Cast:
    """The fixed cast every test can use."""

    centre_a: int
    centre_b: int
    clinician_a: Principal
    clinician_b: Principal
    data_manager_a: Principal
    analyst: Principal
    admin: Principal


@pytest.fixture
def cast(db: Session) -> Cast:
    a = centres.create_centre(
        session=db,
        principal=SYSTEM,
        data=CentreIn(
            code="CENTRE-A", name="Centre A", level=CentreLevel.NATIONAL, province_code="01"
        ),
    )
    b = centres.create_centre(
        session=db,
        principal=SYSTEM,
        data=CentreIn(
            code="CENTRE-B", name="Centre B", level=CentreLevel.REGIONAL, province_code="79"
        ),
    )

    def user(username: str, role: Role, centre: str | None) -> Principal:
        created = accounts.create_user(
            session=db,
            principal=SYSTEM,
            data=UserIn(
                username=username,
                password=PASSWORD,
                role=role,
                centre_code=centre,
                display_name=username.title(),
            ),
        )
        return accounts.principal_for(created)

    return Cast(
        centre_a=a.id,
        centre_b=b.id,
        clinician_a=user("clinician.a", Role.CLINICIAN, "CENTRE-A"),
        clinician_b=user("clinician.b", Role.CLINICIAN, "CENTRE-B"),
        data_manager_a=user("datamanager.a", Role.DATA_MANAGER, "CENTRE-A"),
        analyst=user("analyst", Role.MINISTRY, None),
        admin=user("admin", Role.ADMIN, None),
    )


def form_token(page: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log in and arm the client with the CSRF header that uploads need."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.get("/api/auth/csrf").json()["csrf_token"]


def _suite_counts(config: pytest.Config) -> dict[str, dict[str, int]]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in getattr(reporter, "stats", {}).get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            kind = (
                "browser"
                if "/browser/" in nodeid
                else "postgresql"
                if "[postgresql" in nodeid
                else "sqlite"
                if "[sqlite" in nodeid
                else "no database"
            )
            counts.setdefault(kind, {}).setdefault(outcome, 0)
            counts[kind][outcome] += 1
    return counts


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a run where no PostgreSQL or no browser test passed is a failed run."""
    if not IN_CI or hasattr(session.config, "workerinput") or exitstatus != 0:
        return
    counts = _suite_counts(session.config)
    if any(counts.get(kind, {}).get("passed", 0) == 0 for kind in ("postgresql", "browser")):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Make the PostgreSQL and browser counts visible in every run's output."""
    counts = _suite_counts(terminalreporter.config)
    terminalreporter.section("RareCare suites")
    for kind in ("sqlite", "postgresql", "browser", "no database"):
        tally = counts.get(kind, {})
        line = ", ".join(f"{n} {o}" for o, n in sorted(tally.items())) or "none run"
        terminalreporter.write_line(f"{kind:>12}: {line}")
        if IN_CI and kind in ("postgresql", "browser") and not tally.get("passed"):
            terminalreporter.write_line(f"ERROR: no {kind} test passed in CI", red=True)
