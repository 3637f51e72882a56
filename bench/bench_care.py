"""Care benchmark (issue 6), on PostgreSQL: 10,000 patients on long-term therapy (enzyme
replacement at the centres that give it, with a history of doses), then

- the 12-month drug demand (every plan's schedule placed within chair capacity, vials per drug,
  centre and month, stock and reorder points),
- every centre's schedule for the next 4 weeks,
- missed-dose alerts and PDC for every plan,
- the travel what-if and a 3-centre recommendation,

each timed from the database (target: schedules and demand for 10,000 patients under 10 s).

    .venv/bin/python -m bench.bench_care [N]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from bench.pg import CACHE, scratch_database
from bench.report import write_section
from rarecare.access import SYSTEM
from rarecare.care import followup, logistics, therapy
from rarecare.care.models import Administration, TherapyPlan
from rarecare.centres import service as centre_service
from rarecare.demo import service as demo
from rarecare.demo.care import CAPABILITIES
from rarecare.geo import current_provinces
from rarecare.knowledge import load_knowledge
from rarecare.registry.models import DiagnosticStatus, Encounter, Patient, Sex
from rarecare.storage import make_sessionmaker

DB = "rarecare_bench_care"
TODAY = date(2026, 11, 23)
DRUGS = {  # drug → indication (weights of the mix: most patients on fortnightly ERT)
    "alglucosidase alfa": ("ORPHA:365", 4),
    "imiglucerase": ("ORPHA:355", 3),
    "idursulfase": ("ORPHA:580", 1),
    "laronidase": ("ORPHA:579", 1),
    "agalsidase beta": ("ORPHA:324", 1),
}


def populate(session: Any, n: int, rng: random.Random) -> dict[str, int]:
    centres = {c.code: c for c in centre_service.list_centres(session=session)}
    capable = {
        d: [c for c in centres.values() if d in CAPABILITIES[c.code].therapies] for d in DRUGS
    }
    provinces = [p.code for p in current_provinces()]
    drugs = [d for d, (_, w) in DRUGS.items() for _ in range(w)]
    patients: list[dict[str, Any]] = []
    encounters: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        drug = rng.choice(drugs)
        centre = rng.choice(capable[drug])
        born = TODAY - timedelta(days=rng.randint(200, 40 * 365))
        patients.append(
            {
                "id": i,
                "pseudonym": f"RC-BENCH{i:08d}",
                "centre_id": centre.id,
                "birth_month": born.replace(day=1),
                "sex": rng.choice([Sex.FEMALE, Sex.MALE]),
                "diagnostic_status": DiagnosticStatus.CONFIRMED,
                "orpha_code": DRUGS[drug][0],
                "province_code": rng.choice(provinces),
                "contact_for_research": False,
                "consent_reuse": False,
            }
        )
        age = (TODAY - born).days / 365.25
        encounters.append(
            {
                "patient_id": i,
                "centre_id": centre.id,
                "date": TODAY - timedelta(days=30),
                "kind": "visit",
                "weight_kg": round(min(70, 3.5 + 2.6 * age), 1),
                "recorded_by": "bench",
            }
        )
        plans.append(
            {
                "id": i,
                "patient_id": i,
                "centre_id": centre.id,
                "drug": drug,
                "per_kg": True,
                "dose": {
                    "alglucosidase alfa": 20,
                    "imiglucerase": 60,
                    "idursulfase": 0.5,
                    "laronidase": 0.58,
                    "agalsidase beta": 1,
                }[drug],
                "dose_unit": "U" if drug == "imiglucerase" else "mg",
                "interval_days": 7 if drug in ("idursulfase", "laronidase") else 14,
                "loading_days": [],
                "start_date": TODAY - timedelta(days=rng.randint(0, 720)),
                "created_by": "bench",
            }
        )
    # chairs for the load: each centre's infusions per open day, with 15% to spare
    per_day: dict[int, float] = {}
    for plan in plans:
        per_day[plan["centre_id"]] = per_day.get(plan["centre_id"], 0) + 7 / plan["interval_days"]
    for code, centre in centres.items():
        open_days = CAPABILITIES[code].opening_days.count("1")
        need = per_day.get(centre.id, 0) / open_days * 1.15
        chairs = max(2, int(need / CAPABILITIES[code].infusions_per_chair) + 1)
        data = CAPABILITIES[code].model_copy(update={"chairs": chairs})
        centre_service.update_care(
            session=session, principal=SYSTEM, centre_id=centre.id, data=data
        )
    session.execute(insert(Patient), patients)
    session.execute(insert(Encounter), encounters)
    session.execute(insert(TherapyPlan), plans)
    given: list[dict[str, Any]] = []
    for plan in plans:
        day = plan["start_date"]
        while day < TODAY:
            if rng.random() > 0.07:
                given.append(
                    {
                        "plan_id": plan["id"],
                        "patient_id": plan["patient_id"],
                        "centre_id": plan["centre_id"],
                        "given_on": day + timedelta(days=rng.choice([0, 0, 0, 1, 2])),
                        "dose": 1.0,
                        "dose_unit": plan["dose_unit"],
                        "vials": 1,
                        "recorded_by": "bench",
                    }
                )
            day += timedelta(days=plan["interval_days"])
    given = [g for g in given if g["given_on"] < TODAY]
    for i in range(0, len(given), 50_000):
        session.execute(insert(Administration), given[i : i + 50_000])
    session.commit()
    return {"patients": n, "administrations": len(given)}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with scratch_database(DB) as (engine, _url):
        sessions = make_sessionmaker(engine)
        kb = load_knowledge(CACHE)
        with sessions() as session:
            demo.load(session=session, kb=kb)
            session.commit()
            started = time.perf_counter()
            counts = populate(session, n, random.Random(6))
            load_s = time.perf_counter() - started
            print(f"populated {counts} in {load_s:.1f} s")

        timings: dict[str, float] = {}
        with sessions() as session:
            t = time.perf_counter()
            report = logistics.demand(session=session, principal=SYSTEM, months=12, today=TODAY)
            timings["demand"] = time.perf_counter() - t
            t = time.perf_counter()
            picture = therapy.load_picture(session, centre_ids=None)
            rows = therapy.schedule_picture(picture, today=TODAY, until=TODAY + timedelta(days=365))
            timings["schedule_year"] = time.perf_counter() - t
            t = time.perf_counter()
            centre_rows = 0
            for centre in centre_service.list_centres(session=session):
                centre_rows += len(
                    therapy.centre_schedule(
                        session=session,
                        principal=SYSTEM,
                        centre_id=centre.id,
                        start=TODAY,
                        days=28,
                        today=TODAY,
                    )
                )
            timings["centre_schedules"] = time.perf_counter() - t
            t = time.perf_counter()
            alerts = followup.alerts(session=session, principal=SYSTEM, today=TODAY)
            adherence = followup.adherence(session=session, principal=SYSTEM, today=TODAY)
            timings["alerts_pdc"] = time.perf_counter() - t
            t = time.perf_counter()
            _picture, what_if = logistics.travel(
                session=session,
                principal=SYSTEM,
                drug="alglucosidase alfa",
                enable=["DNWC", "CTCH"],
            )
            recommendation = logistics.recommend(
                session=session, principal=SYSTEM, drug="alglucosidase alfa", k=3
            )
            timings["travel"] = time.perf_counter() - t
            session.rollback()
        statuses: dict[str, int] = {}
        for r in rows:
            statuses[r.appointment.status.value] = statuses.get(r.appointment.status.value, 0) + 1
        vials = sum(r.total for r in report.rows)
        mean_pdc = sum(a.pdc or 0 for a in adherence) / max(1, len(adherence))
        for key, value in timings.items():
            print(f"{key}: {value:.2f} s")
        body = f"""## Care (issue 6)

