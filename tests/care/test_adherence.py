from datetime import date, timedelta

from rarecare import i18n
from rarecare.care.adherence import dose_alerts, pdc
from rarecare.care.schedule import PlanSpec

D0 = date(2026, 1, 1)


def test_pdc_on_a_hand_computed_example() -> None:
    # 14-day doses on days 0, 14 and 35 over days 0-49 (50 days): covered 0-27 and 35-48,
    # i.e. 28 + 14 = 42 days → 0.84
    given = [D0, D0 + timedelta(days=14), D0 + timedelta(days=35)]
    assert pdc(given, 14, D0, D0 + timedelta(days=49)) == 42 / 50


def test_pdc_shifts_early_doses_instead_of_counting_days_twice() -> None:
    # days 0 and 10: the second dose covers 14-27, so 0-27 is covered: 28 of 28 days
    given = [D0, D0 + timedelta(days=10)]
    assert pdc(given, 14, D0, D0 + timedelta(days=27)) == 1.0
    assert pdc(given, 14, D0, D0 + timedelta(days=55)) == 0.5


def test_pdc_of_an_empty_period_is_none() -> None:
    assert pdc([D0], 14, D0, D0 - timedelta(days=1)) is None


def spec(given: tuple[date, ...]) -> PlanSpec:
    return PlanSpec(1, "P1", 1, "alglucosidase alfa", 14, D0, given=given)


def test_a_missed_dose_raises_an_alert() -> None:
    [alert] = dose_alerts(spec((D0,)), D0 + timedelta(days=20))
    assert (alert.kind, alert.due, alert.days) == ("missed", D0 + timedelta(days=14), 6)
    assert "has not been recorded" in alert.message


def test_a_dose_within_the_grace_days_raises_nothing() -> None:
    assert dose_alerts(spec((D0,)), D0 + timedelta(days=16)) == []


def test_a_late_dose_is_reported() -> None:
    given = (D0, D0 + timedelta(days=20))
    [alert] = dose_alerts(spec(given), D0 + timedelta(days=21))
    assert (alert.kind, alert.days) == ("late", 6)


def test_an_alert_reads_in_vietnamese_with_vietnamese_dates() -> None:
    [alert] = dose_alerts(spec((D0,)), D0 + timedelta(days=20))
    token = i18n.current_locale.set("vi")
    try:
        assert alert.message == (
            "alglucosidase alfa: liều đến hạn ngày 15/01/2026 chưa được ghi nhận (quá hạn 6 ngày)"
        )
    finally:
        i18n.current_locale.reset(token)
    assert alert.message.endswith("has not been recorded (6 days overdue)")  # English again
