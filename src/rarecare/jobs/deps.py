"""The process's job runner as a request dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rarecare.jobs.service import JobRunner


def get_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


Runner = Annotated[JobRunner, Depends(get_runner)]
