"""Where an indicator refresh spends its time (issue 15): the same synthetic registry as
``bench.bench_indicators`` (smaller by default), then each step of the refresh timed on its own
against the same-run reference scan. Prints only; writes no document.

    .venv/bin/python -m bench.profile_indicators [people]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.bench_indicators import YEAR, populate, reference_scan, vacuum
from bench.pg import CACHE, scratch_database
from rarecare.access import SYSTEM
from rarecare.knowledge import load_knowledge
from rarecare.monitoring import cells, costs, cube, indicators
from rarecare.monitoring import engine as refresh_engine
from rarecare.monitoring.network_values import network_values
from rarecare.monitoring.sqlparts import period_range
from rarecare.monitoring.treatment import period_treatment
from rarecare.storage import make_sessionmaker


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    kb = load_knowledge(CACHE)
    with scratch_database("rarecare_profile_indicators") as (engine, _url):
        sessions = make_sessionmaker(engine)
        counts, generated = populate(engine, kb, people)
        print(f"generated {counts} in {generated:.0f} s", flush=True)

        with sessions.begin() as session:  # the generated records counted into the cells
            counted = _seconds(lambda: cells.sync(session))
        print(f"cells counted in {counted:.1f} s", flush=True)
        vacuum(engine)
        reference = reference_scan(engine)
        start, end = period_range(YEAR)
        for _ in range(2):
            with sessions.begin() as session:
                steps = _steps(session, start, end)
            with sessions.begin() as session:
                started = time.perf_counter()
                indicators.refresh(session=session, principal=SYSTEM, period=YEAR)
                total = time.perf_counter() - started
            shares = ", ".join(f"{k} {v:.2f} s ({v / reference:.1f}×)" for k, v in steps.items())
            print(
                f"reference scan {reference:.3f} s; refresh {total:.2f} s "
                f"({total / reference:.1f}×); {shares}",
                flush=True,
            )


def _steps(session: Session, start: date, end: date) -> dict[str, float]:
    session.execute(text("SET LOCAL work_mem = '256MB'"))
    session.execute(text("SET LOCAL jit = off"))
    medians = refresh_engine._medians
    travel = refresh_engine._travel
    today = date.today()
    steps = {"cells brought up to date": _seconds(lambda: cells.sync(session))}
    started = time.perf_counter()
    with period_treatment(session, YEAR, today) as treatment:
        steps["treated records of the period"] = time.perf_counter() - started
        steps["patient cube"] = _seconds(
            lambda: cube.patient_cube(session, start, end, treatment.people)
        )
        steps["delay medians"] = _seconds(lambda: list(medians(session, start, end)))
        steps["travel"] = _seconds(lambda: list(travel(session, treatment)))
        steps["out-of-pocket"] = _seconds(
            lambda: list(costs.out_of_pocket(session, treatment.people))
        )
        steps["network"] = _seconds(lambda: list(network_values(session, start, end)))
    return steps


if __name__ == "__main__":
    main()
