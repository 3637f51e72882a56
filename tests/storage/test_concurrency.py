"""Many users at once on the default install (an SQLite file), and a database that is down or
hung: requests queue for the write lock instead of failing, and an unreachable database answers
503 quickly while pages that need no database keep answering."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.app import create_app
from rarecare.centres import service as centres
from rarecare.centres.models import CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.config import Settings
from rarecare.errors import Conflict
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import service as registry
from rarecare.registry.models import Patient
from rarecare.registry.schemas import PatientIn
from rarecare.registry.vault import IdentityVault
from rarecare.storage import make_engine, make_sessionmaker
from rarecare.storage.migrate import upgrade
from rarecare.web.deps import get_knowledge
from tests.conftest import PASSWORD, login
from tests.registry.conftest import patient_payload

USERS = 4
REQUESTS_EACH = 40


@pytest.fixture
def shared_sqlite(tmp_path: Path, kb: KnowledgeBase) -> tuple[Settings, int]:
    """A committed SQLite file with one centre, four clinicians and one patient."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'rarecare.sqlite3'}", demo=True, var_dir=tmp_path
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(code="NCH", name="NCH", level=CentreLevel.NATIONAL, province_code="01"),
        )
        clinicians = [
            accounts.create_user(
                session=session,
                principal=SYSTEM,
                data=UserIn(
                    username=f"dr.{i}", password=PASSWORD, role=Role.CLINICIAN, centre_code="NCH"
                ),
            )
            for i in range(USERS)
        ]
        patient = registry.register(
            session=session,
            principal=accounts.principal_for(clinicians[0]),
            kb=kb,
            vault=IdentityVault(settings.identity_key),
            data=PatientIn.model_validate(patient_payload()),
        )
        patient_id = patient.id
    engine.dispose()
    return settings, patient_id


def _session_reads_and_writes(app: object, user: str, patient_id: int) -> Counter[int]:
    statuses: Counter[int] = Counter()
    with TestClient(app) as client:  # type: ignore[arg-type]
        login(client, user)
        for i in range(REQUESTS_EACH):
            if i % 4 == 3:  # a write among the reads
                response = client.post(
                    f"/api/registry/patients/{patient_id}/encounters",
                    json={"date": "2026-01-05", "weight_kg": 20 + i % 3},
                )
            else:  # an audited read
                response = client.get(f"/api/registry/patients/{patient_id}")
            statuses[response.status_code] += 1
    return statuses


def test_concurrent_users_of_the_sqlite_file_never_meet_a_locked_database(
    shared_sqlite: tuple[Settings, int], kb: KnowledgeBase
) -> None:
    settings, patient_id = shared_sqlite
    app = create_app(settings)
    app.dependency_overrides[get_knowledge] = lambda: kb
    with ThreadPoolExecutor(USERS) as pool:
        results = list(
            pool.map(lambda i: _session_reads_and_writes(app, f"dr.{i}", patient_id), range(USERS))
        )
    total = sum(results, Counter())
    assert set(total) <= {200, 201}, total
    assert total.total() == USERS * REQUESTS_EACH


def _silent_server() -> tuple[socket.socket, int]:
    """A port that accepts connections and never answers, as a hung database server does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def test_a_hung_database_answers_503_quickly_and_pages_without_it_still_answer(
    tmp_path: Path,
) -> None:
    server, port = _silent_server()
    try:
        settings = Settings(
            database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/rarecare",
            demo=True,
            var_dir=tmp_path,
            db_timeout_seconds=1,
        )
        client = TestClient(create_app(settings))
        started = time.perf_counter()
        ready = client.get("/readyz", headers={"Accept": "application/json"})
        assert ready.status_code == 503
        assert ready.json()["error"]["code"] == "unavailable"
        assert ready.headers["retry-after"]
        assert time.perf_counter() - started < 10
        page = client.get("/registry", headers={"Cookie": "rarecare_session=abc"})
        assert page.status_code == 503
        assert "Cơ sở dữ liệu" in page.text or "database" in page.text.lower()
        assert page.headers["x-frame-options"] == "DENY"
        assert client.get("/login").status_code == 200  # no database needed
    finally:
        server.close()


def test_a_database_that_refuses_connections_answers_503(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{port}/rarecare",
        demo=True,
        var_dir=tmp_path,
    )
    client = TestClient(create_app(settings))
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 503


def test_readiness_answers_when_the_database_does(client: TestClient, db: Session) -> None:
    assert client.get("/readyz").json() == {"status": "ready", "database": "ok"}


def test_simultaneous_registrations_of_one_person_make_one_record(
    fresh_url: str, kb: KnowledgeBase
) -> None:
    engine = make_engine(fresh_url)
    maker = make_sessionmaker(engine)
    with maker() as session, session.begin():
        centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(code="NCH", name="NCH", level=CentreLevel.NATIONAL, province_code="01"),
        )
        clinician = accounts.principal_for(
            accounts.create_user(
                session=session,
                principal=SYSTEM,
                data=UserIn(
                    username="dr.a", password=PASSWORD, role=Role.CLINICIAN, centre_code="NCH"
                ),
            )
        )
    vault = IdentityVault(b"k" * 32)

    def register(_: int) -> str:
        with maker() as session:
            try:
                with session.begin():
                    registry.register(
                        session=session,
                        principal=clinician,
                        kb=kb,
                        vault=vault,
                        data=PatientIn.model_validate(patient_payload()),
                    )
            except Conflict:
                return "refused"
        return "registered"

    try:
        with ThreadPoolExecutor(5) as pool:
            outcomes = Counter(pool.map(register, range(10)))
        assert outcomes == {"registered": 1, "refused": 9}
        with maker() as session:
            assert session.scalar(select(func.count()).select_from(Patient)) == 1
    finally:
        engine.dispose()
