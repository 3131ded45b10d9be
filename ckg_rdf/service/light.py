"""Proven-light work answered in the server process, at engine speed.

pyoxigraph cannot stop a query, so the service runs queries in killable worker
processes (:mod:`ckg_rdf.service.pool`). That safety costs a process hop per
request: pickling, two pipes, two wake-ups, a second serialisation, which is
most of the price of a 10-row SELECT. But the cost of a read-only query is a
property of its text and of the snapshot it runs on: the same query on the same
store does the same work. So a task that a worker has already run quickly on
the snapshot being served is *proven light*, and runs again in the server
process itself (in a thread; pyoxigraph releases the GIL while it evaluates),
with no hop and nothing that could run away:

* :class:`LightMemo` remembers which tasks proved light on the current
  generation (a bounded LRU; cleared when a new build is swapped in). A task
  is eligible only when its cost cannot change between runs: never a
  federated query (``SERVICE``: the remote side decides its cost), never one
  with ``RAND()`` (a random filter changes how much is scanned), never an
  update. Everything else is keyed by its whole value (query text, dataset,
  format).
* :class:`InProcessRunner` holds a read-only store opened at the same moment
  as the workers of a generation (so both answer from one snapshot) and a
  small thread pool, and runs a task through the same :func:`tasks.run` the
  workers run: the policy, the row cap and the formats are the same code.
  A task that took under ``INLINE_S`` runs on the event loop itself (a
  thread hand-off would cost more than the task).

A new task, or one that ran longer than ``light_s`` last time, goes to a worker
as before (timeouts, cancellation, heavy-query limits all apply there).

One kind of task is light by construction and runs in process from the first
request: dereferencing (:class:`DescribeTask`, and a page task that only
describes). The description is index lookups bounded by the resource's own
out-degree and at most
:data:`~ckg_rdf.store.describe.MAX_INCOMING` incoming links
(:mod:`ckg_rdf.store.describe`), never a query a client wrote, so a crawler
walking a million distinct IRIs does not pay a worker hop for each.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ckg_rdf.service.tasks import DescribeTask, Limits, PageTask, QueryTask, run
from ckg_rdf.sparql_text import unescape_codepoints

#: a task whose worker run took less than this (wall seconds) is proven light
LIGHT_S = 0.05
#: a proven-light task that took less than this runs on the event loop itself: handing it
#: to a thread (a queue, a wake-up, the GIL passed back and forth) would cost more
INLINE_S = 0.002
#: tasks remembered per generation
MEMO_SIZE = 20_000
#: words whose presence makes a query's cost vary between runs (or depend on another server)
_VOLATILE = re.compile(r"service|rand\s*\(", re.IGNORECASE)


def memo_key(task: object) -> Hashable | None:
    """The key a task is remembered by, or None if it may never run in process."""
    if isinstance(task, QueryTask):
        if task.preview or _VOLATILE.search(unescape_codepoints(task.query)):
            return None
        return task
    if isinstance(task, DescribeTask | PageTask):
        return task
    return None


#: the cost assumed for a task that is light by construction (run in a thread)
BOUNDED_S = 0.005


def bounded(task: object) -> bool:
    """Whether ``task``'s cost is bounded by construction (see the module docstring): a
    description, or a page task that is only a description (a hub page whose rows are
    kept, :mod:`ckg_rdf.service.hubs`)."""
    return isinstance(task, DescribeTask) or (isinstance(task, PageTask) and not task.selects)


class LightMemo:
    """What a worker measured for each task on the snapshot now served (seconds)."""

    def __init__(self, light_s: float = LIGHT_S, size: int = MEMO_SIZE) -> None:
        self.light_s = light_s
        self.size = size
        self._seconds: OrderedDict[Hashable, float] = OrderedDict()
        self.hits = 0

    def light_cost(self, key: Hashable | None) -> float | None:
        """The seconds ``key``'s task took if it proved light (a hit, kept fresh), else None."""
        if key is None:
            return None
        seconds = self._seconds.get(key)
        if seconds is None or seconds >= self.light_s:
            return None
        self._seconds.move_to_end(key)
        self.hits += 1
        return seconds

    def knows_light(self, key: Hashable | None) -> bool:
        """Whether ``key``'s task proved light, asked ahead of running (no hit counted)."""
        seconds = self._seconds.get(key) if key is not None else None
        return seconds is not None and seconds < self.light_s

    def record(self, key: Hashable | None, seconds: float) -> None:
        """What a worker measured for ``key``'s task on the current snapshot."""
        if key is None:
            return
        self._seconds[key] = seconds
        self._seconds.move_to_end(key)
        while len(self._seconds) > self.size:
            self._seconds.popitem(last=False)

    def clear(self) -> None:
        self._seconds.clear()


class InProcessRunner:
    """A read-only store in this process and threads to query it (one per generation)."""

    def __init__(self, directory: Path, limits: Limits, threads: int) -> None:
        from ckg_rdf.store.embedded import EmbeddedStore

        self.store: Any = EmbeddedStore(directory, read_only=True)
        self.limits = limits
        self._threads = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="light")

    async def run(self, task: object, cost_s: float) -> tuple[object, float]:
        """Run ``task``, which took ``cost_s`` last time: on the event loop itself when that
        is less than a thread hand-off is worth (INLINE_S), else in a thread. Returns the
        result and the seconds the task itself took (not its wait for a thread), so that a
        task whose first, cold run was slow moves onto the loop once it proves quick."""
        if cost_s < INLINE_S:
            return self._timed(task)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._timed, task)

    def _timed(self, task: object) -> tuple[object, float]:
        started = time.perf_counter()
        result = run(self.store, task, self.limits)
        return result, time.perf_counter() - started

    def close(self) -> None:
        """Stop taking work; tasks already running finish on their own (they are light)."""
        self._threads.shutdown(wait=False)
