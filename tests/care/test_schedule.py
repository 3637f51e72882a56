from datetime import date, timedelta

from rarecare import i18n
from rarecare.care.schedule import (
    CentreCalendar,
    PlanSpec,
    Status,
    build,
    ideal_dates,
    parse_opening_days,
)

MON = date(2026, 11, 2)  # a Monday
WEEKDAYS_ONLY = parse_opening_days("1111100")


def calendar(chairs: int = 1, per_chair: int = 1, days: str = "1111100") -> CentreCalendar:
    return CentreCalendar(1, parse_opening_days(days), chairs, per_chair)


def plan(pid: int, start: date, interval: int = 14, **kw: object) -> PlanSpec:
    return PlanSpec(pid, f"P{pid}", 1, "alglucosidase alfa", interval, start, **kw)  # type: ignore[arg-type]


def test_opening_days_are_read_monday_first() -> None:
    assert parse_opening_days("1111100") == {0, 1, 2, 3, 4}
    assert parse_opening_days("0000011") == {5, 6}


def test_a_plan_repeats_every_interval_from_its_start() -> None:
    dates = [d for _, d, _ in ideal_dates(plan(1, MON), MON, MON + timedelta(days=42))]
    assert dates == [MON + timedelta(days=k * 14) for k in range(4)]


def test_loading_doses_come_first_then_the_maintenance_interval() -> None:
    p = plan(1, MON, interval=120, loading_days=(0, 14, 28, 63))
    offsets = [(d - MON).days for _, d, _ in ideal_dates(p, MON, MON + timedelta(days=400))]
    assert offsets == [0, 14, 28, 63, 183, 303]


def test_the_next_dose_follows_the_last_administration() -> None:
    given = (MON, MON + timedelta(days=16))  # the second dose two days late
    p = plan(1, MON, given=given)
    first = ideal_dates(p, MON + timedelta(days=17), MON + timedelta(days=60))[0]
    assert first == (2, MON + timedelta(days=30), False)


def test_an_overdue_dose_is_offered_from_today_and_the_rest_follow() -> None:
    p = plan(1, MON, given=(MON,))
    today = MON + timedelta(days=20)  # due on day 14
    out = ideal_dates(p, today, today + timedelta(days=30))
    assert out[0] == (1, MON + timedelta(days=14), True)
    assert out[1][1] == today + timedelta(days=14)


def test_a_dose_on_a_closed_day_moves_to_the_nearest_open_day() -> None:
    saturday = MON + timedelta(days=5)
    [appointment, *_] = build([plan(1, saturday)], {1: calendar()}, today=MON, until=saturday)
    assert appointment.status is Status.MOVED
    assert appointment.date == saturday - timedelta(days=1)  # Friday (+1 Sunday is closed too)
    assert "closed on Saturday" in appointment.reason
    assert appointment.alternatives and all(d.weekday() < 5 for d in appointment.alternatives)


def test_schedules_never_book_more_than_the_daily_capacity() -> None:
    plans = [plan(i, MON + timedelta(days=2)) for i in range(1, 12)]  # 11 on a Wednesday
    appointments = build(
        plans, {1: calendar(chairs=2, per_chair=1)}, today=MON, until=MON + timedelta(days=13)
    )
    per_day: dict[date, int] = {}
    for a in appointments:
        assert a.date is not None and a.date.weekday() < 5
        per_day[a.date] = per_day.get(a.date, 0) + 1
    assert max(per_day.values()) <= 2
    wednesday = [a for a in appointments if a.ideal == MON + timedelta(days=2)]
    assert [a.status for a in wednesday].count(Status.OK) == 2
    # ±2 days of tolerance for a 14-day interval: Mon, Tue, Thu, Fri take 2 each, one is left
    assert [a.status for a in wednesday].count(Status.MOVED) == 8
    [conflict] = [a for a in wednesday if a.status is Status.CONFLICT]
    assert conflict.date is not None and conflict.date > MON + timedelta(days=4)
    assert "no free slot within ±2 days" in conflict.reason


def test_home_therapies_take_no_infusion_slot_but_are_dispensed_on_open_days() -> None:
    oral = PlanSpec(1, "P1", 1, "sapropterin", 28, MON, uses_slot=False)
    full = calendar(chairs=0)
    [first, *_] = build([oral], {1: full}, today=MON, until=MON + timedelta(days=10))
    assert (first.date, first.status) == (MON, Status.OK)
    sunday = PlanSpec(2, "P2", 1, "sapropterin", 28, MON + timedelta(days=6), uses_slot=False)
    [second] = build([sunday], {1: full}, today=MON, until=MON + timedelta(days=10))
    assert second.date == MON + timedelta(days=7)


def test_a_moved_dose_says_why_in_the_readers_language() -> None:
    saturday = MON + timedelta(days=5)
    [appointment, *_] = build([plan(1, saturday)], {1: calendar()}, today=MON, until=saturday)
    token = i18n.current_locale.set("vi")
    try:
        shown = appointment.reason  # put into words when read, not when the schedule is built
    finally:
        i18n.current_locale.reset(token)
    assert shown == f"{saturday:%d/%m/%Y}: cơ sở nghỉ vào Thứ Bảy"
    assert appointment.reason.endswith("the centre is closed on Saturday")
