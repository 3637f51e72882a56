"""The audit log page and its export, as an administrator."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient

from rarecare.audit.models import ACTION_LABELS
from tests.conftest import Cast, login
from tests.registry.conftest import patient_payload


def _rows(html: str) -> str:
    return html.split('data-testid="audit-events"')[1].split("</tbody>")[0]


def _patient(client: TestClient) -> int:
    login(client, "clinician.a")
    created = client.post("/api/registry/patients", json=patient_payload()).json()
    client.get(f"/registry/patients/{created['id']}")
    patient_id: int = created["id"]
    return patient_id


def test_the_audit_log_filters_by_patient_action_and_day_with_readable_names(
    client: TestClient, cast: Cast
) -> None:
    patient_id = _patient(client)
    login(client, "admin")
    assert f"object_id={patient_id}" in client.get(f"/registry/patients/{patient_id}").text
    trail = {"object_type": "patient", "object_id": str(patient_id)}
    page = client.get("/admin/audit", params=trail)
    assert page.status_code == 200
    assert "opened a record" in page.text or "mở hồ sơ" in page.text
    assert 'data-testid="audit-total"' in page.text
    only_reads = _rows(client.get("/admin/audit", params={**trail, "action": "read"}).text)
    assert only_reads.count("<tr>") >= 1 and 'title="create"' not in only_reads
    nothing = client.get("/admin/audit", params={"since": "2001-01-01", "until": "2001-01-02"})
    assert "#" not in _rows(nothing.text)
    bad = client.get("/admin/audit", params={"since": "not-a-day"})
    assert bad.status_code == 422 and "since" in bad.text


def test_the_audit_log_pages_by_fifty_and_exports_every_matching_event(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    for _ in range(60):
        client.get("/api/registry/patients")
    login(client, "admin")
    first = client.get("/admin/audit", params={"actor": "clinician.a"})
    assert 'data-testid="audit-next"' in first.text
    second = client.get("/admin/audit", params={"actor": "clinician.a", "page": 2})
    assert second.status_code == 200
    export = client.get("/admin/audit.csv", params={"actor": "clinician.a"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) - 1 >= 60
    assert all(row[1] == "clinician.a" for row in rows[1:])
    exported = client.get("/admin/audit", params={"action": "export", "object_type": "audit_log"})
    assert "audit_log" in _rows(exported.text)


def test_only_admins_see_or_export_the_audit_log(client: TestClient, cast: Cast) -> None:
    for user in ("clinician.a", "analyst"):
        login(client, user)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403


def test_every_action_the_features_record_has_a_readable_name() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "rarecare"
    found = set()
    for path in src.rglob("*.py"):
        found |= set(re.findall(r'action="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert found - set(ACTION_LABELS) == set()
