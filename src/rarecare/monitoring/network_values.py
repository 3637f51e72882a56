"""The care network's indicators: newborn screening coverage and positives by province, and the
median days a referral to a centre of expertise takes to be answered, seen and diagnosed (from
the network's services: counts and times only, nothing about a patient)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy.orm import Session

from rarecare.monitoring.definitions import BY_CODE
from rarecare.monitoring.sqlparts import Value, ratio
from rarecare.network import referrals, screening
from rarecare.network.models import Referral

REFERRAL_STEPS = {
    "referral_days_to_answer": "to_answer",
    "referral_days_to_visit": "to_visit",
    "referral_days_to_diagnosis": "to_diagnosis",
}


def network_values(session: Session, start: date, end: date) -> Iterator[Value]:
    coverage, positives = BY_CODE["nbs_coverage"], BY_CODE["nbs_positives"]
    counts = screening.province_counts(session=session, first=start, last=end)
    births = screening.expected_births(start, end)
    total_screened = total_births = total_positive = 0
    for province, expected in births.items():
        screened, positive = counts.get(province, (0, 0))
        total_screened, total_births = total_screened + screened, total_births + expected
        total_positive += positive
        yield Value(
            coverage.code, "province", province, screened, expected,
            ratio(coverage, screened, expected),
        )  # fmt: skip
        yield Value(positives.code, "province", province, positive, None, positive)
    yield Value(
        coverage.code, "", "", total_screened, total_births,
        ratio(coverage, total_screened, total_births),
    )  # fmt: skip
    yield Value(positives.code, "", "", total_positive, None, total_positive)
    sent = referrals.received(session=session, first=start, last=end)
    groups: dict[tuple[str, str], list[Referral]] = {("", ""): sent}
    for r in sent:
        groups.setdefault(("centre", str(r.to_centre_id)), []).append(r)
    for (breakdown, key), rows in groups.items():
        medians = referrals.median_days(rows)
        for code, step in REFERRAL_STEPS.items():
            count, value = medians[step]
            if value is not None:
                yield Value(code, breakdown, key, count, None, round(value, 1))
