"""Registry benchmark (issue 5), on PostgreSQL:
- import N synthetic patients (default 250,000; the target size is 1,000,000) through the registry's bulk import (validation,
  pseudonyms, AES-GCM identities, COPY) and compare its throughput with a raw COPY of the same
  rows into the same table, both measured in this run;
- patient search by pseudonym, province and disease at that size;
- re-analysis of 100,000 open (undiagnosed or suspected) patients.

    .venv/bin/python -m bench.bench_registry [N]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.pg import CACHE, libpq_url, scratch_database, server_major_version
from bench.report import pct, write_section
from rarecare.access import SYSTEM, Principal, Role
from rarecare.centres import service as centres
from rarecare.demo import service as demo
from rarecare.diagnosis import DiagnosisEngine
from rarecare.knowledge import KnowledgeBase, load_knowledge
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind
from rarecare.registry import bulk, reanalysis, service
from rarecare.registry.models import DiagnosticStatus, Patient
from rarecare.registry.prepare import PATIENT_COLUMNS, PATIENT_TYPES
from rarecare.registry.synthetic import generate
from rarecare.registry.vault import IDENTITY_FIELDS, Identity, IdentityVault
from rarecare.storage import make_sessionmaker

DB = "rarecare_bench_registry"
TODAY = date(2026, 11, 1)
WORKERS = os.cpu_count() or 1  # processes that check and prepare the rows


def _raw_copy(
    raw: psycopg.Connection[Any], tuples: list[tuple[Any, ...]], *, binary: bool
) -> float:
    """Seconds to COPY the rows into registry_patients (then emptied again)."""
    options = " (FORMAT BINARY)" if binary else ""
    t = time.perf_counter()
    with (
        raw.cursor() as cursor,
        cursor.copy(
            f"COPY registry_patients ({', '.join(PATIENT_COLUMNS)}) FROM STDIN{options}"
        ) as cp,
    ):
        if binary:
            cp.set_types(list(PATIENT_TYPES))
        for row in tuples:
            cp.write_row(row)
    raw.commit()
    seconds = time.perf_counter() - t
    raw.execute("TRUNCATE registry_patients CASCADE")
    raw.commit()
    return seconds


def _timed_import(
    sessions: sessionmaker[Session],
    kb: KnowledgeBase,
    vault: IdentityVault,
    actor: Principal,
    rows: list[tuple[int, dict[str, Any]]],
) -> tuple[dict[str, Any], float]:
    """The registry's import of the records (committed) and its seconds."""
    with sessions() as session:
        t = time.perf_counter()
        report = bulk.load_records(
            session=session,
            principal=actor,
            kb=kb,
            vault=vault,
            rows=rows,
            today=TODAY,
            source="benchmark",
            workers=WORKERS,
        )
        session.commit()
        return report, time.perf_counter() - t


