"""The care network's indicators on a hand-computed fixture: screening coverage and positives
by province, and the median days a referral takes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring.network_values import network_values
from rarecare.network import referrals, screening
from rarecare.network.schemas import OutcomeIn, ReferralIn

from .conftest import Network
from .test_screening import GOOD, _import


def test_screening_coverage_and_positives_by_province(
    db: Session, network: Network, programme: int
) -> None:
    _import(db, network, GOOD)  # Hà Nội (01): 2 screened, 1 positive; TP HCM (79): 1
    values = {
        (v.indicator, v.breakdown, v.key): v
        for v in network_values(db, date(2026, 3, 1), date(2026, 3, 31))
    }
    births = screening.expected_births(date(2026, 3, 1), date(2026, 3, 31))
    hanoi = values[("nbs_coverage", "province", "01")]
    assert (hanoi.numerator, hanoi.denominator) == (2, births["01"])
    assert hanoi.value == round(2 / births["01"] * 100, 4)
    country = values[("nbs_coverage", "", "")]
    assert (country.numerator, country.denominator) == (3, sum(births.values()))
    assert values[("nbs_positives", "province", "01")].value == 1
    assert values[("nbs_positives", "province", "79")].value == 0
    assert values[("nbs_positives", "", "")].value == 1
    # 31 days of 1.5 million births a year, spread by population
    assert abs(sum(births.values()) - 1_500_000 * 31 / 365.25) <= 34


def test_referral_times_are_medians_over_the_referrals_sent_in_the_period(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    cast = network.cast
    referral = referrals.send(
        session=db,
        principal=cast.clinician_b,
        kb=kb,
        engine=None,
        patient_id=network.patient.id,
        data=ReferralIn(to_centre_code="CENTRE-A", reason="Suspected Pompe disease, please see."),
    )
    referral.sent_at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    referrals.accept(session=db, principal=cast.clinician_a, referral_id=referral.id)
    referral.responded_at = datetime(2026, 3, 4, 15, tzinfo=UTC)
    referrals.mark_seen(
        session=db,
        principal=cast.clinician_a,
        referral_id=referral.id,
        seen_on=date(2026, 3, 12),
    )
    referrals.return_diagnosis(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        referral_id=referral.id,
        data=OutcomeIn(outcome="Pompe disease"),
    )
    referral.diagnosis_returned_at = datetime(2026, 3, 30, 8, tzinfo=UTC)
    db.flush()
    values = {
        (v.indicator, v.breakdown, v.key): v.value
        for v in network_values(db, date(2026, 3, 1), date(2026, 3, 31))
    }
    assert values[("referral_days_to_answer", "", "")] == 2.0
    assert values[("referral_days_to_visit", "", "")] == 10.0
    assert values[("referral_days_to_diagnosis", "", "")] == 28.0
    assert values[("referral_days_to_diagnosis", "centre", str(cast.centre_a))] == 28.0
    later = list(network_values(db, date(2026, 4, 1), date(2026, 4, 30)))
    assert not [v for v in later if v.indicator.startswith("referral")]
