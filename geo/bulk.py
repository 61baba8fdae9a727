"""Bulk steps that allocate millions of small objects: Python's cyclic collector paused.

CPython's cyclic garbage collector runs after every few hundred new container objects and,
now and then, walks all of them. Reading, checking and writing a 500,000-row register makes
tens of millions of lists, tuples and dicts that live until the step ends, so the collector
kept walking a heap that only grew: 7 of the 12 s of reading a 500,000-row CSV, about 16 s
of an 86 s import that writes. Reference counting frees these objects as before; only the
search for reference cycles waits until the step is over.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (also usable as a decorator).

    Re-enabled on leaving only when it was enabled on entering, so nested or overlapping
    steps (dashboard sessions run in threads) never leave it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