def identities(rows: list[tuple[int, dict[str, Any]]]) -> Iterator[Identity]:
    """The identity of each generated record, as the import reads it."""
    for _i, v in rows:
        fields: dict[str, Any] = {k: v.get(k) or "" for k in IDENTITY_FIELDS}
        yield Identity(**fields)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000
    with scratch_database(DB) as (engine, url):
        sessions = make_sessionmaker(engine)
        kb = load_knowledge(CACHE)
        vault = IdentityVault(b"b" * 32)
        with sessions() as session:
            demo.load(session=session, kb=kb)
            session.commit()
            version = lists.current_version(session=session, kind=ListKind.DISEASES)
            assert version is not None
            codes = [e.orpha_code for e in version.disease_entries]
            centre = centres.get_centre_by_code(session=session, code="NCH")
            other = centres.get_centre_by_code(session=session, code="CH1")

        started = time.perf_counter()
        rows: list[tuple[int, dict[str, Any]]] = []
        for i, p in enumerate(generate(kb, codes, n, seed=11, today=TODAY), start=2):
            values: dict[str, Any] = {
                **p.identity,
                **p.record,
                "hpo_observed": list(p.observed),
                "hpo_excluded": list(p.excluded),
            }
            values["national_id"] = f"{i:012d}"  # unique people
            rows.append((i, values))
        generation = time.perf_counter() - started
        # the same records without phenotype columns: the patient rows alone, to compare with COPY
        bare = [(i, {**v, "hpo_observed": [], "hpo_excluded": []}) for i, v in rows]

        # 1. a raw COPY of the same rows into the same table: with the pseudonyms and match keys
        #    the import computes (keyed hashes, in random order: indexed as the import's are)
        keyed = [
            (vault.pseudonym(identity), vault.match_key(identity)) for identity in identities(rows)
        ]
        now = datetime.now(UTC)
        tuples = [
            (
                i,
                pseudonym,
                centre.id,
                v["birth_date"].replace(day=1),
                v["sex"],
                v["vital_status"],
                v["death_date"],
                v["first_contact_date"],
                v["first_symptoms_date"],
                v["onset_kind"],
                v["onset_date"],
                v["diagnosis_kind"],
                v["diagnosis_date"],
                v["diagnostic_status"],
                v["orpha_code"],
                v["contact_for_research"],
                v["consent_reuse"],
                False,
                "",
                "",
                v["province_code"],
                v["former_province_code"],
                "unknown",  # detection
                None,
                match_key,
                now,
                now,
            )
            for (i, v), (pseudonym, match_key) in zip(rows, keyed, strict=True)
        ]
        raw = psycopg.connect(libpq_url(url))
        raw_seconds = _raw_copy(raw, tuples, binary=False)
        # the same in the binary format the import itself uses
        binary_seconds = _raw_copy(raw, tuples, binary=True)
        # and with placeholders in sequence for both keys (the reference until 4 December 2026:
        # appending to an index in order is cheaper than inserting hashes)
        at = PATIENT_COLUMNS.index("match_key")
        placeholders = [
            (r[0], f"RAW-{r[0]:012d}", *r[2:at], f"RAW-{r[0]:012d}", *r[at + 1 :]) for r in tuples
        ]
        sequential_seconds = _raw_copy(raw, placeholders, binary=False)
        raw.close()
        del tuples, placeholders

        # 2. the registry's import of the same records: validation, pseudonyms, encrypted identities
        actor = Principal(user_id=0, username="bench", role=Role.DATA_MANAGER, centre_id=centre.id)
        report, import_seconds = _timed_import(sessions, kb, vault, actor, bare)
        del bare
        with sessions() as session:  # the reference copied the rows the import wrote
            same = session.scalar(
                select(func.count()).where(Patient.pseudonym.in_([p for p, _k in keyed[:1000]]))
            )
            assert same == min(n, 1000), f"{same} of the reference's pseudonyms were imported"
        del keyed
        # 3. the same with their phenotypes (about nine HPO rows per patient), 40% of them: enough
        #    open cases to re-analyse 100,000 of them at 1M
        sample = [
            (i, {**v, "national_id": "9" + v["national_id"][1:]})
            for i, v in rows[: max(1, n * 2 // 5)]
        ]
        other_actor = Principal(
            user_id=0, username="bench", role=Role.DATA_MANAGER, centre_id=other.id
        )
        full, full_seconds = _timed_import(sessions, kb, vault, other_actor, sample)
        with sessions() as session:
            phenotype_rows = session.scalar(text("SELECT count(*) FROM registry_phenotypes"))
        del rows, sample
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

        # 3. search at that size
        national = SYSTEM
        timings: dict[str, list[float]] = {"pseudonym": [], "province": [], "disease": []}
        with sessions() as session:
            picks = session.scalars(
                select(Patient.pseudonym).order_by(func.random()).limit(50)
            ).all()
            for pseudonym in picks:
                for key in timings:
                    t = time.perf_counter()
                    if key == "pseudonym":
                        service.search(
                            session=session, principal=national, pseudonym=pseudonym, limit=50
                        )
                    elif key == "province":
                        service.search(
                            session=session, principal=national, province_code="79", limit=50
                        )
                    else:
                        service.search(
                            session=session, principal=national, orpha_code="ORPHA:716", limit=50
                        )
                    timings[key].append((time.perf_counter() - t) * 1000)
            session.rollback()
            total = session.scalar(select(func.count()).select_from(Patient))
            open_cases = session.scalar(
                select(func.count())
                .select_from(Patient)
                .where(
                    Patient.diagnostic_status.in_(
                        [DiagnosticStatus.UNDIAGNOSED, DiagnosticStatus.SUSPECTED]
                    )
                )
            )

        # 4. re-analysis of 100,000 open patients
        diagnosis = DiagnosisEngine.load(kb, CACHE)
        target = min(100_000, open_cases or 0)
        with sessions() as session:
            t = time.perf_counter()
            counts = reanalysis.reanalyze(
                session=session, principal=SYSTEM, engine=diagnosis, batch=2000, limit=target
            )
            session.commit()
            reanalysis_seconds = time.perf_counter() - t

    ratio = (n / import_seconds) / (n / raw_seconds)
    sequential_ratio = sequential_seconds / import_seconds
    lines = [
        "## Registry (issue 5)",
        "",
        f"Command: `.venv/bin/python -m bench.bench_registry {n}` (PostgreSQL {server_major_version()}, "
        f"{n:,} synthetic patients generated in {generation:.0f} s, not timed).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| raw COPY of the patient rows into `registry_patients` (`COPY ... FROM STDIN`, text format, psycopg `write_row`; the pseudonyms and match keys the import computes) | {raw_seconds:.1f} s ({n / raw_seconds:,.0f} rows/s) | – |",
        f"| registry import (validation, pseudonyms, AES-GCM identities, binary COPY, {report['written']:,} patients, audit; no phenotype columns, like the COPY) | "
        f"{import_seconds:.1f} s ({n / import_seconds:,.0f} rows/s) | – |",
        f"| raw COPY of the same rows in the binary format | {binary_seconds:.1f} s ({n / binary_seconds:,.0f} rows/s) | – |",
        f"| import throughput / raw COPY throughput | {ratio:.0%} (binary raw COPY: {binary_seconds / import_seconds:.0%}) | ≥ 30% |",
        f"| the same against a raw COPY with placeholder keys in sequence (`RAW-000000000002`, ...; {sequential_seconds:.1f} s), the reference before 4 December 2026 | {sequential_ratio:.0%} | – |",
        f"| import with phenotypes ({full['written']:,} patients, {phenotype_rows:,} HPO rows) | "
        f"{full_seconds:.1f} s ({full['written'] / full_seconds:,.0f} patients/s) | – |",
        f"| search by pseudonym at {total:,} patients, p50 / p95 | {pct(timings['pseudonym'], 50):.1f} / {pct(timings['pseudonym'], 95):.1f} ms | < 100 ms |",
        f"| search by province (first 50) p50 / p95 | {pct(timings['province'], 50):.1f} / {pct(timings['province'], 95):.1f} ms | < 100 ms |",
        f"| search by disease (first 50) p50 / p95 | {pct(timings['disease'], 50):.1f} / {pct(timings['disease'], 95):.1f} ms | < 100 ms |",
        f"| re-analysis of {counts['patients'] + counts['skipped']:,} open patients ({counts['alerts']:,} alerts) | "
        f"{reanalysis_seconds:.0f} s ({reanalysis_seconds / max(1, counts['patients']) * 1000:.2f} ms each) | < 300 s for 100,000 |",
    ]
    body = "\n".join(lines)
    print(body)
    write_section("registry", body)


if __name__ == "__main__":
    main()