`.venv/bin/python -m bench.bench_care {n}` on PostgreSQL: {n:,} patients on enzyme therapy
(weekly or fortnightly, per kg) at the 5 demo centres that give it, {counts["administrations"]:,}
recorded doses over up to two years, chairs sized for the load.

| what (from the database, one call) | time |
| --- | ---: |
| 12-month drug demand (every schedule placed within capacity, vials per drug/centre/month, stock) | **{timings["demand"]:.2f} s** (target < 10 s) |
| the year's schedule of every plan ({len(rows):,} appointments: {statuses}) | {timings["schedule_year"]:.2f} s |
| every centre's next 4 weeks ({centre_rows:,} appointments, 9 calls) | {timings["centre_schedules"]:.2f} s |
| missed-dose alerts ({len(alerts):,}) and PDC of every plan (mean {mean_pdc:.2f}) | {timings["alerts_pdc"]:.2f} s |
| travel what-if (alglucosidase alfa also at DNWC, CTCH: {what_if.km_saved:,.0f} km a year saved) and a 3-centre recommendation ({", ".join(recommendation.sites)}) | {timings["travel"]:.2f} s |

Demand over the 12 months: {vials:,} vials in {len(report.rows)} centre × drug rows.
"""
        write_section("care", body)


if __name__ == "__main__":
    main()
