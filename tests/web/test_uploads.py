"""Uploads cannot stall the server: a body over the limit is refused before it is read, and a
spreadsheet declaring a huge sheet in a few kilobytes is read in bounded time and memory."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from rarecare.errors import ValidationFailed
from rarecare.interop.tabular import read_rows
from rarecare.registry.bulk import IMPORT_TABLE
from rarecare.web.uploads import MAX_REQUEST_BYTES
from tests.conftest import Cast, login


def _dimension_bomb() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["full_name", "birth_date"])
    sheet["XFD1048576"] = "x"  # the sheet now declares A1:XFD1048576
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_dimension_bomb_is_read_in_bounded_time_and_memory() -> None:
    bomb = _dimension_bomb()
    assert len(bomb) < 10_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationFailed):  # the header lacks required columns: refused
        read_rows(IMPORT_TABLE, bomb, "bomb.xlsx")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 5
    assert peak < 100 * 1024 * 1024


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient, cast: Cast) -> None:
    login(client, "datamanager.a")
    response = client.post(
        "/api/registry/import",
        headers={"Content-Length": str(MAX_REQUEST_BYTES + 1), "Content-Type": "text/csv"},
        content=b"x",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_file_over_the_limit_is_refused_naming_the_field(
    client: TestClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rarecare.web.uploads as uploads

    login(client, "datamanager.a")
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    response = client.post(
        "/api/registry/import",
        files={"file": ("big.csv", b"x" * 5000, "text/csv")},
    )
    assert response.status_code == 413
    assert response.json()["error"]["details"][0]["field"] == "file"
