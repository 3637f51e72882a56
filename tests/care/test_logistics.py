"""Demand, stock and travel from plans on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from rarecare.care import logistics, therapy
from rarecare.care.schemas import PlanIn, StockIn
from rarecare.errors import Conflict

from .conftest import POMPE_DRUG, TODAY, CareWorld


def test_demand_counts_vials_per_month_and_flags_reorder(db: Session, world: CareWorld) -> None:
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=TODAY),
        today=TODAY,
    )
    logistics.set_stock(
        session=db,
        principal=world.cast.clinician_a,
        centre_id=world.cast.centre_a,
        data=StockIn(drug=POMPE_DRUG, on_hand=20),
    )
    report = logistics.demand(session=db, principal=world.cast.analyst, months=12, today=TODAY)
    [row] = report.rows
    assert report.months[:2] == ["2026-11", "2026-12"]
    # Nov 23 only in November; Dec 7 and 21 in December: 6 vials each
    assert (row.months["2026-11"], row.months["2026-12"]) == (6, 12)
    assert 150 <= row.total <= 162  # 25-27 infusions a year of 6 vials
    assert (row.on_hand, row.reorder) == (20, True)
    assert row.cost_vnd == row.total * 15_600_000
    data = logistics.demand_export(report, "csv").decode("utf-8-sig")
    assert data.splitlines()[0].startswith("centre,drug,2026-11")


def test_demand_of_another_centre_is_refused(db: Session, world: CareWorld) -> None:
    from rarecare.errors import NotFound

    with pytest.raises(NotFound):
        logistics.demand(
            session=db,
            principal=world.cast.clinician_b,
            centre_id=world.cast.centre_a,
            today=TODAY,
        )


def test_the_what_if_moves_a_patient_to_a_nearer_capable_centre(
    db: Session, world: CareWorld
) -> None:
    # the patient lives in province 79 (Ho Chi Minh City) and is treated at A (Ha Noi)
    world.pompe.province_code = "79"
    therapy.create_plan(
        session=db,
        principal=world.cast.clinician_a,
        patient_id=world.pompe.id,
        data=PlanIn(drug=POMPE_DRUG, start_date=TODAY),
        today=TODAY,
    )
    _picture, result = logistics.travel(
        session=db, principal=world.cast.analyst, drug=POMPE_DRUG, enable=["CENTRE-B"]
    )
    [moved] = result.assignments
    assert (moved.before, moved.after) == ("CENTRE-A", "CENTRE-B")
    trips = 365 / 14  # return trips a year
    assert result.km_saved > trips * 2 * 1_000  # over 1,000 km each way
    assert result.trips_saved == pytest.approx(trips)


def test_a_stale_stock_count_is_refused(db: Session, world: CareWorld) -> None:
    def count(on_hand: int, version: int | None = None) -> int:
        row = logistics.set_stock(
            session=db,
            principal=world.cast.clinician_a,
            centre_id=world.cast.centre_a,
            data=StockIn(drug=POMPE_DRUG, on_hand=on_hand, version=version),
        )
        db.flush()
        return row.version

    first = count(20)
    count(18, version=first)
    with pytest.raises(Conflict):
        count(25, version=first)
