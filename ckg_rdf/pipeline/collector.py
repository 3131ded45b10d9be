"""The cyclic garbage collector, set for a build rather than for an interactive session.

CPython starts a collection every 700 new container objects and a full one
whenever the long-lived heap grew by a quarter. A build allocates tens of
millions of short-lived, acyclic containers (hits, mentions, rows) beside a
large long-lived heap (the concept vocabulary, caches), so with the defaults
the collector re-scans that heap again and again: measured on a 30k-paper
build with concepts, 52 of 264 CPU-seconds (20%) went to collections, 40 s of
it to 155 full ones, and the share grows with the corpus.

Two settings remove almost all of it (the same build: 5.8 s):

* :func:`freeze_resources` moves what is alive into the permanent generation
  once a worker has set up a heavy resource (``steps.shared``): the
  vocabulary is never scanned again.
* :data:`BUILD_THRESHOLDS` collects the young generation every 50,000
  allocations, so transient objects die before a collection sees them and
  are not promoted; the older generations then fill, and are scanned, rarely.

Reference cycles are still collected, only later; peak memory is measured in
``benchmarks/bench_scale.py``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: gc.set_threshold values for a process doing build work
BUILD_THRESHOLDS = (50_000, 20, 10)


def for_build_work() -> None:
    """Set this process's collector for build work (a worker keeps it for its life)."""
    gc.set_threshold(*BUILD_THRESHOLDS)


def freeze_resources() -> None:
    """Exempt everything alive now from future collections: call after loading a resource."""
    gc.freeze()


@contextmanager
def build_collector() -> Iterator[None]:
    """:func:`for_build_work` for the duration of a build, the caller's settings restored after."""
    before = gc.get_threshold()
    for_build_work()
    try:
        yield
    finally:
        gc.set_threshold(*before)
