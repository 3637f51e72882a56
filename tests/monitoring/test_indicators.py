"""Each indicator formula on a small hand-computed fixture (SQLite and PostgreSQL), stored with
when and from how many records, and read only within the reader's scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.care.models import Administration, TherapyPlan
from rarecare.errors import PermissionDenied, ValidationFailed
from rarecare.lists.models import DiseaseEntry, DrugEntry, ListKind, ListVersion, VersionStatus
from rarecare.monitoring import engine, indicators, sqlparts
from rarecare.registry.models import (
    Patient,
)
from tests.conftest import Cast
from tests.monitoring.conftest import infusion, therapy_plan


def _values(db: Session, period: str = "2026Q1") -> dict[tuple[str, str, str], sqlparts.Value]:
    return {(v.indicator, v.breakdown, v.key): v for v in engine.compute(db, period)}


def test_periods_follow_dhis2_ids() -> None:
    assert sqlparts.period_range("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert sqlparts.period_range("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert sqlparts.period_range("202602") == (date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(ValidationFailed):
        sqlparts.period_range("2026-Q1")


def test_registered_new_and_per_100k(db: Session, registry: dict[str, Patient]) -> None:
    v = _values(db)
    assert v["registered", "", ""].value == 4  # P5 came after the quarter
    assert v["registered", "province", "01"].value == 2
    assert v["registered", "sex", "male"].value == 2
    assert v["registered", "age_band", "0-4"].value == 2  # P1 (2) and P4 (3 at the quarter's end)
    # Pompe (P1, P3) and Gaucher (P4) are lysosomal on the demo list; P2 has no diagnosis yet
    assert v["registered", "disease_group", "Lysosomal storage disorders"].value == 3
    # a centre's disease groups (the drill-down's last step): centre A has P1 (Pompe) and P2
    centre_a = str(registry["p1"].centre_id)
    assert (
        v["registered", "centre_disease_group", f"{centre_a}|Lysosomal storage disorders"].value
        == 1
    )
    assert v["registered", "centre_disease_group", f"{centre_a}|"].value == 1
    assert v["new_registrations", "", ""].value == 1  # P2
    per_100k = v["registered_per_100k", "province", "01"]
    assert per_100k.denominator == 8_807_523
    assert per_100k.value == pytest.approx(2 / 8_807_523 * 100_000, abs=1e-4)


def test_children_and_deaths_before_five(db: Session, registry: dict[str, Patient]) -> None:
    v = _values(db)
    children = v["share_children", "", ""]
    assert (children.numerator, children.denominator, children.value) == (2, 2, 100)
    deaths = v["deaths_under_5", "", ""]
    assert (deaths.numerator, deaths.denominator, deaths.value) == (1, 2, 50)  # P4 of P3, P4


def test_median_delays_to_diagnosis(db: Session, registry: dict[str, Patient]) -> None:
    v = _values(db)
    # diagnosed in the quarter: P1 (610 days after first contact, 702 after symptoms) and
    # P3 (365 and 2,260 days)
    assert v["days_contact_to_diagnosis", "", ""].value == 487.5
    assert v["days_symptoms_to_diagnosis", "", ""].value == 1481
    assert v["days_contact_to_diagnosis", "province", "01"].value == 610


def test_undiagnosed_after_a_year_and_genetic_confirmation(
    db: Session, registry: dict[str, Patient]
) -> None:
    v = _values(db)
    # first contact a year before the quarter's end: all four; not diagnosed within 365 days:
    # P1 (610 days) and P2 (never)
    late = v["undiagnosed_12m", "", ""]
    assert (late.numerator, late.denominator, late.value) == (2, 4, 50)
    assert v["confirmed_genetic", "", ""].value == 25  # P1 of four


def test_listed_drug_and_adherence(db: Session, registry: dict[str, Patient]) -> None:
    v = _values(db)
    assert v["on_listed_drug", "", ""].value == 1
    assert v["adherent", "", ""].value == 100
    assert v["adherent", "centre", str(registry["p1"].centre_id)].value == 100


def test_completeness_and_timeliness_per_centre(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    v = _values(db)
    # of 16 elements: P1 14 (no onset, no ICF), P2 11 (no onset, diagnosis, ORPHA, diagnosis
    # record, ICF), P3 13 and P4 13 (no onset, diagnosis record, ICF)
    assert v["completeness", "", ""].numerator == 14 + 11 + 13 + 13
    assert v["completeness", "centre", str(cast.centre_a)].value == pytest.approx(25 / 32 * 100)
    assert v["timeliness", "", ""].value == 50  # P1 updated, P2 created in the quarter


def test_listed_diseases_with_a_guideline_or_a_drug(
    db: Session, registry: dict[str, Patient]
) -> None:
    v = _values(db)
    version = db.scalar(
        select(ListVersion.id).where(
            ListVersion.kind == ListKind.DISEASES, ListVersion.status == VersionStatus.APPROVED
        )
    )
    listed = set(
        db.scalars(select(DiseaseEntry.orpha_code).where(DiseaseEntry.version_id == version))
    )
    treated = {c for row in db.scalars(select(DrugEntry.indications)) for c in row}
    drug = v["listed_with_drug", "", ""]
    assert (drug.numerator, drug.denominator) == (len(listed & treated), len(listed))
    assert v["listed_with_guideline", "", ""].numerator == 0


def test_a_refresh_stores_values_with_their_provenance_and_scope_applies(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    run = indicators.refresh(session=db, principal=cast.analyst, period="2026Q1")
    assert run.records == 5 and run.values_count > 50 and run.computed_by == "analyst"
    again = indicators.refresh(session=db, principal=SYSTEM, period="2026Q1")
    assert again.values_count == run.values_count  # replaced, not doubled
    by_province = indicators.values(
        session=db,
        principal=cast.analyst,
        code="registered",
        period="2026Q1",
        breakdown="province",
    )
    assert {r.key: r.value for r in by_province} == {"01": 2, "79": 2}
    mine = indicators.values(
        session=db,
        principal=cast.clinician_a,
        code="registered",
        period="2026Q1",
        breakdown="centre",
    )
    assert [(r.key, r.value) for r in mine] == [(str(cast.centre_a), 2)]
    with pytest.raises(PermissionDenied):
        indicators.values(
            session=db,
            principal=cast.clinician_a,
            code="registered",
            period="2026Q1",
            breakdown="province",
        )
    with pytest.raises(PermissionDenied):
        indicators.refresh(session=db, principal=cast.clinician_a, period="2026Q1")


def test_kilometres_per_treated_patient_and_trips_out_of_province(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    from rarecare.care.travel import road_km
    from rarecare.geo import get_province

    plan = db.scalar(select(TherapyPlan).where(TherapyPlan.patient_id == registry["p1"].id))
    assert plan is not None
    # one infusion in Ho Chi Minh City (centre B) for the patient from Hà Nội
    db.add(infusion(plan, date(2026, 3, 28), cast.centre_b))
    db.flush()
    v = _values(db)
    hanoi, hcmc = get_province("01"), get_province("79")
    assert hanoi is not None and hcmc is not None
    away_km = 2 * road_km(hanoi.lat, hanoi.lon, hcmc.lat, hcmc.lon)
    # per (patient, centre): 6 infusions at home (2 × 25 km each) and one away
    km = v["km_per_treated", "", ""]
    assert km.numerator == 2 and km.value == pytest.approx((300 + away_km) / 2, abs=0.2)
    trips = v["out_of_province_trips", "", ""]
    assert (trips.numerator, trips.denominator) == (1, 7)
    assert trips.value == pytest.approx(100 / 7, abs=1e-3)
    assert v["out_of_province_trips", "province", "01"].numerator == 1


def test_trips_count_per_patient_and_centre_whether_given_at_one_centre_or_several(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    from collections import defaultdict

    from rarecare.monitoring.medians import weighted_median
    from rarecare.monitoring.treatment import distances

    def plan(patient: Patient, centre: int) -> TherapyPlan:
        made = therapy_plan(patient, centre)
        db.add(made)
        db.flush()
        return made

    def give(made: TherapyPlan, centre: int, *days: date) -> None:
        db.add_all(infusion(made, day, centre, dose=20, vials=1) for day in days)

    # p1: six doses at centre A (the fixture); p2: two plans, both given at centre B;
    # p3: one plan given at both centres
    first, second = plan(registry["p2"], cast.centre_b), plan(registry["p2"], cast.centre_b)
    give(first, cast.centre_b, date(2026, 1, 10), date(2026, 2, 10))
    give(second, cast.centre_b, date(2026, 1, 12), date(2026, 2, 12), date(2026, 3, 12))
    mixed = plan(registry["p3"], cast.centre_a)
    give(mixed, cast.centre_a, date(2026, 1, 20))
    give(mixed, cast.centre_b, date(2026, 2, 20), date(2026, 3, 20))
    give(mixed, cast.centre_b, date(2026, 4, 20))  # another quarter
    db.flush()
    v = _values(db)

    # worked out from the infusions themselves: trips per (patient, centre) in the quarter
    province = {p.id: p.province_code for p in registry.values()}
    per_pair: dict[tuple[int, int], int] = defaultdict(int)
    for a in db.scalars(select(Administration)):
        if date(2026, 1, 1) <= a.given_on <= date(2026, 3, 31):
            per_pair[(a.patient_id, a.centre_id)] += 1
    assert len(per_pair) == 4  # p1 at A, p2 at B, p3 at A and at B
    km_of = distances(db)
    out = total = 0
    returns = []
    for (patient, centre), trips in per_pair.items():
        one_way, away = km_of[(str(province[patient]), str(centre))]
        out, total = out + away * trips, total + trips
        returns.append((trips * one_way * 2, 1.0))
    shares = v["out_of_province_trips", "", ""]
    assert (shares.numerator, shares.denominator) == (out, total) == (6, 14)
    km = v["km_per_treated", "", ""]
    assert km.numerator == 4
    assert km.value == pytest.approx(weighted_median(returns), abs=0.1)
