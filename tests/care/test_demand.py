from datetime import date

from rarecare.care.demand import DoseNeed, monthly_vials, months_from, stock_status
from rarecare.care.schedule import Appointment

DAY = date(2026, 12, 7)


def appointment(plan_id: int, day: date = DAY) -> Appointment:
    return Appointment(plan_id, f"P{plan_id}", 1, "alglucosidase alfa", 0, day, day)


def test_each_dose_uses_whole_vials() -> None:
    needs = {1: DoseNeed(310, 50), 2: DoseNeed(220, 50)}
    assert monthly_vials([appointment(1), appointment(2)], needs) == {
        (1, "alglucosidase alfa", "2026-12"): 7 + 5
    }


def test_same_day_vial_sharing_pools_the_doses() -> None:
    needs = {1: DoseNeed(310, 50, shareable=True), 2: DoseNeed(220, 50, shareable=True)}
    # 530 mg in 50 mg vials = 11 vials instead of 12
    assert (
        monthly_vials([appointment(1), appointment(2)], needs)[(1, "alglucosidase alfa", "2026-12")]
        == 11
    )


def test_months_run_across_the_new_year() -> None:
    assert months_from(date(2026, 11, 22), 3) == ["2026-11", "2026-12", "2027-01"]


def test_a_stock_below_lead_time_and_safety_need_raises_a_reorder_alert() -> None:
    status = stock_status(1, "x", 25, [10, 10, 10, 10])
    assert (status.need_lead_time, status.reorder_point, status.reorder) == (20, 30, True)
    assert status.months_of_cover == 2.5
    assert not stock_status(1, "x", 100, [10, 10, 10]).reorder
