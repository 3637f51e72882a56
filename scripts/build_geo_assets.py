"""Copies the province boundaries (34 and the former 63, GeoJSON) and the 2025 population of the
34 provinces from the shared data directory into the package: the boundaries for the maps (served
as static files, CC BY-SA 4.0, credited on every map and in the README), the population as the
denominator of rates per 100,000 (its source kept per row).

    .venv/bin/python scripts/build_geo_assets.py [SHARED_DATA_DIR]   # default ../shared/data
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src/rarecare/web/static/geo"
POPULATION = ROOT / "src/rarecare/geo/data/population-34-2025.csv"


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data"
    source = shared / "geo"
    STATIC.mkdir(parents=True, exist_ok=True)
    for name in ("vn-provinces-34.geojson", "vn-provinces-63.geojson"):
        data = json.loads((source / name).read_text(encoding="utf-8"))
        (STATIC / name).write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
    shutil.copyfile(source / "README.md", STATIC / "README.md")
    with (source / "population-34-2025.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 34, "expected the 34 provinces"
    shutil.copyfile(source / "population-34-2025.csv", POPULATION)
    print(f"wrote {STATIC} and {POPULATION} ({sum(int(r['population']) for r in rows):,} people)")


if __name__ == "__main__":
    main()
