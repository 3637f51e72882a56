"""Newborn screening import benchmark (issue 18), on PostgreSQL: a year of Vietnam's births
(1,500,000 screening results by default) imported from one CSV file through the network's
import (reading, checking every cell, keyed pseudonyms, AES-GCM identities, binary COPY, audit)
against a raw COPY of the same rows into the same table, both measured in this run.

    .venv/bin/python -m bench.bench_screening [N]
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import text

from bench.pg import CACHE, libpq_url, scratch_database, server_major_version
from bench.report import write_section
from rarecare.access import Principal, Role
from rarecare.demo import service as demo
from rarecare.geo import current_provinces
from rarecare.knowledge import load_knowledge
from rarecare.network import labs, screening, screening_import
from rarecare.network.schemas import LaboratoryIn, ProgrammeIn
from rarecare.registry.vault import IdentityVault
from rarecare.storage import make_sessionmaker

DB = "rarecare_bench_screening"
TODAY = date(2026, 12, 31)
WORKERS = os.cpu_count() or 1
ADMIN = Principal(user_id=0, username="bench", role=Role.ADMIN)
PROVINCES = [p.code for p in current_provinces()]


def _csv(n: int) -> bytes:
    """A laboratory's year: one row per newborn, about 1% not normal."""
    rng = random.Random(18)
    lines = [",".join(screening_import.NAMES)]
    first = date(TODAY.year - 1, 12, 1)
    for i in range(n):
        born = first + timedelta(days=rng.randrange(360))
        sampled = born + timedelta(days=rng.choice((1, 2, 2, 3)))
        result = "normal" if rng.random() > 0.01 else rng.choice(("positive", "inconclusive"))
        lines.append(
            f"NBS-{i:08d},NBS-MR,LAB-NCH,,Nguyễn Thị Mẹ {i},{born.isoformat()},"
            f"{'female' if i % 2 else 'male'},{rng.choice(PROVINCES)},09{i:08d},,"
            f"{sampled.isoformat()},{(sampled + timedelta(days=5)).isoformat()},{result},"
        )
    return ("\n".join(lines) + "\n").encode()


def _raw_copy(raw: psycopg.Connection[Any], tuples: list[tuple[Any, ...]], binary: bool) -> float:
    options = " (FORMAT BINARY)" if binary else ""
    t = time.perf_counter()
    with (
        raw.cursor() as cursor,
        cursor.copy(
            f"COPY network_screening_records ({', '.join(screening_import.RECORD_COLUMNS)})"
            f" FROM STDIN{options}"
        ) as cp,
    ):
        if binary:
            cp.set_types(list(screening_import.RECORD_TYPES))
        for row in tuples:
            cp.write_row(row)
    raw.commit()
    seconds = time.perf_counter() - t
    raw.execute("TRUNCATE network_screening_records CASCADE")
    raw.commit()
    return seconds


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_500_000
    with scratch_database(DB) as (engine, url):
        sessions = make_sessionmaker(engine)
        kb = load_knowledge(CACHE)
        vault = IdentityVault(b"b" * 32)
        with sessions() as session:
            demo.load(session=session, kb=kb)
            labs.add_laboratory(
                session=session,
                principal=ADMIN,
                data=LaboratoryIn(code="LAB-NCH", name="NCH", province_code="01"),
            )
            programme = screening.add_programme(
                session=session,
                principal=ADMIN,
                kb=kb,
                data=ProgrammeIn(code="NBS-MR", name="NBS", orpha_codes=["ORPHA:716"]),
            )
            lab_id = session.scalar(text("SELECT id FROM network_laboratories"))
            session.commit()
            programme_id = programme.id
        started = time.perf_counter()
        content = _csv(n)
        generation = time.perf_counter() - started

        # 1. a raw COPY of the same rows (parsed, nothing checked or encrypted) into the table
        now = datetime.now(UTC)
        rows = screening_import.read(content, "bench.csv")
        tuples = []
        for i, (_no, c) in enumerate(rows, start=1):
            born, sampled, resulted = (date.fromisoformat(c[k]) for k in (5, 10, 11))
            tuples.append(
                (i, programme_id, c[0], f"RAW-{i}", born.replace(day=1), c[6], c[7], lab_id,
                 sampled, (sampled - born).days * 24, resulted, c[12], c[13], "",
                 "pending", "bench", now, 1)
            )  # fmt: skip
        del rows
        raw = psycopg.connect(libpq_url(url))
        raw_seconds = _raw_copy(raw, tuples, binary=False)
        binary_seconds = _raw_copy(raw, tuples, binary=True)
        raw.close()
        del tuples

        # 2. the network's import of the same file
        operator = Principal(user_id=0, username="bench", role=Role.DATA_MANAGER)
        with sessions() as session:
            t = time.perf_counter()
            report = screening_import.import_results(
                session=session,
                principal=operator,
                vault=vault,
                content=content,
                filename="bench.csv",
                today=TODAY,
                workers=WORKERS,
            )
            session.commit()
            import_seconds = time.perf_counter() - t
            stored = session.scalar(text("SELECT count(*) FROM network_screening_identities"))
        assert report["written"] == n == stored, (report, stored)

    ratio = raw_seconds / import_seconds
    lines = [
        "## Newborn screening import (issue 18)",
        "",
        f"Command: `.venv/bin/python -m bench.bench_screening {n}` (PostgreSQL "
        f"{server_major_version()}; a {len(content) / 1e6:,.0f} MB CSV of {n:,} screening results "
        f"generated in {generation:.0f} s, not timed; {WORKERS} worker processes).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| raw COPY of the rows into `network_screening_records` (text format, psycopg "
        f"`write_row`, rows already parsed) | {raw_seconds:.1f} s ({n / raw_seconds:,.0f} rows/s) | – |",
        f"| raw COPY of the same rows in the binary format | {binary_seconds:.1f} s "
        f"({n / binary_seconds:,.0f} rows/s) | – |",
        f"| screening import of the file (reading the CSV, checking every cell, duplicate sample "
        f"codes, keyed pseudonyms, AES-GCM identities, binary COPY of records and identities, "
        f"audit; all or nothing) | {import_seconds:.1f} s ({n / import_seconds:,.0f} rows/s) | – |",
        f"| import throughput / raw COPY throughput | **{ratio:.0%}** (binary raw COPY: "
        f"{binary_seconds / import_seconds:.0%}) | ≥ 30% |",
    ]
    write_section("screening", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
