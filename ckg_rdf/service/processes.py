"""Several HTTP server processes on one port, each with its own listening socket.

Why not uvicorn's ``--workers``: its processes share one listening socket, and whichever
wakes first accepts every connection waiting, so a client's few keep-alive connections
(a notebook, a load generator, a proxy's pool) often all land on one process and the
others idle (measured: 2.9k-5.4k requests/s from run to run for the same 8 connections).
Here each process binds its own socket with ``SO_REUSEPORT`` and the kernel spreads new
connections over them by address hash.

The supervisor restarts a process that dies, and stops them all on SIGINT or SIGTERM;
each process exits by itself if the supervisor is killed (:func:`die_with_parent` in
:func:`ckg_rdf.service.app.app_from_environment`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess

from ckg_rdf.service.app import SETTINGS_ENV
from ckg_rdf.service.settings import ServiceSettings

#: how often the supervisor looks for a process that died (seconds)
POLL_S = 0.5
#: how long a stopping process gets before it is killed (seconds)
STOP_GRACE_S = 10.0
#: a process that dies sooner than this after its start, CRASH_LOOP times in a row, is a
#: crash loop: the supervisor gives up rather than restart it forever
MIN_LIFE_S = 5.0
CRASH_LOOP = 3


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` that other processes may bind as well."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _one_process(host: str, port: int) -> None:
    """One server process: its own socket, the app built from the settings handed down."""
    import uvicorn

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor says when to stop
    sock = reuse_port_socket(host, port)
    config = uvicorn.Config(
        "ckg_rdf.service.app:app_from_environment",
        factory=True,
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(settings: ServiceSettings, host: str, port: int, processes: int) -> int:
    """Run ``processes`` server processes on ``host:port`` until SIGINT or SIGTERM.

    Returns 0 after a requested stop, 1 if a process kept dying right after its start.
    """
    os.environ[SETTINGS_ENV] = settings.to_environment()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}

    def start() -> tuple[BaseProcess, float]:
        proc = context.Process(target=_one_process, args=(host, port), name="ckg-serve")
        proc.start()
        return proc, time.monotonic()

    running = [start() for _ in range(processes)]
    quick_deaths = [0] * processes
    status = 0
    try:
        while not stopping:
            time.sleep(POLL_S)
            for i, (proc, started) in enumerate(running):
                if proc.is_alive() or stopping:
                    continue
                quick = time.monotonic() - started < MIN_LIFE_S
                quick_deaths[i] = quick_deaths[i] + 1 if quick else 0
                if quick_deaths[i] >= CRASH_LOOP:
                    status = 1
                    stopping = True
                    break
                running[i] = start()
    finally:
        for proc, _ in running:
            if proc.is_alive():
                proc.terminate()  # uvicorn stops gracefully on SIGTERM
        deadline = time.monotonic() + STOP_GRACE_S
        for proc, _ in running:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status
