"""Executors: where partitions are worked on.

The driver plans and writes; an executor only computes ``fn(job)`` for each
job and hands the results back **in the order the jobs came**, so a build
writes the same graph whichever executor ran it. Jobs are pulled lazily and
only a few are in flight at once, so memory stays bounded on any corpus.

* ``local`` runs each job in this process: no start-up cost, the default
  for small corpora and the reference the others are tested against.
* ``dask`` runs them on a Dask distributed cluster: a ``LocalCluster`` with
  one single-threaded worker process per core by default, or the cluster at
  ``--scheduler tcp://HOST:PORT``. Each worker sets up heavy resources (the
  concept automaton, a text model) once and keeps them for every job.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ckg_rdf.config import ExecutorSettings
from ckg_rdf.errors import CkgError
from ckg_rdf.registry import Registry

J = TypeVar("J")
R = TypeVar("R")


class ExecutorError(CkgError):
    """The executor cannot run (no cluster at the address, a worker died, ...)."""


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[[J], R], jobs: Iterable[J]) -> Iterator[R]:
        """``fn(job)`` for every job, results in job order."""
        ...

    def describe(self) -> str:
        """Where the work runs, for the build summary."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalExecutor:
    """Runs every job in this process, one at a time."""

    name = "local"

    def __init__(self, settings: ExecutorSettings | None = None) -> None:
        self.settings = settings or ExecutorSettings()

    def map(self, fn: Callable[[J], R], jobs: Iterable[J]) -> Iterator[R]:
        for job in jobs:
            yield fn(job)

    def describe(self) -> str:
        return "local (this process)"

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


#: Dask settings for the workers of a build (a local cluster passes them on to its workers)
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class DaskExecutor:
    """Runs jobs on a Dask distributed cluster, a few per worker in flight."""

    name = "dask"
    #: jobs in flight per worker: enough to hide the round trip, few enough to bound memory
    PER_WORKER = 2

    def __init__(self, settings: ExecutorSettings | None = None) -> None:
        self.settings = settings or ExecutorSettings()
        self._client: Any = None
        self._cluster: Any = None
        self._config: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ExecutorError(
                f"the dask executor needs dask[distributed] ({exc}): "
                "pip install 'dask[distributed]'"
            ) from None
        import dask

        # the per-worker profiler (every 10 ms), GIL sampling (every 1 ms) and fast memory
        # polling cost about a CPU-second per worker-minute: no use to a batch build
        self._config = dask.config.set(QUIET_WORKERS)
        self._config.__enter__()
        scheduler = self.settings.scheduler
        try:
            if scheduler:
                self._client = Client(scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(
                    n_workers=self.settings.workers or available_cores(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise ExecutorError(f"cannot reach {where}: {exc}") from None
        return self

    def workers(self) -> int:
        return max(len(self._client.scheduler_info().get("workers", {})), 1)

    def describe(self) -> str:
        where = self.settings.scheduler or "LocalCluster"
        return f"dask ({self.workers()} workers, {where})"

    def map(self, fn: Callable[[J], R], jobs: Iterable[J]) -> Iterator[R]:
        window: deque[Any] = deque()
        limit = self.PER_WORKER * self.workers()
        try:
            for job in jobs:
                window.append(self._client.submit(fn, job, pure=False))
                if len(window) >= limit:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        except CkgError:
            raise
        except Exception as exc:
            if type(exc).__name__ in {"KilledWorker", "CommClosedError", "FutureCancelledError"}:
                raise ExecutorError(
                    f"a Dask worker was lost ({type(exc).__name__}: {exc}); what was written is "
                    "kept: run the same command again to resume"
                ) from None
            raise
        finally:
            for future in window:
                future.cancel()

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._config is not None:
            self._config.__exit__(None, None, None)


#: ``EXECUTORS.create(name, settings=ExecutorSettings) -> Executor``
EXECUTORS: Registry[Executor] = Registry("executors", "executor")
EXECUTORS.register("local", "ckg_rdf.pipeline.executors:LocalExecutor", "in this process")
EXECUTORS.register(
    "dask", "ckg_rdf.pipeline.executors:DaskExecutor", "on a Dask cluster (local or --scheduler)"
)
