"""The period's treated records kept between refreshes (``monitoring.treatment``): after every
kind of write, as the days go by and when the cost model changes, the kept rows are the rows
worked out whole (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rarecare.care.models import Administration, TherapyPlan
from rarecare.centres.models import Centre, CentreLevel
from rarecare.finance.models import PatientCoverage
from rarecare.monitoring import cells
from rarecare.monitoring.models import TreatmentDirty, TreatmentMark, TreatmentState
from rarecare.monitoring.treatment import period_treatment
from rarecare.registry.models import Patient
from tests.conftest import Cast
from tests.monitoring.conftest import infusion, therapy_plan

YEAR = "2026"


def _kept(db: Session, day: date, period: str = YEAR) -> list[Any]:
    """The period's treated records as a refresh reads them (the records written since the
    last refresh counted again first, as a refresh does)."""
    cells.sync(db)
    with period_treatment(db, period, day) as treatment:
        people = treatment.people
        return [tuple(row) for row in db.execute(select(people).order_by(people.c.id))]


def _whole(db: Session, day: date, period: str = YEAR) -> list[Any]:
    """The same, worked out whole (no period kept)."""
    db.execute(delete(TreatmentState))
    return _kept(db, day, period)


def _adherent(rows: list[Any], patient: Patient) -> int:
    return int({row[0]: row[9] for row in rows}[patient.id])


def _give(db: Session, plan: TherapyPlan, *days: date, centre: int | None = None) -> None:
    db.add_all(infusion(plan, day, centre) for day in days)
    db.flush()


def test_kept_rows_follow_every_write_as_worked_out_whole(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    day = date(2026, 6, 30)
    before = _kept(db, day)
    assert db.scalar(select(TreatmentState.period)) == YEAR  # kept from now on
    p1_plan = db.scalars(
        select(TherapyPlan).where(TherapyPlan.patient_id == registry["p1"].id)
    ).one()
    _give(db, p1_plan, date(2026, 4, 2), centre=cast.centre_b)  # an infusion elsewhere
    new_plan = therapy_plan(registry["p3"], cast.centre_b)  # a new plan, given twice
    db.add(new_plan)
    db.flush()
    _give(db, new_plan, date(2026, 2, 1), date(2026, 2, 15))
    db.add(  # a coverage record: a poor household, its income known
        PatientCoverage(
            patient_id=registry["p1"].id,
            groups=["poor"],
            household_income_vnd=60_000_000,
            updated_by="t",
        )
    )
    registry["p1"].province_code = "79"  # moved
    db.flush()
    assert db.scalar(select(TreatmentMark.id).limit(1)) is not None  # the writers marked
    kept = _kept(db, day)
    assert kept != before
    assert not db.scalars(select(TreatmentDirty.patient_id)).all()  # all worked out again
    assert kept == _whole(db, day)
    # a plan ended and an infusion taken back
    p1_plan.end_date = date(2026, 3, 1)
    db.execute(delete(Administration).where(Administration.plan_id == new_plan.id))
    db.flush()
    kept = _kept(db, day)
    assert kept == _whole(db, day)


def test_adherence_follows_the_day_with_nothing_written(
    db: Session, registry: dict[str, Patient]
) -> None:
    # p1: six fortnightly doses by 16 March (6 × 14 × 10 / 8 = 105 days covered from 1 January)
    march, june = date(2026, 3, 20), date(2026, 6, 30)
    at_march = _kept(db, march)
    assert _adherent(at_march, registry["p1"]) == 1
    at_june = _kept(db, june)  # nothing written since: the kept rows, read on a later day
    assert _adherent(at_june, registry["p1"]) == 0
    assert at_june == _whole(db, june)
    assert at_march == _whole(db, march)  # (a day before the kept one: worked out whole)


def test_records_with_doses_ahead_or_several_plans_are_worked_out_each_time(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    p1_plan = db.scalars(
        select(TherapyPlan).where(TherapyPlan.patient_id == registry["p1"].id)
    ).one()
    _give(db, p1_plan, date(2026, 6, 1), date(2026, 6, 15))  # recorded ahead of the days below
    # p4: a plan ended on 31 January, its doses covering it; another from 1 March, its first
    # doses written before its start (either plan makes the record adherent on its own days)
    ended, later = (
        therapy_plan(registry["p4"], cast.centre_b),
        therapy_plan(registry["p4"], cast.centre_b),
    )
    ended.end_date, later.start_date = date(2026, 1, 31), date(2026, 3, 1)
    db.add_all([ended, later])
    db.flush()
    _give(db, ended, date(2026, 1, 10), date(2026, 1, 24))
    _give(db, later, date(2026, 2, 1), date(2026, 2, 15))
    assert _adherent(_kept(db, date(2026, 2, 20)), registry["p4"]) == 1
    # p1's six doses by 16 March cover 105 days from 1 January (to 15 April); the two of June
    # count from their days on (eight cover 140 days, to 20 May)
    expected = {
        date(2026, 4, 1): 1,
        date(2026, 4, 20): 0,
        date(2026, 5, 10): 0,
        date(2026, 7, 1): 0,
    }
    for day, adherent in expected.items():
        kept = _kept(db, day)
        assert _adherent(kept, registry["p1"]) == adherent
        assert kept == _whole(db, day)


def test_a_new_cost_model_works_the_period_out_whole(
    db: Session, registry: dict[str, Patient], cast: Cast
) -> None:
    day = date(2026, 6, 30)
    before = _kept(db, day)
    centre = db.get(Centre, cast.centre_a)
    assert centre is not None
    centre.level = (
        CentreLevel.PROVINCIAL if centre.level != CentreLevel.PROVINCIAL else CentreLevel.NATIONAL
    )  # another service fee
    db.flush()
    kept = _kept(db, day)
    assert kept != before
    assert kept == _whole(db, day)
