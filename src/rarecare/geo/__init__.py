"""Vietnam's provinces (34 from 1 July 2025, and the former 63) with centroid coordinates."""

from rarecare.geo.provinces import (
    REGIONS,
    Population,
    Province,
    current_provinces,
    former_provinces,
    get_province,
    great_circle_km,
    populations,
    province_names,
    region_of,
)

__all__ = [
    "REGIONS",
    "Population",
    "Province",
    "current_provinces",
    "former_provinces",
    "get_province",
    "great_circle_km",
    "populations",
    "province_names",
    "region_of",
]
