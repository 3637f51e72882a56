"""Vietnam's provinces (34 from 1 July 2025, and the former 63) with centroid coordinates."""

from rarecare.geo.provinces import (
    Province,
    current_provinces,
    former_provinces,
    get_province,
    great_circle_km,
    province_names,
)

__all__ = [
    "Province",
    "current_provinces",
    "former_provinces",
    "get_province",
    "great_circle_km",
    "province_names",
]
