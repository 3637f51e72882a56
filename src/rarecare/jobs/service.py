"""Submitting, running and reading background jobs.

A job is a row (kind, owner, parameters, status, progress, result) and a function registered
for its kind. The runner of each server process runs submitted jobs in a small thread pool,
each in database sessions of its own. Progress is kept in the runner's memory and, on PostgreSQL,
committed in short transactions of its own (SQLite's one writer is the job itself), so the page
polling it sees it move while the work commits or rolls back as a whole."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from rarecare.storage import make_reader, utcnow

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
    """Runs the jobs of one server process in a small thread pool, off the request path."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, workers: int = 2
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.functions: dict[str, JobFunction] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rarecare-job")
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

    def _run(self, job_id: int) -> None:
        with self.sessions.begin() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.status, job.started_at = "running", utcnow()
            kind, params, owner = job.kind, dict(job.params), principal_of(job)
        context = JobContext(
            job_id, params, owner, self.sessions, self._reporter(job_id), self.settings
        )
        try:
            result = self.functions[kind](context)
        except RareCareError as exc:  # what the user gets to read: their data's problems
            self._finish(job_id, "failed", {"details": [str(d) for d in exc.details]}, exc.message)
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            self._finish(job_id, "failed", None, _("An unexpected error occurred; it is logged."))
        else:
            self._finish(job_id, "done", result, "")

    def _reporter(self, job_id: int) -> Callable[[int, int | None], None]:
        # SQLite has one writer: while the job's own transaction holds it, progress lives in
        # this process's memory (the only server process of an SQLite install) and the pages
        # read it from there; PostgreSQL takes it in a short transaction of its own
        to_database = self.sessions.kw["bind"].dialect.name != "sqlite"

        def report(done: int, total: int | None) -> None:
            with self._lock:
                self._live[job_id] = (done, total)
            if to_database:
                with self.sessions.begin() as session:
                    session.execute(
                        update(Job).where(Job.id == job_id).values(done=done, total=total)
                    )

        return report

    def progress(self, job: Job) -> JobOut:
        """What a page shows of ``job``, with the progress this process holds for it (a
        running SQLite job). The row itself is left as it is: a reading request writes nothing."""
        with self._lock:
            live = self._live.get(job.id)
        out = JobOut.model_validate(job)
        if live is not None and job.status == "running":
            out = out.model_copy(update={"done": live[0], "total": live[1]})
        return out

    def _finish(self, job_id: int, status: str, result: dict[str, Any] | None, error: str) -> None:
        with self._lock:
            live = self._live.pop(job_id, None)
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
