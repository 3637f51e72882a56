"""Travel burden and where to open therapy next (pure code, no database).

Distances are between province centres: great-circle distance × ``ROAD_FACTOR`` (1.3, in the
middle of the published road-circuity factors of about 1.2–1.4); a patient treated in their own
province travels ``LOCAL_KM`` (25 km) each way. A trip is a return journey for one dose (or one
dispensing visit), so a year of travel is ``trips × 2 × distance``.

*What-if*: with therapy T enabled at some more centres, every patient on T goes to the nearest
capable centre (or stays where they are when that is as near). *Recommendation*: choose ``k``
candidate centres that save the most kilometres, greedily — at each step the candidate with the
largest additional saving. The saving is a monotone submodular function of the chosen set (a
facility-location objective), so the greedy choice achieves at least 1 − 1/e ≈ 63% of the best
possible saving (Nemhauser, Wolsey and Fisher, 1978); on small instances :func:`best_sites`
finds the optimum by enumeration to check.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rarecare.geo import great_circle_km

ROAD_FACTOR = 1.3
LOCAL_KM = 25.0


@dataclass(frozen=True)
class Place:
    code: str
    lat: float
    lon: float
    province: str


@dataclass(frozen=True)
class Traveller:
    """One patient on one therapy: where they live, where they are treated, trips a year."""

    key: str
    province: str
    lat: float
    lon: float
    drug: str
    centre: str
    trips_per_year: float


def road_km(
    a_lat: float, a_lon: float, b_lat: float, b_lon: float, *, same_province: bool = False
) -> float:
    if same_province:
        return LOCAL_KM
    return max(LOCAL_KM, great_circle_km(a_lat, a_lon, b_lat, b_lon) * ROAD_FACTOR)


def distance(t: Traveller, place: Place) -> float:
    return road_km(t.lat, t.lon, place.lat, place.lon, same_province=t.province == place.province)


def km_per_year(t: Traveller, place: Place) -> float:
    return 2 * distance(t, place) * t.trips_per_year


@dataclass
class Burden:
    patients: int = 0
    trips: float = 0.0
    km: float = 0.0
    out_of_province_trips: float = 0.0


@dataclass
class Assignment:
    traveller: Traveller
    before: str
    after: str
    km_before: float
    km_after: float


@dataclass
class WhatIf:
    drug: str | None
    enabled: dict[str, list[str]]
    assignments: list[Assignment]
    before: Burden
    after: Burden
    per_centre_before: dict[str, Burden] = field(default_factory=dict)
    per_centre_after: dict[str, Burden] = field(default_factory=dict)

    @property
    def km_saved(self) -> float:
        return self.before.km - self.after.km

    @property
    def trips_saved(self) -> float:
        """Trips out of the home province that are no longer needed."""
        return self.before.out_of_province_trips - self.after.out_of_province_trips

    @property
    def patients_moved(self) -> int:
        return sum(1 for a in self.assignments if a.after != a.before)


def _add(burden: Burden, t: Traveller, place: Place) -> None:
    burden.patients += 1
    burden.trips += t.trips_per_year
    burden.km += km_per_year(t, place)
    if t.province != place.province:
        burden.out_of_province_trips += t.trips_per_year


def what_if(
    travellers: Sequence[Traveller],
    places: Mapping[str, Place],
    capable: Mapping[str, set[str]],
    enable: Mapping[str, Iterable[str]],
    *,
    drug: str | None = None,
) -> WhatIf:
    """Enable drug → centres; every traveller on an affected drug goes to the nearest capable
    centre. ``capable`` maps a drug to the centres that give it today; the travellers'
    current centres count as capable."""
    enabled = {d: sorted(set(codes)) for d, codes in enable.items()}
    sites: dict[str, set[str]] = {}
    for d in {t.drug for t in travellers}:
        sites[d] = (
            set(capable.get(d, set()))
            | set(enabled.get(d, []))
            | {t.centre for t in travellers if t.drug == d}
        )
    result = WhatIf(drug, enabled, [], Burden(), Burden())
    for t in travellers:
        if drug is not None and t.drug != drug:
            continue
        now = places[t.centre]
        best, best_km = now, km_per_year(t, now)
        if t.drug in enabled:
            for code in sorted(sites[t.drug]):
                km = km_per_year(t, places[code])
                if km < best_km - 1e-9:
                    best, best_km = places[code], km
        result.assignments.append(Assignment(t, t.centre, best.code, km_per_year(t, now), best_km))
        _add(result.before, t, now)
        _add(result.after, t, best)
        _add(result.per_centre_before.setdefault(now.code, Burden()), t, now)
        _add(result.per_centre_after.setdefault(best.code, Burden()), t, best)
    return result


def _saving(
    travellers: Sequence[Traveller], places: Mapping[str, Place], chosen: Iterable[str]
) -> float:
    chosen_places = [places[c] for c in chosen]
    total = 0.0
    for t in travellers:
        now = km_per_year(t, places[t.centre])
        best = min((km_per_year(t, p) for p in chosen_places), default=now)
        total += max(0.0, now - best)
    return total


@dataclass(frozen=True)
class Recommendation:
    drug: str
    sites: list[str]
    km_saved: float
    steps: list[tuple[str, float]]  # (site, additional km saved) in the order chosen
    guarantee: str = "greedy: at least 63% (1 − 1/e) of the best possible saving"


def recommend_sites(
    travellers: Sequence[Traveller],
    places: Mapping[str, Place],
    candidates: Iterable[str],
    k: int,
    *,
    drug: str,
) -> Recommendation:
    """The ``k`` candidate sites that save the most km for patients on ``drug`` (greedy)."""
    mine = [t for t in travellers if t.drug == drug]
    pool = sorted(set(candidates))
    # current km per traveller and, per candidate, km to it: one matrix, then greedy updates
    now = [km_per_year(t, places[t.centre]) for t in mine]
    to = {c: [km_per_year(t, places[c]) for t in mine] for c in pool}
    best_now = list(now)
    chosen: list[str] = []
    steps: list[tuple[str, float]] = []
    for _ in range(min(k, len(pool))):
        gains = {
            c: sum(max(0.0, b - x) for b, x in zip(best_now, to[c], strict=True))
            for c in pool
            if c not in chosen
        }
        if not gains:
            break
        site = max(sorted(gains), key=lambda c: gains[c])
        if gains[site] <= 0:
            break
        chosen.append(site)
        steps.append((site, gains[site]))
        best_now = [min(b, x) for b, x in zip(best_now, to[site], strict=True)]
    return Recommendation(drug, chosen, sum(g for _, g in steps), steps)


def best_sites(
    travellers: Sequence[Traveller],
    places: Mapping[str, Place],
    candidates: Iterable[str],
    k: int,
    *,
    drug: str,
) -> tuple[list[str], float]:
    """The optimal ``k`` sites by enumeration (small instances only: C(n, k) subsets)."""
    mine = [t for t in travellers if t.drug == drug]
    best: tuple[list[str], float] = ([], 0.0)
    for subset in itertools.combinations(sorted(set(candidates)), k):
        saved = _saving(mine, places, subset)
        if saved > best[1] + 1e-9:
            best = (list(subset), saved)
    return best
