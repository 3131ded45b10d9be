"""Pools of worker processes that run store tasks, so no query can take the service down.

pyoxigraph has no query timeout and no way to cancel a query, and a signal
only lands between result rows. The only sure stop is killing the process
running it. So every embedded-store access of the service that has not
proved light (:mod:`ckg_rdf.service.light`) runs in a worker process
(:mod:`ckg_rdf.service.worker`) and the pool:

* **kills** a worker whose task runs past its timeout, or whose client went
  away (the route cancels the task), and starts a replacement in the
  background; the event loop only ever waits on a pipe;
* **moves heavy queries aside**: a task still running after
  ``heavy_after_s`` is marked heavy, its process is reniced (so light queries
  win the CPU), a replacement worker is started at once (so light capacity
  stays at ``size``), and the heavy worker is retired when it finishes. At
  most ``max_heavy`` heavy tasks run at once, and at most
  ``max_heavy_per_client`` per client; a task that would exceed either is
  stopped *when it turns heavy* with 503/429 and a message that says why.
  Only heavy work is capped: a client's light queries are answered while its
  heavy query runs and after it, and a neighbour behind the same address is
  never refused light work;
* **keeps abusers off the light workers**: a client that hung up on a
  running query, or whose query timed out, is *suspect* for ``SUSPECT_S``:
  its queries run in the pool's *aside* lane (niced workers of their own), so
  cycling heavy queries and hang-ups never holds a light worker nor makes
  the light workers restart, and they are still answered;
* **serves one snapshot**: all workers of a pool open the store at the same
  moment (a *generation*); :meth:`WorkerPool.prepare` starts a whole new
  generation and :meth:`WorkerPool.install` swaps it in at once, so a new
  build is never mixed with the old one.

Every answer comes with the seconds the worker spent on it, handed to the
caller's ``observe`` (how tasks prove light).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ckg_rdf.errors import CkgError
from ckg_rdf.service.tasks import Failure

log = logging.getLogger("ckg_rdf.service")

STARTUP_TIMEOUT_S = 60.0
#: niceness of a worker running a heavy task (light queries get the CPU first)
HEAVY_NICE = 10
#: how long a client whose query timed out or was abandoned mid-run stays suspect: its
#: queries then run in the aside lane at HEAVY_NICE, never on a light worker
SUSPECT_S = 60.0
#: a query its client abandons after running this long makes the client suspect (a quick
#: cancel, as when a reader clicks on, does not)
ABANDONED_AFTER_S = 0.25


class PoolError(CkgError):
    """The workers could not open the store; the message says why."""


@dataclass(eq=False)  # identity-hashed: kept in sets
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    generation: int
    heavy: bool = False

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()


def _settle(future: asyncio.Future[str], state: str) -> None:
    if not future.done():
        future.set_result(state)


async def _wait_readable(
    conn: Connection, timeout: float | None, cancel: asyncio.Future[Any] | None
) -> str:
    """Wait for data on ``conn``: "ready", "timeout" or "cancelled" (never blocks the loop).

    One future, a reader callback and a timer: no task is created per wait, since this
    runs on every request.
    """
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[str] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _settle, outcome, "ready")
    timer = loop.call_later(timeout, _settle, outcome, "timeout") if timeout is not None else None

    def cancelled(_: object) -> None:
        _settle(outcome, "cancelled")

    if cancel is not None:
        if cancel.done():
            _settle(outcome, "cancelled")
        else:
            cancel.add_done_callback(cancelled)
    try:
        return await outcome
    finally:
        loop.remove_reader(fd)
        # uvloop's add_reader leaves the socket non-blocking: the pipe's reads and writes of
        # a long message would then fail half-way with EAGAIN
        os.set_blocking(fd, True)
        if timer is not None:
            timer.cancel()
        if cancel is not None:
            cancel.remove_done_callback(cancelled)


class WorkerPool:
    """``size`` worker processes on one store, for one lane of work (queries, or pages)."""

    def __init__(
        self,
        spec: dict[str, Any],
        *,
        name: str = "queries",
        size: int = 2,
        timeout_s: float = 30.0,
        heavy_after_s: float = 1.0,
        max_heavy: int = 2,
        max_heavy_per_client: int = 1,
        nice: int = 0,
        aside: bool = False,
        heavy_by_client: Counter[str] | None = None,
        suspects: dict[str, float] | None = None,
    ) -> None:
        self.spec = spec
        self.name = name
        self.size = max(1, size)
        self.timeout_s = timeout_s
        self.heavy_after_s = heavy_after_s
        self.max_heavy = max(1, max_heavy)
        self.max_heavy_per_client = max(1, max_heavy_per_client)
        #: niceness of every worker of this pool (the aside lane runs at HEAVY_NICE)
        self.nice = nice
        self.generation = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._background: set[asyncio.Task[None]] = set()
        #: heavy tasks per client, shared with the aside lane (the limits are the server's)
        self._heavy_by_client: Counter[str] = (
            heavy_by_client if heavy_by_client is not None else Counter()
        )
        #: client -> until when (loop time) its queries skip the light workers
        self._suspects: dict[str, float] = suspects if suspects is not None else {}
        self._closed = False
        self.restarts = 0
        #: the lane of suspect clients: one niced worker, sharing this pool's limits
        self.aside: WorkerPool | None = None
        if aside:
            self.aside = WorkerPool(
                spec,
                name=f"{name}-aside",
                size=1,
                timeout_s=timeout_s,
                heavy_after_s=heavy_after_s,
                max_heavy=max_heavy,
                max_heavy_per_client=max_heavy_per_client,
                nice=HEAVY_NICE,
                heavy_by_client=self._heavy_by_client,
                suspects=self._suspects,
            )

    @property
    def heavy(self) -> int:
        return sum(self._heavy_by_client.values())

    def pids(self) -> list[int]:
        mine = [w.process.pid for w in self._all if w.process.poll() is None]
        return mine + (self.aside.pids() if self.aside is not None else [])

    # -- life cycle -----------------------------------------------------------
    async def start(self) -> None:
        """Start every worker; raise :class:`PoolError` if the store cannot be opened."""
        self.install(await self.prepare())

    async def prepare(self) -> list[_Worker]:
        """Start a whole new generation of workers (not yet serving), the aside lane's too."""
        generation = self.generation + 1
        count = self.size + (self.aside.size if self.aside is not None else 0)
        workers = await asyncio.gather(
            *(self._spawn(generation) for _ in range(count)), return_exceptions=True
        )
        errors = [w for w in workers if isinstance(w, BaseException)]
        if errors:
            for w in workers:
                if isinstance(w, _Worker):
                    self._discard(w)
            raise PoolError(str(errors[0]))
        return list(workers)  # type: ignore[arg-type]

    def install(self, workers: list[_Worker]) -> None:
        """Serve from ``workers`` from now on; idle workers of older generations stop now,
        busy ones when their task ends."""
        if self.aside is not None:
            aside, workers = workers[self.size :], workers[: self.size]
            for w in aside:  # spawned by this pool: the aside lane owns them from now on
                self._all.discard(w)
                self.aside._all.add(w)
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, w.process.pid, HEAVY_NICE)
            self.aside.install(aside)
        if workers:
            self.generation = workers[0].generation
        while not self._idle.empty():
            self._discard(self._idle.get_nowait())
        for w in workers:
            self._idle.put_nowait(w)

    async def _spawn(self, generation: int, *, nice: int | None = None) -> _Worker:
        nice = self.nice if nice is None else nice
        ours, theirs = socket.socketpair()
        spec = dict(self.spec, parent=os.getpid())
        try:
            process = subprocess.Popen(  # noqa: PLW1509 - os.nice only, before exec
                [
                    sys.executable,
                    "-m",
                    "ckg_rdf.service.worker",
                    str(theirs.fileno()),
                    json.dumps(spec),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                preexec_fn=(lambda: os.nice(nice)) if nice else None,
            )
        finally:
            theirs.close()
        worker = _Worker(process, Connection(ours.detach()), generation)
        self._all.add(worker)
        try:
            state = await _wait_readable(worker.conn, STARTUP_TIMEOUT_S, None)
            if state != "ready":
                raise TimeoutError("no answer")
            status, detail = worker.conn.recv()
        except (TimeoutError, EOFError, OSError) as exc:
            self._discard(worker)
            raise PoolError(f"a query worker did not start: {exc or type(exc).__name__}") from None
        if status != "ready":
            self._discard(worker)
            raise PoolError(detail)
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()
        self._reap(worker)

    def _reap(self, worker: _Worker) -> None:
        """Collect the exit status off the event loop (no zombies, no blocking)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=5)
            return
        task = loop.create_task(asyncio.to_thread(_wait_quietly, worker.process))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _respawn(self) -> None:
        """Start a worker of the current generation in the background."""
        if self._closed:
            return
        self.restarts += 1
        generation = self.generation

        async def respawn() -> None:
            try:
                worker = await self._spawn(generation)
            except PoolError as exc:
                log.error("could not replace a query worker: %s", exc)
                return
            if worker.generation == self.generation and not self._closed:
                self._idle.put_nowait(worker)
            else:
                self._discard(worker)

        task = asyncio.get_running_loop().create_task(respawn())
        self._background.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self._background.discard)  # type: ignore[arg-type]

    def _release(self, worker: _Worker) -> None:
        """Back to the idle queue, or retired (heavy, or of an older generation)."""
        if worker.heavy or worker.generation != self.generation or self._closed:
            self._discard(worker)
            if not worker.heavy and not self._closed and worker.generation == self.generation:
                self._respawn()
        else:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` (its task was stopped) and keep capacity: a heavy worker's
        replacement was started when it turned heavy."""
        self._discard(worker)
        if not worker.heavy:
            self._respawn()

    # -- running --------------------------------------------------------------
    def suspect(self, client: str) -> bool:
        """Whether ``client``'s queries run aside now (it hung up on or timed out a query)."""
        if not client:
            return False
        until = self._suspects.get(client)
        return until is not None and until > asyncio.get_running_loop().time()

    async def run(
        self,
        task: object,
        *,
        timeout_s: float | None = None,
        cancel: asyncio.Future[Any] | None = None,
        client: str = "",
        heavy_ok: bool = False,
        observe: Callable[[float], None] | None = None,
    ) -> object:
        """Run ``task`` in a worker; a :class:`Failure` if it is stopped or the pool is busy.

        ``cancel`` done (the client went away) stops the task at once. ``heavy_ok``
        exempts the service's own long tasks (counting, index loading) from the
        heavy-query limits. ``observe`` gets the seconds the worker spent on an answer.
        """
        timeout = timeout_s or self.timeout_s
        if self.aside is not None and not heavy_ok and self.suspect(client):
            # never a light worker: a client cycling heavy queries and hang-ups would hold
            # one for heavy_after_s each time, and make it restart when it hangs up
            return await self.aside.run(
                task, timeout_s=timeout, cancel=cancel, client=client, observe=observe
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        started = loop.time()
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return Failure(
                "busy", f"every query worker stayed busy for {timeout:g} s; try again later"
            )
        heavy_client: str | None = None
        try:
            worker.conn.send((task, timeout))
            first = min(self.heavy_after_s, timeout)
            state = await _wait_readable(worker.conn, first, cancel)
            if state == "timeout" and first < timeout:
                refusal = self._turn_heavy(worker, client, heavy_ok)
                if refusal is not None:
                    self._replace(worker)
                    return refusal
                heavy_client = client if not heavy_ok else None
                state = await _wait_readable(worker.conn, max(0.0, deadline - loop.time()), cancel)
            if state == "timeout":
                self._suspect(client, heavy_ok)
                self._replace(worker)
                return _timed_out(timeout)
            if state == "cancelled":
                if loop.time() - started >= ABANDONED_AFTER_S:
                    self._suspect(client, heavy_ok)
                self._replace(worker)
                return Failure("bad_request", "the client closed the connection")
            result, seconds = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            return Failure("internal", "the query worker died while running the query")
        except BaseException:  # cancelled (shutdown): the worker's state is unknown
            self._replace(worker)
            raise
        finally:
            if heavy_client is not None:
                self._heavy_by_client[heavy_client] -= 1
                if self._heavy_by_client[heavy_client] <= 0:
                    del self._heavy_by_client[heavy_client]
        self._release(worker)
        if observe is not None:
            observe(seconds)
        return result

    def _suspect(self, client: str, exempt: bool) -> None:
        if client and not exempt:
            self._suspects[client] = asyncio.get_running_loop().time() + SUSPECT_S
            if len(self._suspects) > 10_000:  # forget the expired ones
                now = asyncio.get_running_loop().time()
                expired = [c for c, t in self._suspects.items() if t <= now]
                for c in expired:  # in place: the aside lane shares this dict
                    del self._suspects[c]

    def _heavy_refusal(self, client: str) -> Failure | None:
        if self._heavy_by_client[client] >= self.max_heavy_per_client:
            return Failure(
                "too_many_requests",
                f"you already have {self._heavy_by_client[client]} long-running "
                f"quer{'y' if self._heavy_by_client[client] == 1 else 'ies'} on this "
                "server; wait for it to finish (or make this one more selective)",
            )
        if self.heavy >= self.max_heavy:
            return Failure(
                "busy",
                f"this server is running {self.heavy} long-running queries, its limit; "
                "try again in a moment (or make the query more selective)",
            )
        return None

    def _turn_heavy(self, worker: _Worker, client: str, exempt: bool) -> Failure | None:
        """Mark a long-running task heavy: renice it and keep light capacity; or refuse it."""
        if not exempt:
            refusal = self._heavy_refusal(client)
            if refusal is not None:
                return refusal
            self._heavy_by_client[client] += 1
        worker.heavy = True
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, HEAVY_NICE)
        self._respawn()
        return None

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        if self.aside is not None:
            await self.aside.close()
        for task in list(self._background):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        for worker in list(self._all):
            await asyncio.to_thread(_wait_quietly, worker.process)
        self._all.clear()


def _timed_out(timeout: float) -> Failure:
    return Failure(
        "timeout",
        f"the query ran longer than {timeout:g} s, this server's limit, and was "
        "stopped; make it more selective or add LIMIT",
    )


def _wait_quietly(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
