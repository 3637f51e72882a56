"""Submitting, running and reading background jobs.

A job is a row (kind, owner, parameters, status, progress, result) and a function registered
for its kind. The runner of each server process runs submitted jobs in a separate job process
(a spawned worker with its own interpreter, database engine and sessions), so that parsing a
100,000-row file never holds the server's interpreter: requests keep being answered while it
runs. Progress is committed in short transactions of its own on PostgreSQL; on SQLite, whose
one writer is the job itself, the job process writes it to a small file beside the job's work
files. The page polling a job sees it move while the work commits or rolls back as a whole.
(``isolated=False`` runs jobs in threads of the server process instead: tests with local
functions.)"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from rarecare.access import Principal, Role, require_authenticated
from rarecare.config import Settings
from rarecare.errors import NotFound, RareCareError
from rarecare.i18n import _
from rarecare.jobs.models import Job
from rarecare.jobs.schemas import JobOut
from rarecare.storage import make_engine, make_reader, make_sessionmaker, utcnow

log = logging.getLogger("rarecare.jobs")


@dataclass(frozen=True)
class JobContext:
    """What a job function gets: its id and parameters, the owner it acts as, a way to report
    progress, and sessions of its own."""

    job_id: int
    params: dict[str, Any]
    principal: Principal
    sessions: sessionmaker[Session]
    report: Callable[[int, int | None], None]
    settings: Settings


JobFunction = Callable[[JobContext], dict[str, Any]]


def submit(
    *, session: Session, principal: Principal | None, kind: str, params: dict[str, Any]
) -> Job:
    actor = require_authenticated(principal)
    job = Job(
        kind=kind,
        owner_user_id=actor.user_id,
        owner_username=actor.username,
        owner_role=actor.role.value,
        centre_id=actor.centre_id,
        params=params,
    )
    session.add(job)
    session.flush()
    return job


def get(*, session: Session, principal: Principal | None, job_id: int) -> Job:
    """A job its owner (or an administrator) may follow; anyone else: not found."""
    actor = require_authenticated(principal)
    job = session.get(Job, job_id)
    if job is None or (job.owner_user_id != actor.user_id and actor.role is not Role.ADMIN):
        raise NotFound(_("No such job."))
    return job


def principal_of(job: Job) -> Principal:
    """The job's owner, as whom it acts (scoping and audit as if they did it themselves)."""
    return Principal(
        user_id=job.owner_user_id,
        username=job.owner_username,
        role=Role(job.owner_role),
        centre_id=job.centre_id,
    )


