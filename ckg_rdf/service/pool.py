"""A pool of worker processes that run queries, so a runaway query can be stopped.

pyoxigraph has no query timeout and no way to cancel a query, and a signal
only lands between result rows (an ORDER BY or aggregate runs to its end). The
only sure stop is killing the process running it. So every store access of the
service goes through here: each worker opens the store read-only, takes one
task at a time over a pipe, and is killed and replaced when its task runs past
the timeout. The event loop never blocks on a query: it waits on the pipe's
file descriptor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ckg_rdf.service.tasks import Failure

log = logging.getLogger("ckg_rdf.service")

STARTUP_TIMEOUT_S = 60.0


class PoolError(RuntimeError):
    """The workers could not open the store; the message says why."""


@dataclass(eq=False)  # identity-hashed: kept in a set
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


async def _readable(conn: Connection, timeout: float | None) -> None:
    """Wait until ``conn`` has data (or EOF) without blocking the event loop."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        loop.remove_reader(fd)


class QueryPool:
    """``size`` worker processes on the store at ``store_path``.

    With ``writable`` (SPARQL Update allowed) there is one worker, holding the
    store's write lock, so queries see every update; updates and queries then
    run one at a time.
    """

    def __init__(
        self,
        store_path: Path,
        *,
        size: int = 2,
        timeout_s: float = 30.0,
        max_rows: int = 100_000,
        writable: bool = False,
    ) -> None:
        self.store_path = store_path
        self.size = 1 if writable else max(1, size)
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.writable = writable
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False
        self.restarts = 0

    async def start(self) -> None:
        """Start every worker; raise :class:`PoolError` if the store cannot be opened."""
        workers = await asyncio.gather(
            *(self._spawn() for _ in range(self.size)), return_exceptions=True
        )
        errors = [w for w in workers if isinstance(w, BaseException)]
        if errors:
            await self.close()
            for w in workers:
                if isinstance(w, _Worker):
                    w.kill()
            raise PoolError(str(errors[0]))
        for w in workers:
            self._idle.put_nowait(w)  # type: ignore[arg-type]

    async def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ckg_rdf.service.worker",
                    str(theirs.fileno()),
                    str(self.store_path),
                    "1" if self.writable else "0",
                    str(self.max_rows),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        parent = Connection(ours.detach())
        worker = _Worker(process, parent)
        self._all.add(worker)
        try:
            await _readable(parent, STARTUP_TIMEOUT_S)
            status, detail = parent.recv()
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

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a fresh one in the background."""
        self._discard(worker)
        if self._closed:
            return
        self.restarts += 1

        async def respawn() -> None:
            try:
                self._idle.put_nowait(await self._spawn())
            except PoolError as exc:
                log.error("could not replace a query worker: %s", exc)

        task = asyncio.get_running_loop().create_task(respawn())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def run(self, task: object, timeout_s: float | None = None) -> object:
        """Run ``task`` in a worker; a :class:`Failure` if it times out or the pool is busy."""
        timeout = timeout_s or self.timeout_s
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return Failure(
                "busy", f"every query worker stayed busy for {timeout:g} s; try again later"
            )
        try:
            worker.conn.send(task)
            await _readable(worker.conn, timeout)
            result = worker.conn.recv()
        except TimeoutError:
            self._replace(worker)
            return Failure(
                "timeout",
                f"the query ran longer than {timeout:g} s, this server's limit, and was stopped; "
                "make it more selective or add LIMIT",
            )
        except (EOFError, OSError):
            self._replace(worker)
            return Failure("internal", "the query worker died while running the query")
        except BaseException:  # cancelled (shutdown, client gone): the worker's state is unknown
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return result

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._background):
            task.cancel()
        for worker in list(self._all):
            await asyncio.to_thread(worker.kill)
        self._all.clear()
