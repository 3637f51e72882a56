"""Province look-ups from the packaged ``provinces.json`` (built by scripts/build_provinces.py)."""

from __future__ import annotations

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
