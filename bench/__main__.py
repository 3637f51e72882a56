"""``python -m bench``: runs every benchmark module in this package that defines ``main()``."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def main() -> None:
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("bench_"):
            loaded = importlib.import_module(f"bench.{module.name}")
            if hasattr(loaded, "main"):
                print(f"== {module.name}")
                loaded.main()


if __name__ == "__main__":
    main()
