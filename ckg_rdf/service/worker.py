"""A query worker process: opens the store, then runs one task at a time.

Started by :class:`ckg_rdf.service.pool.QueryPool` as
``python -m ckg_rdf.service.worker FD STORE WRITABLE MAX_ROWS`` (a plain
subprocess rather than multiprocessing's spawn, which re-imports the parent's
``__main__``, i.e. any script or REPL that starts a server, in the child).
Kept free of web imports so a replacement worker starts fast.
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from ckg_rdf.service.tasks import Failure


def _worker_main(conn: Connection, store_path: str, writable: bool, max_rows: int) -> None:
    """Body of a worker process: open the store, then answer tasks until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    from ckg_rdf.service.tasks import run
    from ckg_rdf.store import OxigraphStore, StoreError

    try:
        store = OxigraphStore(Path(store_path), read_only=not writable).raw
    except (StoreError, OSError) as exc:
        conn.send(("fatal", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = run(store, task, max_rows)
        except Exception as exc:  # a bug or an I/O error: report it, keep serving
            result = Failure("internal", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``FD STORE WRITABLE MAX_ROWS`` from the command line."""
    fd, store_path, writable, max_rows = argv or sys.argv[1:]
    _worker_main(Connection(int(fd)), store_path, writable == "1", int(max_rows))


if __name__ == "__main__":
    main()
