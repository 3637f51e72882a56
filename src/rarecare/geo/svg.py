"""The provinces as an SVG map drawn on the server (no script needed): a plain equirectangular
projection of Viet Nam and the 34 provinces' boundaries of the maps' GeoJSON."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

MAP_W, MAP_H, LON0, LAT0, SCALE = 300, 520, 102.0, 23.6, 32.0


def xy(lat: float, lon: float) -> tuple[float, float]:
    return round((lon - LON0) * SCALE + 10, 1), round((LAT0 - lat) * SCALE + 10, 1)


@cache
def outlines() -> tuple[str, ...]:
    """The 34 provinces' boundaries (the maps' GeoJSON) as SVG paths in this
    projection, every sixth vertex kept (enough at this scale)."""
    geo = json.loads(
        (resources.files("rarecare.web") / "static" / "geo" / "vn-provinces-34.geojson").read_text(
            encoding="utf-8"
        )
    )
    paths = []
    for feature in geo["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        parts = []
        for polygon in polygons:
            ring = polygon[0]
            kept = ring[::6] if len(ring) > 24 else ring
            if len(kept) < 3:
                continue
            points = " L".join("{},{}".format(*xy(lat, lon)) for lon, lat in kept)
            parts.append(f"M{points}Z")
        paths.append("".join(parts))
    return tuple(paths)
