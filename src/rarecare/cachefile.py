"""The one on-disk cache of objects that are slow to build and fast to unpickle (the knowledge
base, the diagnosis index): named by the caller after what it was built from, written
atomically, read with the garbage collector paused. A missing, stale or unreadable file only
costs a rebuild."""

from __future__ import annotations

import gc
import logging
import pickle
from pathlib import Path
from typing import TypeVar

from rarecare.gcpause import paused_gc

log = logging.getLogger("rarecare.cache")
T = TypeVar("T")


def read(path: Path | None, kind: type[T], *, freeze: bool = False) -> T | None:
    """The cached object of type ``kind``, or None. Loading creates millions of small
    long-lived objects: collecting garbage meanwhile would rescan them again and again, so the
    collector is paused; ``freeze`` then moves them to the permanent generation, where later
    collections skip them."""
    if path is None or not path.exists():
        return None
    with paused_gc():
        try:
            with path.open("rb") as fh:
                value = pickle.load(fh)  # noqa: S301 - our own cache file, written below
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            log.warning("ignoring an unreadable cache file %s", path)
            return None
        if not isinstance(value, kind):
            return None
        if freeze:
            gc.freeze()
        return value


def write(path: Path | None, value: object) -> None:
    """Store ``value`` (through a temporary file, so a reader never sees half of it)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:  # a read-only cache directory only costs start-up time
        log.warning("could not write the cache file %s: %s", path, exc)
