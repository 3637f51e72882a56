"""The quarterly report button: a background job (in a job process of its own) whose file is
the PDF, for the committee and the ministry; centre staff get none."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from pypdf import PdfReader

from rarecare.app import create_app
from rarecare.config import Settings
from rarecare.demo import service as demo
from rarecare.knowledge import KnowledgeBase
from rarecare.storage import make_engine, make_sessionmaker
from rarecare.web.deps import get_knowledge
from tests.conftest import DATA_KEY, KNOWLEDGE_CACHE


def _poll(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def _log_in(client: TestClient, username: str) -> None:
    password = next(x.password for x in demo.DEMO_LOGINS if x.username == username)
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.get("/api/auth/csrf").json()["csrf_token"]


def test_the_report_button_writes_the_quarterly_pdf_in_the_background(
    fresh_url: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=fresh_url,
        demo=True,
        var_dir=tmp_path,
        data_key=SecretStr(base64.b64encode(DATA_KEY).decode()),
    )
    (tmp_path / "cache").symlink_to(KNOWLEDGE_CACHE)
    with make_sessionmaker(make_engine(fresh_url)).begin() as session:
        demo.load(session=session, kb=kb)
    app = create_app(settings)
    app.dependency_overrides[get_knowledge] = lambda: kb
    with TestClient(app) as client:
        _log_in(client, "dr.an")  # centre staff: no report
        refused = client.post("/api/monitoring/reports/quarterly/jobs", params={"period": "2025Q3"})
        assert refused.status_code == 403
        _log_in(client, "committee")
        page = client.post(
            "/monitoring/report",
            data={
                "period": "2025Q3",
                "format": "pdf",
                "lang": "vi",
            },
            follow_redirects=False,
        )
        assert page.status_code == 303, page.text.split("<main")[1][:600]
        assert page.headers["location"].startswith("/jobs/")
        job = _poll(client, int(page.headers["location"].rsplit("/", 1)[1]))
        assert job["status"] == "done", job
        file = client.get(f"/api/jobs/{job['id']}/file")
        assert file.status_code == 200 and file.content.startswith(b"%PDF-")
        text = PdfReader(io.BytesIO(file.content)).pages[0].extract_text()
        assert "Báo cáo quý của Ban chỉ đạo · 2025Q3" in text
