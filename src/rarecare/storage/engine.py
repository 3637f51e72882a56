"""Engine and session factories for SQLite (embedded default) and PostgreSQL (production).

Both are set up for many users at once. SQLite runs in WAL mode (readers never wait for the
writer) and every transaction takes the write lock when it begins (``BEGIN IMMEDIATE``):
requests read and write (each read of a patient record writes its audit event), and a
transaction that first reads and then writes cannot wait for the lock in WAL mode, it fails at
once with "database is locked". Taking the lock at the start lets SQLite's busy timeout queue
the requests instead. PostgreSQL gets a bounded pool, connect and statement timeouts and TCP
timeouts, so a hung server answers 503 within seconds instead of holding every worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

POOL_OVERFLOW = 5
SQLITE_MIN_WAIT = 15.0  # seconds a request waits for SQLite's write lock, at least


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    timeout_seconds: float = 5.0,
    statement_timeout_seconds: float | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for ``url``. ``timeout_seconds`` bounds connecting and waiting for a pooled
    connection (PostgreSQL) or for the write lock (SQLite); ``statement_timeout_seconds``, when
    given, bounds each statement on PostgreSQL (the web app's requests; not the CLI's long
    imports)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        kwargs.setdefault("hide_parameters", True)  # no clinical values in error messages, logs
        if parsed.database and parsed.database != ":memory:":
            # requests queue on the write lock holding a connection each: enough for them all
            kwargs.setdefault("pool_size", pool_size)
            kwargs.setdefault("max_overflow", 100)
            kwargs.setdefault("pool_timeout", 60)
        engine = create_engine(url, **kwargs)
        # the embedded install's users queue for the one writer: wait at least 15 s for it
        busy_ms = int(max(timeout_seconds, SQLITE_MIN_WAIT) * 1000)

        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, busy_ms)

        event.listen(engine, "connect", pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {
        "connect_timeout": max(1, round(timeout_seconds)),
        # a server that stops answering mid-query: give up after the timeout, not TCP's minutes
        "tcp_user_timeout": int((statement_timeout_seconds or 600) * 1000) + 5000,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }
    if statement_timeout_seconds is not None:
        ms = int(statement_timeout_seconds * 1000)
        connect_args["options"] = (
            f"-c statement_timeout={ms} -c lock_timeout={ms} "
            f"-c idle_in_transaction_session_timeout={ms * 2}"
        )
    connect_args.update(kwargs.pop("connect_args", {}))
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    kwargs.setdefault("pool_timeout", timeout_seconds)
    kwargs.setdefault("hide_parameters", True)
    return create_engine(url, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINTs and transactional DDL work (the documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


READ_ONLY = {"rarecare_read_only": True}  # execution options of a connection that only reads


def _sqlite_begin(connection: Any) -> None:
    # a connection that only reads (``engine.execution_options(**READ_ONLY)``) needs no lock
    read_only = connection.get_execution_options().get("rarecare_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_reader(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite they take no lock (``READ_ONLY``), so they never wait
    for the writer; elsewhere they are ordinary sessions."""
    return make_sessionmaker(engine.execution_options(**READ_ONLY))


def ping(engine: Engine) -> None:
    """``SELECT 1`` in a read-only transaction: it never waits for SQLite's write lock (a long
    import may hold it), so health checks answer at once while the database answers at all."""
    with engine.connect().execution_options(**READ_ONLY) as connection:
        connection.exec_driver_sql("SELECT 1")
