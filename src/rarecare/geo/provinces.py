"""Province look-ups from the packaged ``provinces.json`` (built by scripts/build_provinces.py)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    short: str
    lat: float
    lon: float
    current: bool
    former: tuple[str, ...] = ()
    successor: str | None = None
    units: int = 0  # communes and wards: a population proxy


@cache
def _load() -> tuple[dict[str, Province], dict[str, Province]]:
    raw = json.loads((resources.files("rarecare.geo") / "data" / "provinces.json").read_text())
    current = {
        p["code"]: Province(
            code=p["code"],
            name=p["name"],
            short=p["short"],
            lat=p["lat"],
            lon=p["lon"],
            current=True,
            former=tuple(p["former"]),
        )
        for p in raw["provinces"]
    }
    former = {
        p["code"]: Province(
            code=p["code"],
            name=p["name"],
            short=p["short"],
            lat=p["lat"],
            lon=p["lon"],
            current=False,
            successor=p["successor"],
        )
        for p in raw["former_provinces"]
    }
    return current, former


def current_provinces() -> list[Province]:
    """The 34 provinces in force since 1 July 2025, by code."""
    return list(_load()[0].values())


def province_names() -> dict[str, str]:
    """Short name of each of the 34 provinces, by code (for pages and tables)."""
    return {p.code: p.short for p in current_provinces()}


def former_provinces() -> list[Province]:
    """The 63 provinces before 1 July 2025, by code."""
    return list(_load()[1].values())


def get_province(code: str, *, former: bool = False) -> Province | None:
    return _load()[1 if former else 0].get(code)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# Vietnam's six socio-economic regions, for the 34 provinces (2025) by the larger part of each
# merged province: what a record shows instead of its province where a province would single
# its patient out.
REGIONS: dict[str, str] = {
    "northern-uplands": "Trung du và miền núi phía Bắc",
    "red-river-delta": "Đồng bằng sông Hồng",
    "central-coast": "Bắc Trung Bộ và duyên hải miền Trung",
    "central-highlands": "Tây Nguyên",
    "south-east": "Đông Nam Bộ",
    "mekong-delta": "Đồng bằng sông Cửu Long",
}
_REGION_OF = {
    **dict.fromkeys(("04", "08", "11", "12", "14", "15", "19", "20", "25"), "northern-uplands"),
    **dict.fromkeys(("01", "22", "24", "31", "33", "37"), "red-river-delta"),
    **dict.fromkeys(("38", "40", "42", "44", "46", "48", "51", "56"), "central-coast"),
    **dict.fromkeys(("52", "66", "68"), "central-highlands"),
    **dict.fromkeys(("75", "79", "80"), "south-east"),
    **dict.fromkeys(("82", "86", "91", "92", "96"), "mekong-delta"),
}


def region_of(province_code: str | None) -> str | None:
    """The region (a key of ``REGIONS``) of one of the 34 provinces."""
    return _REGION_OF.get(province_code or "")


@dataclass(frozen=True)
class Population:
    code: str
    population: int
    year: int
    source: str


@cache
def populations() -> dict[str, Population]:
    """The population of the 34 provinces (2025, as stated with the merger: residence-registry
    basis, about 12% above the GSO total; the denominator of rates per 100,000, shown with its
    source). Replace ``geo/data/population-34-2025.csv`` to use other figures."""
    path = resources.files("rarecare.geo") / "data" / "population-34-2025.csv"
    with path.open(encoding="utf-8") as fh:
        return {
            row["code"]: Population(
                row["code"], int(row["population"]), int(row["year"]), row["source"]
            )
            for row in csv.DictReader(fh)
        }