class JobRunner:
    """Runs the jobs of one server process off the request path: in a job process (default) or
    in threads of this process (``isolated=False``)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        workers: int = 2,
        *,
        isolated: bool = True,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.functions: dict[str, JobFunction] = {}
        self.isolated = isolated
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rarecare-job")
        self._workers = workers
        self._processes: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._live: dict[int, tuple[int, int | None]] = {}

    def register(self, kind: str, function: JobFunction) -> None:
        self.functions[kind] = function

    def recover(self) -> int:
        """Jobs left queued or running by a stopped process: marked failed (at start-up). It
        looks first, and only takes the write lock when there is something to mark."""
        unfinished = Job.status.in_(("queued", "running"))
        reader = make_reader(self.sessions.kw["bind"])
        with reader() as session:
            if session.scalar(select(Job.id).where(unfinished).limit(1)) is None:
                return 0
        with self.sessions.begin() as session:
            result = session.execute(
                update(Job)
                .where(Job.status.in_(("queued", "running")))
                .values(
                    status="failed",
                    error="interrupted: the server stopped before the job finished",
                    finished_at=utcnow(),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def start(self, job_id: int) -> None:
        """Run a submitted (committed) job in the background."""
        self._pool.submit(self._run, job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            processes, self._processes = self._processes, None
        if processes is not None:
            processes.shutdown(wait=False, cancel_futures=True)

    def _process_pool(self) -> ProcessPoolExecutor:
        # spawned, not forked: the server process has threads (and open connections)
        with self._lock:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    max_workers=self._workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._processes

    def _run(self, job_id: int) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.status, job.started_at = "running", utcnow()
            kind, params, owner = job.kind, dict(job.params), principal_of(job)
        if self.isolated:
            outcome = self._in_process(job_id, kind, params, owner)
        else:
            context = JobContext(
                job_id, params, owner, self.sessions, self._reporter(job_id), self.settings
            )
            outcome = execute(self.functions[kind], context)
        self._finish(job_id, *outcome)

    def _in_process(
        self, job_id: int, kind: str, params: dict[str, Any], owner: Principal
    ) -> Outcome:
        try:
            future: Future[Outcome] = self._process_pool().submit(
                run_isolated, self.functions[kind], self.settings, job_id, params, owner
            )
            return future.result()
        except BrokenProcessPool:  # the job process died (killed, out of memory)
            log.error("job %s (%s): the job process died", job_id, kind)
            with self._lock:
                self._processes = None
            return "failed", None, _("The job process stopped unexpectedly; it is logged.")

    def _reporter(self, job_id: int) -> Callable[[int, int | None], None]:
        # a thread of this process: progress in this process's memory (SQLite) or committed
        to_database = self.sessions.kw["bind"].dialect.name != "sqlite"
        to_db = _database_reporter(self.sessions, job_id) if to_database else None

        def report(done: int, total: int | None) -> None:
            with self._lock:
                self._live[job_id] = (done, total)
            if to_db is not None:
                to_db(done, total)

        return report

    def progress(self, job: Job) -> JobOut:
        """What a page shows of ``job``, with the progress this process holds for it (a
        running SQLite job). The row itself is left as it is: a reading request writes nothing."""
        with self._lock:
            live = self._live.get(job.id)
        if live is None and job.status == "running":
            live = _read_progress(self.settings, job.id)
        out = JobOut.model_validate(job)
        if live is not None and job.status == "running":
            out = out.model_copy(update={"done": live[0], "total": live[1]})
        return out

    def _finish(self, job_id: int, status: str, result: dict[str, Any] | None, error: str) -> None:
        with self._lock:
            live = self._live.pop(job_id, None)
        if live is None:
            live = _read_progress(self.settings, job_id)
        _progress_file(self.settings, job_id).unlink(missing_ok=True)
        values: dict[str, Any] = {"status": status, "result": result, "error": error}
        if live is not None:
            values |= {"done": live[0], "total": live[1]}
        with self.sessions.begin() as session:
            session.execute(
                update(Job).where(Job.id == job_id).values(**values, finished_at=utcnow())
            )


def output_path(settings: Settings, job: Job) -> Path | None:
    """Where a job's output file lives (under the var directory, never a user-given path)."""
    name = (job.result or {}).get("file")
    return settings.var_dir / "jobs" / str(name) if name else None


def work_dir(settings: Settings) -> Path:
    folder = settings.var_dir / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ------------------------------------------------------------------ running one job
Outcome = tuple[str, dict[str, Any] | None, str]  # status, result, error


def execute(function: JobFunction, context: JobContext) -> Outcome:
    """Run a job function; what the owner reads when it fails is their data's problems, or that
    an unexpected error was logged (never a traceback)."""
    try:
        result = function(context)
    except RareCareError as exc:
        return "failed", {"details": [d.as_dict() for d in exc.details]}, exc.message
    except Exception:
        log.exception("job %s failed", context.job_id)
        return "failed", None, _("An unexpected error occurred; it is logged.")
    return "done", result, ""


def run_isolated(
    function: JobFunction,
    settings: Settings,
    job_id: int,
    params: dict[str, Any],
    owner: Principal,
) -> Outcome:
    """A job, in the job process: an engine and sessions of its own, progress committed
    (PostgreSQL) or written to the job's progress file (SQLite)."""
    logging.basicConfig(level=settings.log_level.upper())
    engine = make_engine(
        settings.database_url,
        pool_size=2,
        timeout_seconds=max(settings.db_timeout_seconds, 30.0),
    )
    sessions = make_sessionmaker(engine)
    try:
        if engine.dialect.name == "sqlite":
            report = _file_reporter(settings, job_id)
        else:
            report = _database_reporter(sessions, job_id)
        return execute(function, JobContext(job_id, params, owner, sessions, report, settings))
    finally:
        engine.dispose()


def _database_reporter(
    sessions: sessionmaker[Session], job_id: int
) -> Callable[[int, int | None], None]:
    def report(done: int, total: int | None) -> None:
        with sessions.begin() as session:
            session.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))

    return report


def _progress_file(settings: Settings, job_id: int) -> Path:
    return settings.var_dir / "jobs" / f"job-{job_id}.progress"


def _file_reporter(settings: Settings, job_id: int) -> Callable[[int, int | None], None]:
    path = _progress_file(settings, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")

    def report(done: int, total: int | None) -> None:
        scratch.write_text(f"{done} {'' if total is None else total}")
        os.replace(scratch, path)  # a reader sees the old figure or the new, never half

    return report


def _read_progress(settings: Settings, job_id: int) -> tuple[int, int | None] | None:
    try:
        done, _sep, total = _progress_file(settings, job_id).read_text().partition(" ")
        return int(done), int(total) if total.strip() else None
    except (OSError, ValueError):
        return None
