"""Pausing the cyclic garbage collector while building many small, long-lived, acyclic objects
(the knowledge cache, a bulk import): collections triggered by the allocations would rescan the
growing heap again and again for nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
