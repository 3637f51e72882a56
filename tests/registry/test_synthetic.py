from collections import Counter
from datetime import date

from rarecare.knowledge import KnowledgeBase
from rarecare.registry.synthetic import generate

CODES = ["ORPHA:365", "ORPHA:716", "ORPHA:355", "ORPHA:70", "ORPHA:98896", "ORPHA:586"]
TODAY = date(2026, 11, 1)


def _date(value: object) -> date | None:
    assert value is None or isinstance(value, date)
    return value


def test_the_population_is_reproducible_and_realistic(kb: KnowledgeBase) -> None:
    first = list(generate(kb, CODES, 600, seed=7, today=TODAY))
    assert first == list(generate(kb, CODES, 600, seed=7, today=TODAY))
    births = [_date(p.identity["birth_date"]) for p in first]
    children = sum(1 for born in births if born is not None and (TODAY - born).days < 16 * 365.25)
    assert 0.50 < children / 600 < 0.66  # about 58%
    statuses = Counter(p.record["diagnostic_status"] for p in first)
    assert 0.08 < statuses["undiagnosed"] / 600 < 0.25
    assert all(p.observed for p in first)
    for p, born in zip(first, births, strict=True):
        assert born is not None
        for field in ("onset_date", "first_contact_date", "diagnosis_date", "death_date"):
            value = _date(p.record[field])
            assert value is None or born <= value <= TODAY
    # PKU (1-9 / 10 000) is far more common than Pompe disease (1-9 / 100 000)
    diseases = Counter(p.record["orpha_code"] for p in first)
    assert diseases["ORPHA:716"] > diseases["ORPHA:365"]
