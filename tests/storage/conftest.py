"""Databases of their own for tests that need committed data and several connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from rarecare.storage import make_engine
from rarecare.storage.migrate import upgrade
from tests.conftest import _postgres_engine_for_session


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
