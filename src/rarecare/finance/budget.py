"""Budget impact of covering a drug (pure code, no database).

"Cover drug D at rate r from date t" over 1–5 years. Every parameter is an input and is shown:

- treated patients at the start = the registered eligible patients (alive, diagnosed with an
  indication of D) × ``uptake``;
- expected prevalent cases = ``prevalence_per_100k`` / 100,000 × ``population``; the cases not
  yet registered form the undiagnosed pool, of which ``diagnosis_rate`` is diagnosed each year
  (and ``uptake`` of those start treatment);
- each year ``discontinuation`` of the treated stop (death, stopping); new patients are treated
  for half of their first year (mid-year convention);
- cost per patient-year = the drug cost of a year at the mean weight + service fees;
- the fund pays ``coverage`` % of it and families the rest; the *incremental* impact is what
  the fund pays above the current rate (``current_coverage`` %).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class BudgetInputs:
    drug: str
    coverage: float  # % paid by the insurance fund under the scenario
    start: date
    years: int
    cost_per_patient_year: float
    registered_patients: int
    current_coverage: float = 0.0
    prevalence_per_100k: float = 0.0
    population: float = 101_300_000  # Viet Nam, 2024 (General Statistics Office)
    diagnosis_rate: float = 0.05  # share of the undiagnosed pool diagnosed per year
    uptake: float = 1.0  # share of diagnosed eligible patients who start treatment
    discontinuation: float = 0.05  # share of treated patients who stop each year

    def validate(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not 1 <= self.years <= 5:
            problems.append(("years", "expected 1 to 5"))
        for name in ("coverage", "current_coverage"):
            if not 0 <= getattr(self, name) <= 100:
                problems.append((name, "expected a percentage from 0 to 100"))
        for name in ("diagnosis_rate", "uptake", "discontinuation"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append((name, "expected a share from 0 to 1"))
        for name in ("cost_per_patient_year", "prevalence_per_100k", "population"):
            if getattr(self, name) < 0:
                problems.append((name, "expected 0 or more"))
        if self.registered_patients < 0:
            problems.append(("registered_patients", "expected 0 or more"))
        return problems


@dataclass(frozen=True)
class BudgetYear:
    year: int  # 1-based
    starts: date
    treated_start: float
    new_patients: float
    patient_years: float
    total_cost: float
    fund: float
    families: float
    fund_current: float
    incremental_fund: float


@dataclass
class BudgetImpact:
    inputs: BudgetInputs
    expected_prevalent: float
    undiagnosed_pool: float
    years: list[BudgetYear] = field(default_factory=list)

    @property
    def total_fund(self) -> float:
        return sum(y.fund for y in self.years)

    @property
    def total_families(self) -> float:
        return sum(y.families for y in self.years)

    @property
    def total_incremental(self) -> float:
        return sum(y.incremental_fund for y in self.years)

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": asdict(self.inputs),
            "expected_prevalent": self.expected_prevalent,
            "undiagnosed_pool": self.undiagnosed_pool,
            "years": [asdict(y) for y in self.years],
            "total_fund": self.total_fund,
            "total_families": self.total_families,
            "total_incremental_fund": self.total_incremental,
        }


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def project(inputs: BudgetInputs) -> BudgetImpact:
    expected = inputs.prevalence_per_100k / 100_000 * inputs.population
    pool = max(0.0, expected - inputs.registered_patients)
    result = BudgetImpact(inputs, expected, pool)
    treated = inputs.registered_patients * inputs.uptake
    for year in range(1, inputs.years + 1):
        diagnosed = pool * inputs.diagnosis_rate
        pool -= diagnosed
        new = diagnosed * inputs.uptake
        patient_years = treated + new / 2
        cost = patient_years * inputs.cost_per_patient_year
        fund = cost * (inputs.coverage / 100)
        current = cost * (inputs.current_coverage / 100)
        result.years.append(
            BudgetYear(
                year=year,
                starts=_anniversary(inputs.start, year - 1),
                treated_start=treated,
                new_patients=new,
                patient_years=patient_years,
                total_cost=cost,
                fund=fund,
                families=cost * (1 - inputs.coverage / 100),
                fund_current=current,
                incremental_fund=fund - current,
            )
        )
        treated = (treated + new) * (1 - inputs.discontinuation)
    return result


# Orphanet's prevalence classes, each at its geometric middle, per 100,000 people
PREVALENCE_CLASS_PER_100K: dict[str, float] = {
    "<1 / 1 000 000": 0.05,
    "1-9 / 1 000 000": 0.3,
    "1-9 / 100 000": 3.0,
    "1-5 / 10 000": 22.0,
    "6-9 / 10 000": 73.0,
    ">1 / 1000": 150.0,
}
# where a figure was measured, best first: Orphanet's worldwide figure, then Asian, then European
PLACES = ("Worldwide", "South East Asia", "Viet Nam", "China", "Japan", "Europe")
KINDS = ("Point prevalence", "Prevalence at birth", "Lifetime Prevalence", "Annual incidence")


def orphanet_prevalence(
    prevalences: list[tuple[str, str, str]],
) -> tuple[float, tuple[str, str, str]] | None:
    """A disease's prevalence per 100,000 from Orphanet's (kind, class, place) figures: the
    point prevalence where there is one (then at birth, lifetime, incidence), measured
    worldwide rather than in one country, each class at its geometric middle; None without a
    classed figure. Returns the value and the figure it came from."""
    classed = [p for p in prevalences if p[1] in PREVALENCE_CLASS_PER_100K and p[0] in KINDS]
    if not classed:
        return None

    def rank(p: tuple[str, str, str]) -> tuple[int, int]:
        place = PLACES.index(p[2]) if p[2] in PLACES else len(PLACES)
        return KINDS.index(p[0]), place

    best = min(classed, key=rank)
    return PREVALENCE_CLASS_PER_100K[best[1]], best
