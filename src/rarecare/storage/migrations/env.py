"""Alembic environment: runs on the connection handed in by ``rarecare.storage.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import rarecare.models  # noqa: F401  (registers every feature package's tables)
from rarecare.storage.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run_on(conn)


def _run_on(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
