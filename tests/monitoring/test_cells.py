"""The maintained pre-aggregates (SQLite and PostgreSQL): the patient cells give, for any
period, what counting every record directly gives — after records are added, changed, merged
away and given diagnosis records — and the dose counts follow every infusion written."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from rarecare.care.models import Administration
from rarecare.monitoring import cells
from rarecare.monitoring.cube import patient_cube
from rarecare.monitoring.definitions import AGE_BANDS
from rarecare.monitoring.doses import plan_doses
from rarecare.monitoring.models import (
    DoseCount,
    PatientCell,
    PatientFacts,
    StalePatient,
    TreatedPatient,
)
from rarecare.monitoring.sqlparts import flag, period_range
from rarecare.monitoring.treatment import period_treatment
from rarecare.registry.models import DiagnosisRecord, DiagnosticStatus, Patient, Sex
from rarecare.registry.quality import jrc_elements
from tests.conftest import Cast
from tests.monitoring.conftest import infusion, therapy_plan

TODAY = date(2027, 6, 1)
PERIODS = ("2019", "2024", "2025Q3", "202602", "2026", "2027Q1")
BREAKDOWNS = ("", "province", "former_province", "sex", "age_band", "centre", "disease")
MEASURES = (
    "registered",
    "new",
    "alive",
    "child",
    "dead",
    "dead_under_5",
    "contact_12m",
    "undiagnosed_12m",
    "genetic",
    "elements",
    "elements_due",
    "updated",
)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _month(year: int, month: int, plus: int = 0) -> date:
    index = year * 12 + month - 1 + plus
    return date(index // 12, index % 12 + 1, 1)


def _records(cast: Cast, rng: random.Random, count: int, prefix: str = "C") -> list[Patient]:
    """Records whose dates fall close together, so that registration, death, a year after
    first contact and the sixteenth birthday often share a month (and each other's)."""
    out = []
    for n in range(count):
        born = _month(rng.choice((1950, 2003, 2008, 2010, 2021)), rng.randint(1, 12))
        registered = _month(2024, rng.randint(1, 12), rng.randint(-36, 24))
        registered = max(registered, born)
        contact = (
            registered + timedelta(days=rng.randint(-800, 200)) if rng.random() < 0.8 else None
        )
        confirmed = rng.random() < 0.6
        diagnosis = (
            (contact or registered) + timedelta(days=rng.randint(0, 800)) if confirmed else None
        )
        death = (
            max(born, registered + timedelta(days=rng.randint(-400, 900)))
            if rng.random() < 0.35
            else None
        )
        updated = registered + timedelta(days=rng.randint(0, 700))
        out.append(
            Patient(
                pseudonym=f"{prefix}{n}",
                centre_id=rng.choice((cast.centre_a, cast.centre_b)),
                province_code=rng.choice(("01", "79", "31")),
                former_province_code=rng.choice((None, "30", "77")),
                sex=rng.choice((Sex.FEMALE, Sex.MALE)),
                birth_month=born,
                death_date=death,
                first_contact_date=contact,
                diagnosis_date=diagnosis,
                diagnostic_status=(
                    DiagnosticStatus.CONFIRMED if confirmed else DiagnosticStatus.SUSPECTED
                ),
                orpha_code=rng.choice((None, "ORPHA:365", "ORPHA:355")),
                created_at=_at(registered),
                updated_at=_at(updated),
            )
        )
    return out


def _elements(db: Session) -> dict[int, int]:
    """Each record's data elements filled, counted by the registry's own conditions."""
    p = Patient
    recorded = select(DiagnosisRecord.patient_id).where(DiagnosisRecord.patient_id == p.id)
    filled = sum((flag(c) for c in jrc_elements(p, record=False)), start=flag(recorded.exists()))
    return {row[0]: row[1] for row in db.execute(select(p.id, filled))}


def _directly(db: Session, period: str) -> dict[tuple[str, str], dict[str, float]]:
    """Every record counted one by one, in Python (the oracle)."""
    start, end = period_range(period)
    genetic = set(
        db.scalars(
            select(DiagnosisRecord.patient_id).where(
                DiagnosisRecord.status == DiagnosticStatus.CONFIRMED, DiagnosisRecord.gene != ""
            )
        )
    )
    elements = _elements(db)
    out: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for p in db.scalars(select(Patient)):
        if p.created_at >= _at(end + timedelta(days=1)).replace(hour=0):
            continue
        alive = p.death_date is None or p.death_date > end
        dead = not alive
        young = [p.birth_month > _month(end.year, end.month, -12 * y) for y in (5, 16, 40, 65)]
        band = AGE_BANDS[young.index(True)] if True in young else AGE_BANDS[4]
        contact = p.first_contact_date is not None and p.first_contact_date <= end - timedelta(
            days=365
        )
        in_year = (
            p.diagnostic_status == DiagnosticStatus.CONFIRMED
            and p.diagnosis_date is not None
            and p.first_contact_date is not None
            and (p.diagnosis_date - p.first_contact_date).days <= 365
        )
        start_moment = _at(start).replace(hour=0)
        measures = {
            "registered": 1,
            "new": int(p.created_at >= start_moment),
            "alive": int(alive),
            "child": int(alive and young[1]),
            "dead": int(dead),
            "dead_under_5": int(
                dead
                and p.death_date is not None
                and p.death_date < _month(p.birth_month.year, p.birth_month.month, 60)
            ),
            "contact_12m": int(contact),
            "undiagnosed_12m": int(contact and not in_year),
            "genetic": int(p.id in genetic),
            "elements": elements[p.id],
            "elements_due": 16,
            "updated": int(max(p.created_at, p.updated_at) >= start_moment),
        }
        keys = {
            "": "",
            "province": p.province_code,
            "former_province": p.former_province_code or "",
            "sex": str(p.sex.value),
            "age_band": band,
            "centre": str(p.centre_id),
            "disease": p.orpha_code or "",
        }
        for breakdown, key in keys.items():
            for name, value in measures.items():
                # records updated are counted by province and centre, not by age band
                if not (breakdown == "age_band" and name == "updated"):
                    out[(breakdown, key)][name] += value
    return out


def _from_cells(db: Session, period: str) -> dict[tuple[str, str], dict[str, float]]:
    start, end = period_range(period)
    cells.sync(db)
    with period_treatment(db, period, TODAY) as treatment:
        cube = patient_cube(db, start, end, treatment.people)
    return {
        (breakdown, key): {m: sums[m] for m in MEASURES}
        for breakdown in BREAKDOWNS
        for key, sums in cube.get(breakdown, {}).items()
    }


def _agree(db: Session) -> None:
    for period in PERIODS:
        expected = {
            k: {m: float(v) for m, v in s.items()} for k, s in _directly(db, period).items()
        }
        assert _from_cells(db, period) == expected, period


@pytest.fixture
def records(db: Session, cast: Cast) -> list[Patient]:
    rows = _records(cast, random.Random(15), 80)
    db.add_all(rows)
    db.flush()
    return rows


def test_the_cells_give_what_counting_every_record_gives(
    db: Session, records: list[Patient]
) -> None:
    _agree(db)


def test_the_cells_follow_records_changed_merged_away_and_given_diagnosis_records(
    db: Session, records: list[Patient], cast: Cast
) -> None:
    _agree(db)  # counted once; what follows is counted again record by record
    rng = random.Random(4)
    for p in records[:30]:
        p.province_code = rng.choice(("01", "79", "46"))
        p.death_date = None if p.death_date else p.birth_month + timedelta(days=2000)
        p.first_contact_date = p.birth_month + timedelta(days=rng.randint(0, 9000))
        p.created_at = _at(max(p.birth_month, date(2025, rng.randint(1, 12), 1)))
    for p in records[30:40]:
        db.add(
            DiagnosisRecord(
                patient_id=p.id,
                orpha_code="ORPHA:365",
                status=DiagnosticStatus.CONFIRMED,
                gene="GAA",
                recorded_by="test",
            )
        )
    merged = [p.id for p in records[40:45]]
    db.flush()
    db.execute(delete(Patient).where(Patient.id.in_(merged)))
    db.add_all(_records(cast, random.Random(16), 10, prefix="N"))
    db.flush()
    marked = select(func.count(StalePatient.patient_id.distinct()))
    assert db.scalar(marked) == 55
    _agree(db)
    assert db.scalar(select(func.count()).select_from(StalePatient)) == 0
    assert db.scalar(select(func.count()).select_from(PatientFacts)) == 85


def test_counting_everything_again_gives_the_same_cells(
    db: Session, records: list[Patient]
) -> None:
    for p in records[::3]:
        p.death_date = p.birth_month + timedelta(days=400)
    db.flush()
    cells.sync(db)
    kept = sorted(db.execute(select(PatientCell)).scalars(), key=_cell_key)
    kept_sums = [_cell_values(c) for c in kept if any(_cell_values(c)[1])]
    db.execute(delete(PatientCell))
    db.execute(delete(PatientFacts))
    db.execute(
        text("INSERT INTO monitoring_stale_patients (patient_id) SELECT id FROM registry_patients")
    )
    db.expire_all()
    assert cells.sync(db) == 80
    again = sorted(db.execute(select(PatientCell)).scalars(), key=_cell_key)
    assert [_cell_values(c) for c in again if any(_cell_values(c)[1])] == kept_sums


def _diagnoses(db: Session) -> dict[int, tuple[int | None, int | None, int | None]]:
    """Each record's confirmed diagnosis as the facts keep it: (month, days since the first
    symptoms, days since the first contact), counted in Python."""
    out = {}
    for p in db.scalars(select(Patient)):
        day = p.diagnosis_date if p.diagnostic_status == DiagnosticStatus.CONFIRMED else None

        def since(earlier: date | None, day: date | None = day) -> int | None:
            ok = day is not None and earlier is not None and earlier <= day
            return (day - earlier).days if ok else None  # type: ignore[operator]

        month = day.year * 12 + day.month - 1 if day else None
        out[p.id] = (month, since(p.first_symptoms_date), since(p.first_contact_date))
    return out


def _kept_diagnoses(db: Session) -> dict[int, tuple[int | None, int | None, int | None]]:
    f = PatientFacts
    rows = db.execute(select(f.patient_id, f.diagnosed, f.since_symptoms, f.since_contact))
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_the_facts_keep_each_confirmed_diagnosis_and_its_delays(
    db: Session, records: list[Patient]
) -> None:
    rng = random.Random(8)
    for p in records[::2]:  # symptoms before, on and after the diagnosis
        p.first_symptoms_date = (p.diagnosis_date or p.birth_month) + timedelta(
            days=rng.randint(-900, 30)
        )
    db.flush()
    cells.sync(db)
    assert _kept_diagnoses(db) == _diagnoses(db)
    assert any(month for month, _s, _c in _kept_diagnoses(db).values())
    for p in records[:20]:  # diagnoses made, moved and withdrawn are kept current
        if p.diagnostic_status == DiagnosticStatus.CONFIRMED:
            p.diagnostic_status = DiagnosticStatus.SUSPECTED
        else:
            p.diagnostic_status = DiagnosticStatus.CONFIRMED
            p.diagnosis_date = p.birth_month + timedelta(days=rng.randint(100, 9000))
    db.flush()
    cells.sync(db)
    assert _kept_diagnoses(db) == _diagnoses(db)


Key = tuple[int, int, int, str, str, str]


def _cell_key(cell: PatientCell) -> Key:
    return (cell.span, cell.month, cell.part, cell.k0, cell.k1, cell.k2)


def _cell_values(cell: PatientCell) -> tuple[Key, list[int]]:
    return _cell_key(cell), [getattr(cell, m) for m in cells.MEASURES]


def test_the_dose_counts_follow_every_infusion_written(
    db: Session, records: list[Patient], cast: Cast
) -> None:
    patient = records[0]
    plan = therapy_plan(patient, cast.centre_a)
    db.add(plan)
    db.flush()
    given = [
        infusion(
            plan, date(2025, 11, 20) + timedelta(days=14 * n), centre, dose=200, vials=4 + n % 2
        )
        for n, centre in enumerate([cast.centre_a] * 6 + [cast.centre_b] * 3)
    ]
    db.add_all(given)
    db.flush()
    given[2].given_on = date(2026, 4, 2)  # moved to another quarter
    given[3].vials = 9
    db.flush()
    db.delete(given[5])
    db.flush()

    def counted() -> dict[tuple[str, int], tuple[int, int]]:
        rows = db.execute(
            select(DoseCount.period, DoseCount.centre_id, DoseCount.visits, DoseCount.vials).where(
                DoseCount.visits != 0
            )
        )
        return {(period, centre): (visits, vials) for period, centre, visits, vials in rows}

    expected: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for a in db.scalars(select(Administration)):
        day = a.given_on
        for period in (
            f"{day.year}",
            f"{day.year}Q{(day.month + 2) // 3}",
            f"{day.year}{day.month:02d}",
        ):
            expected[(period, a.centre_id)][0] += 1
            expected[(period, a.centre_id)][1] += a.vials
    assert counted() == {key: tuple(value) for key, value in expected.items()}
    doses = plan_doses("2026Q1", date(2026, 2, 15))
    visits, vials, by_then = db.execute(
        select(func.sum(doses.c.visits), func.sum(doses.c.vials), func.sum(doses.c.doses))
    ).one()
    # 2026Q1, counted on 15 February: the doses given by then, and those recorded ahead
    in_quarter = [
        a
        for a in db.scalars(select(Administration))
        if a.given_on.month <= 3 and a.given_on.year == 2026
    ]
    ahead = sum(1 for a in in_quarter if a.given_on > date(2026, 2, 15))
    assert 0 < ahead < len(in_quarter)  # some each side of the day
    assert (visits, vials, by_then) == (
        len(in_quarter),
        sum(a.vials for a in in_quarter),
        len(in_quarter) - ahead,
    )


def test_the_treated_records_keys_follow_their_plans_and_their_records(
    db: Session, records: list[Patient], cast: Cast
) -> None:
    def kept() -> dict[int, tuple[str, str]]:
        rows = db.execute(
            select(TreatedPatient.patient_id, TreatedPatient.province, TreatedPatient.centre)
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    cells.sync(db)
    assert kept() == {}
    plans = [therapy_plan(p, cast.centre_a) for p in records[:3]]
    db.add_all(plans)
    db.flush()
    cells.sync(db)  # a plan written marks its patient to be counted again
    assert kept() == {p.id: (p.province_code, str(p.centre_id)) for p in records[:3]}
    records[0].province_code = "46"
    db.delete(plans[1])
    db.flush()
    cells.sync(db)
    assert kept() == {p.id: (p.province_code, str(p.centre_id)) for p in (records[0], records[2])}
    assert records[0].province_code == "46"
