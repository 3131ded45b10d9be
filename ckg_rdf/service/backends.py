"""Query backends: where the service's store tasks run.

The routes depend on :class:`QueryBackend` only (a FastAPI dependency), and
the backend is chosen by the store's kind through :data:`QUERY_BACKENDS`:

* ``oxigraph`` (a data directory): :class:`WorkerBackend`, pools of killable
  worker processes on the embedded store, one lane for SPARQL and one for
  pages and dereferencing so the pages never wait behind heavy queries; a
  task that already proved light on the served snapshot runs in the server
  process instead (:mod:`ckg_rdf.service.light`). It watches the data
  directory and, when a new build finishes, opens a new generation of workers
  in every lane (and a new in-process store) and swaps them in together, so
  all requests see one snapshot.
* ``sparql`` (a URL): :class:`RemoteBackend`, the same tasks run in threads
  against the remote SPARQL server (which does the heavy lifting; an HTTP
  timeout bounds each call).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from ckg_rdf.datadir import DataDir
from ckg_rdf.registry import Registry
from ckg_rdf.service.light import BOUNDED_S, InProcessRunner, LightMemo, bounded, memo_key
from ckg_rdf.service.pool import HEAVY_NICE, WorkerPool
from ckg_rdf.service.settings import ServiceSettings
from ckg_rdf.service.tasks import Failure, Limits, run
from ckg_rdf.store import GraphWriter

log = logging.getLogger("ckg_rdf.service")

#: lanes: user SPARQL, the service's own page and dereferencing tasks, and its background
#: work (one niced worker of its own: long, never in a request's way)
SPARQL, PAGES, BACKGROUND = "sparql", "pages", "background"


class QueryBackend(Protocol):
    #: the id of the build being served (changes when a new build is swapped in)
    build_id: str | None

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def run(
        self,
        task: object,
        *,
        lane: str = SPARQL,
        timeout_s: float | None = None,
        cancel: asyncio.Future[Any] | None = None,
        client: str = "",
        heavy_ok: bool = False,
    ) -> object:
        """Run a task of :mod:`ckg_rdf.service.tasks`; a ``Failure`` when it cannot.

        ``cancel``: a future that completes when the client has gone away.
        """
        ...

    def proven_light(self, task: object) -> bool:
        """Whether ``task`` will run without a worker hop (no need to watch the client)."""
        ...


class WorkerBackend:
    """Killable worker processes on the embedded store, one pool per lane."""

    def __init__(self, settings: ServiceSettings, data: DataDir, limits: Limits) -> None:
        self.settings = settings
        self.data = data
        self.build_id = data.build_id()
        writable = settings.allow_update
        spec: dict[str, Any] = {
            "directory": str(data.oxigraph),
            "writable": writable,
            "holder_file": str(data.writer_file) if writable else None,
            "limits": limits.to_dict(),
        }
        common = {
            "timeout_s": settings.timeout_s,
            "heavy_after_s": settings.heavy_after_s,
            "max_heavy": settings.max_heavy or settings.workers,
            "max_heavy_per_client": settings.max_heavy_per_client,
        }
        self.limits = limits
        if writable:
            # one process holds the write lock: every task shares it, and a long task
            # cannot be moved aside (a second writer could not open the store)
            common["heavy_after_s"] = float("inf")
            only = WorkerPool(spec, name="all", size=1, **common)
            self.pools = {SPARQL: only, PAGES: only, BACKGROUND: only}
        else:
            background = {
                **common,
                "timeout_s": settings.stats_timeout_s,
                "heavy_after_s": float("inf"),  # it is all long: nothing to move aside
            }
            self.pools = {
                SPARQL: WorkerPool(spec, name=SPARQL, size=settings.workers, aside=True, **common),
                PAGES: WorkerPool(spec, name=PAGES, size=settings.page_workers, **common),
                BACKGROUND: WorkerPool(
                    spec, name=BACKGROUND, size=1, nice=HEAVY_NICE, **background
                ),
            }
        #: proven-light tasks run here (never on a writable store: its worker holds the lock)
        self.memo = LightMemo(settings.light_s)
        self.in_process: InProcessRunner | None = None
        self._watch: asyncio.Task[None] | None = None

    def _open_in_process(self) -> InProcessRunner | None:
        if self.settings.allow_update or self.settings.light_s <= 0:
            return None
        return InProcessRunner(self.data.oxigraph, self.limits, self.settings.workers)

    def _distinct_pools(self) -> list[WorkerPool]:
        return list({id(p): p for p in self.pools.values()}.values())

    async def start(self) -> None:
        pools = self._distinct_pools()
        try:
            for pool in pools:
                await pool.start()
            self.in_process = await asyncio.to_thread(self._open_in_process)
        except BaseException:
            for pool in pools:
                await pool.close()
            raise
        if not self.settings.allow_update and self.settings.reload_check_s > 0:
            self._watch = asyncio.get_running_loop().create_task(self._watch_builds())

    async def _watch_builds(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reload_check_s)
            current = self.data.build_id()
            if current is None or current == self.build_id:
                continue
            try:
                await self.swap(current)
            except Exception:  # keep serving the old snapshot; try again next time
                log.exception("could not open the new build %s", current)

    async def swap(self, build_id: str | None) -> None:
        """Open the store again in every lane and switch all of them together."""
        pools = self._distinct_pools()
        fresh = [await pool.prepare() for pool in pools]
        in_process = await asyncio.to_thread(self._open_in_process)
        for pool, workers in zip(pools, fresh, strict=True):  # no await: one atomic switch
            pool.install(workers)
        old, self.in_process = self.in_process, in_process
        self.memo.clear()  # what was light on the old snapshot is unproven on this one
        if old is not None:
            old.close()
        self.build_id = build_id
        log.info("now serving build %s", build_id)

    async def run(
        self,
        task: object,
        *,
        lane: str = SPARQL,
        timeout_s: float | None = None,
        cancel: asyncio.Future[Any] | None = None,
        client: str = "",
        heavy_ok: bool = False,
    ) -> object:
        key = memo_key(task)
        runner = self.in_process
        generation = self.build_id
        if runner is not None:
            cost = self.memo.light_cost(key)
            if cost is None and bounded(task):
                cost = BOUNDED_S
            if cost is not None:
                result, seconds = await runner.run(task, cost)
                if self.build_id == generation:
                    self.memo.record(key, seconds)
                return result

        def observe(seconds: float) -> None:
            if self.build_id == generation:  # not measured on a snapshot swapped out since
                self.memo.record(key, seconds)

        return await self.pools[lane].run(
            task,
            timeout_s=timeout_s,
            cancel=cancel,
            client=client,
            heavy_ok=heavy_ok,
            observe=observe if key is not None else None,
        )

    def proven_light(self, task: object) -> bool:
        return self.in_process is not None and (
            bounded(task) or self.memo.knows_light(memo_key(task))
        )

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        for pool in self._distinct_pools():
            await pool.close()
        if self.in_process is not None:
            self.in_process.close()


class RemoteBackend:
    """The same tasks against a remote SPARQL server, each in a thread."""

    def __init__(self, settings: ServiceSettings, data: DataDir, limits: Limits) -> None:
        self.settings = settings
        self.data = data
        self.limits = limits
        self.build_id = data.build_id()
        self.store: GraphWriter | None = None
        self._slots = asyncio.Semaphore(max(4, settings.workers * 4))

    async def start(self) -> None:
        recorded = self.data.recorded_config()
        prefix = recorded.base_iri + "graph/" if recorded else None
        self.store = self.data.open_store(
            self.settings.store_settings(), write=self.settings.allow_update, graph_prefix=prefix
        )
        await asyncio.to_thread(self.store.graphs)  # fail now if the server is unreachable

    async def run(
        self,
        task: object,
        *,
        lane: str = SPARQL,
        timeout_s: float | None = None,
        cancel: asyncio.Future[Any] | None = None,
        client: str = "",
        heavy_ok: bool = False,
    ) -> object:
        assert self.store is not None
        timeout = timeout_s or self.settings.timeout_s
        async with self._slots:
            try:
                return await asyncio.wait_for(
                    asyncio.to_thread(run, self.store, task, self.limits), timeout
                )
            except TimeoutError:
                return Failure(
                    "timeout",
                    f"the SPARQL store did not answer within {timeout:g} s, this server's limit",
                )
            except Exception as exc:  # the store's error says which endpoint and status
                return Failure("unavailable", str(exc))

    def proven_light(self, task: object) -> bool:
        return False  # every task is a request to the remote server, watched alike

    async def close(self) -> None:
        if self.store is not None:
            await asyncio.to_thread(self.store.close)


#: query backends by store backend name (see ``ckg_rdf.store.STORES``)
QUERY_BACKENDS: Registry[QueryBackend] = Registry("query_backends", "query backend")
QUERY_BACKENDS.register(
    "oxigraph", "ckg_rdf.service.backends:WorkerBackend", "killable workers on the embedded store"
)
QUERY_BACKENDS.register(
    "sparql", "ckg_rdf.service.backends:RemoteBackend", "a remote SPARQL 1.1 server"
)
