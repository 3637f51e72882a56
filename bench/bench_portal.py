"""Public portal benchmark (issue 16): 50 visitors at once against a real server on this
machine, the default install (SQLite, one process) and PostgreSQL (4 processes). Each visitor
(no login) opens the portal's home, searches "benh pompe" without diacritics and opens the
Pompe disease page, thinking 1 to 2 seconds after each page (as locust's ``between(1, 2)``).
Reported: errors, p50/p95 of each page and the p95 against ``/healthz`` measured in the same
run (the machine is shared: the ratio is the steadier figure). Target: the disease page's p95
under 150 ms at 50 visitors.

    .venv/bin/python -m bench.bench_portal [pages-per-visitor]
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from pathlib import Path

import httpx2

from bench.bench_load import THINK_SECONDS, browse, server
from bench.pg import CACHE, scratch_database
from bench.report import pct, write_section

VISITORS = (1, 50)
PAGES = {
    "home": "/public",
    "search": "/public/search?q=benh+pompe",
    "disease page": "/public/diseases/ORPHA:365",
}


async def _visitor(
    base: str, visits: int, timings: dict[str, list[float]], errors: list[str], seed: int
) -> None:
    think = random.Random(seed)
    async with httpx2.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.sleep(think.uniform(*THINK_SECONDS))  # visitors arrive over a second or two
        await browse(client, PAGES, visits, timings, errors, think)


async def _load(base: str, visitors: int, visits: int) -> tuple[dict[str, list[float]], list[str]]:
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    await asyncio.gather(*(_visitor(base, visits, timings, errors, i) for i in range(visitors)))
    return timings, errors


def main() -> None:
    visits = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        (var_dir / "cache").symlink_to(CACHE)
        setups = [("SQLite", 1, f"sqlite:///{var_dir / 'portal.sqlite3'}")]
        with scratch_database("rarecare_bench_portal") as (engine, pg_url):
            engine.dispose()
            setups.append(("PostgreSQL", 4, pg_url))
            for backend, workers, url in setups:
                with server(url, workers, var_dir) as base:
                    asyncio.run(_load(base, 2, 2))  # warm every worker's caches
                    for visitors in VISITORS:
                        timings, errors = asyncio.run(_load(base, visitors, visits))
                        health = pct(timings["healthz"], 95) * 1000
                        cells = []
                        for name in PAGES:
                            p50, p95 = pct(timings[name], 50) * 1000, pct(timings[name], 95) * 1000
                            cells.append(f"{p50:.0f} / {p95:.0f} ms ({p95 / health:.1f}×)")
                        rows.append(
                            f"| {backend} ({workers} process{'es' if workers > 1 else ''}) "
                            f"| {visitors} | {sum(len(t) for t in timings.values()):,} "
                            f"| {len(errors)} | {' | '.join(cells)} | {health:.0f} ms |"
                        )
                        print(rows[-1], flush=True)
    body = f"""## Public portal (issue 16)

Command: `.venv/bin/python -m bench.bench_portal {visits}` — a real server on 127.0.0.1 with the
demo data (its lists, centres, coverage rules, published articles) and 2,000 synthetic patients;
each visitor, without logging in, opens the portal's home, searches "benh pompe" (no
diacritics) and opens the Pompe disease page, {visits} times, thinking 1–2 s after each page;
`/healthz` in between is the same-run reference (× = p95 against its p95). No cache in front:
every request reaches the application (the pages also send `Cache-Control: public,
max-age=300`, so a proxy or the browser would answer repeats itself).

| database (server) | visitors | requests | errors | home p50 / p95 | search p50 / p95 | disease page p50 / p95 | `/healthz` p95 |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Target: the disease page's p95 under 150 ms at 50 visitors. With one visitor, the p95 of a few
dozen requests is nearly their maximum: with 4 processes it includes a process's first page
(its caches cold; the warm-up does not reach every process)."""
    write_section("portal", body)
    print(body)


if __name__ == "__main__":
    main()
