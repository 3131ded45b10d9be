"""A query worker process: opens the store, then runs one task at a time.

Started by :class:`ckg_rdf.service.pool.WorkerPool` as
``python -m ckg_rdf.service.worker FD SPEC_JSON`` (a plain subprocess rather
than multiprocessing's spawn, which re-imports the parent's ``__main__``).
Kept free of web imports so a replacement worker starts fast.

A worker never outlives its server and never runs a task without a limit:

* it asks the kernel to kill it when the server dies (``PR_SET_PDEATHSIG``),
  and a watchdog thread exits when its parent changes (other platforms, or
  a parent that died before the request took effect);
* before each task it lowers its CPU-time limit (``RLIMIT_CPU``) to what the
  task may use plus a grace, so the kernel stops a runaway query even if the
  server is gone or hung; the limit is lifted again after the task.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

PR_SET_PDEATHSIG = 1
#: CPU seconds a task may use beyond its wall-clock timeout before the kernel stops it
CPU_GRACE_S = 5.0


def die_with_parent(parent: int) -> None:
    """Exit when ``parent`` is gone: a kernel signal where Linux offers one, and a watchdog."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def limit_cpu(seconds: float | None) -> None:
    """Let this process use at most ``seconds`` more CPU time (None: no limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        soft = hard
    else:
        soft = int(_cpu_used() + seconds + CPU_GRACE_S) + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _worker_main(conn: Connection, spec: dict) -> None:
    """Open the store, then answer tasks until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    die_with_parent(int(spec["parent"]))
    from ckg_rdf.service.tasks import Failure, Limits, run
    from ckg_rdf.store.embedded import EmbeddedStore
    from ckg_rdf.store.interface import StoreError

    try:
        store = EmbeddedStore(
            Path(spec["directory"]),
            read_only=not spec.get("writable", False),
            holder_file=Path(spec["holder_file"]) if spec.get("holder_file") else None,
            holder="ckg serve --allow-update",
        )
    except (StoreError, OSError) as exc:
        conn.send(("fatal", str(exc)))
        return
    limits = Limits.from_dict(spec["limits"])
    conn.send(("ready", None))
    while True:
        try:
            task, timeout_s = conn.recv()
        except (EOFError, OSError):
            return
        limit_cpu(timeout_s)
        started = time.perf_counter()
        try:
            result = run(store, task, limits)
        except Exception as exc:  # a bug or an I/O error: report it, keep serving
            result = Failure("internal", f"{type(exc).__name__}: {exc}")
        finally:
            limit_cpu(None)
        try:
            # with the time it took: the pool learns which tasks are light (service.light)
            conn.send((result, time.perf_counter() - started))
        except (BrokenPipeError, OSError):
            return


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``FD SPEC_JSON`` from the command line."""
    fd, spec = argv or sys.argv[1:]
    _worker_main(Connection(int(fd)), json.loads(spec))


if __name__ == "__main__":
    main()
