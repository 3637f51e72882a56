"""Vietnam's provinces (34 from 1 July 2025, and the former 63) with centroid coordinates."""

from rarecare.geo.provinces import (
    REGIONS,
    Province,
    current_provinces,
    former_provinces,
    get_province,
    great_circle_km,
    province_names,
    region_of,
)

__all__ = [
    "REGIONS",
    "Province",
    "current_provinces",
    "former_provinces",
    "get_province",
    "great_circle_km",
    "province_names",
    "region_of",
]
