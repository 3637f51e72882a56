"""Derives ``src/rarecare/geo/data/provinces.json`` from the ``vietnamadminunits`` package:
Vietnam's 34 provinces (from 1 July 2025) and the former 63, with codes, names and centroid
coordinates, and which former provinces each current one absorbed.

    .venv/bin/python scripts/build_provinces.py
"""

from __future__ import annotations

import json
import sqlite3
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/rarecare/geo/data/provinces.json"


def main() -> None:
    data_dir = resources.files("vietnamadminunits") / "data"
    db = sqlite3.connect(str(data_dir / "dataset.db"))
    units = dict(db.execute("SELECT provinceCode, COUNT(*) FROM admin_units GROUP BY provinceCode"))
    current = [
        {
            "code": code,
            "name": name,
            "short": short,
            "key": key,
            "lat": lat,
            "lon": lon,
            "units": units[code],
        }
        for code, name, short, key, lat, lon in db.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceLat,"
            " provinceLon FROM admin_units ORDER BY provinceCode"
        )
    ]
    legacy = [
        {"code": code, "name": name, "short": short, "key": key, "lat": lat, "lon": lon}
        for code, name, short, key, lat, lon in db.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, provinceLat,"
            " provinceLon FROM admin_units_legacy ORDER BY provinceCode"
        )
    ]
    converter = json.loads((data_dir / "converter_2025.json").read_text())["DICT_PROVINCE"]
    legacy_by_key = {p["key"]: p["code"] for p in legacy}
    current_by_key = {p["key"]: p for p in current}
    for key, former_keys in converter.items():
        current_by_key[key]["former"] = sorted(legacy_by_key[k] for k in former_keys)
    successor = {code: p["code"] for p in current for code in p["former"]}
    for p in legacy:
        p["successor"] = successor[p["code"]]
    for p in current + legacy:
        del p["key"]
    if (len(current), len(legacy)) != (34, 63):
        raise SystemExit(f"expected 34 and 63 provinces, got {len(current)} and {len(legacy)}")
    payload = {
        "source": "vietnamadminunits 1.0.4 (dataset.db, converter_2025.json)",
        "effective": "2025-07-01",
        "provinces": current,
        "former_provinces": legacy,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT} ({len(current)} provinces, {len(legacy)} former provinces)")


if __name__ == "__main__":
    main()
