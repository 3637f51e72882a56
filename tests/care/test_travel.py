"""The what-if and the recommendation on a small hand-made map: three towns on the equator,
100 km of great circle apart (× 1.3 road factor = 130 km)."""

import pytest

from rarecare.care.travel import (
    LOCAL_KM,
    ROAD_FACTOR,
    Place,
    Traveller,
    best_sites,
    recommend_sites,
    what_if,
)
from rarecare.geo import great_circle_km

DEG = 100 / great_circle_km(0, 0, 0, 1)  # degrees of longitude for 100 km
A, B, C = (Place(code, 0.0, i * DEG, code.lower()) for i, code in enumerate("ABC"))
PLACES = {p.code: p for p in (A, B, C)}


def traveller(key: str, home: Place, trips: float = 26) -> Traveller:
    return Traveller(key, home.province, home.lat, home.lon, "ert", "A", trips)


TRAVELLERS = [traveller("p1", A), traveller("p2", B), traveller("p3", C), traveller("p4", C)]


def test_enabling_a_centre_sends_patients_to_the_nearest_capable_one() -> None:
    result = what_if(TRAVELLERS, PLACES, {"ert": {"A"}}, {"ert": ["C"]})
    assert {a.traveller.key: a.after for a in result.assignments} == {
        "p1": "A",
        "p2": "A",
        "p3": "C",
        "p4": "C",
    }
    # before: p1 local (25 km), p2 130 km, p3 and p4 260 km each way, 26 trips a year
    road = 100 * ROAD_FACTOR
    assert result.before.km == pytest.approx(2 * 26 * (LOCAL_KM + road + 2 * 2 * road))
    # after: p1 and p3, p4 local, p2 still 130 km (B is as far from A as from C: stays)
    assert result.after.km == pytest.approx(2 * 26 * (3 * LOCAL_KM + road))
    assert result.km_saved == pytest.approx(2 * 26 * (4 * road - 2 * LOCAL_KM))
    assert result.trips_saved == 52  # p3 and p4 no longer leave their province
    assert result.patients_moved == 2


def test_the_greedy_recommendation_picks_the_site_that_saves_most_first() -> None:
    rec = recommend_sites(TRAVELLERS, PLACES, ["B", "C"], 1, drug="ert")
    assert rec.sites == ["C"]  # two patients 260 km away beat one 130 km away
    two = recommend_sites(TRAVELLERS, PLACES, ["B", "C"], 2, drug="ert")
    assert two.sites == ["C", "B"]
    assert two.km_saved == pytest.approx(
        best_sites(TRAVELLERS, PLACES, ["B", "C"], 2, drug="ert")[1]
    )
    assert "1 − 1/e" in two.guarantee
