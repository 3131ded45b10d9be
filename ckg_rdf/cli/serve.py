"""``ckg serve``: the linked-data service on a built graph."""

from __future__ import annotations

import errno
import secrets
import socket
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from pydantic import ValidationError

from ckg_rdf.cli.common import DataDirOption, StoreOption, data_dir_for, err, fail, note
from ckg_rdf.errors import EXIT_USAGE


def _address_warning(base: str, host: str, port: int) -> str | None:
    """A warning when the base IRI of the data is not where this server listens."""
    parts = urlsplit(base)
    base_port = parts.port or (443 if parts.scheme == "https" else 80)
    local = {"localhost", "127.0.0.1", "0.0.0.0", "::1", "::"}
    same_host = parts.hostname == host or (parts.hostname in local and host in local)
    if same_host and base_port == port:
        return None
    return (
        f"the graph's IRIs start with {base} but this server listens on {host}:{port}: "
        "IRIs in the data resolve here only through a proxy that forwards them "
        "(pages and /sparql still work; rebuild with --base-iri, or pass --public-url)"
    )


def _check_port(host: str, port: int) -> None:
    """Fail with advice before anything is printed, if the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"port {port} on {host} is in use: stop the other server, or choose "
                    "another port with --port"
                )
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def serve_command(
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds a query may run before it is stopped (default 30).",
            show_default=False,
        ),
    ] = None,
    max_rows: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Most result rows (or triples) a query may return (default 100,000).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes for SPARQL queries (default: cores, at most 4).",
            show_default=False,
        ),
    ] = None,
    page_workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes reserved for pages and dereferencing (default 1).",
            show_default=False,
        ),
    ] = None,
    base_iri: Annotated[
        str | None,
        typer.Option(
            help="Base of the IRIs to serve (default: the one the graph was built with).",
            show_default=False,
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The public root URL clients use (service description, VoID; "
            "default: the base IRI).",
            show_default=False,
        ),
    ] = None,
    allow_update: Annotated[
        bool,
        typer.Option(
            "--allow-update",
            help="Accept SPARQL Update, with a token (CKG_UPDATE_TOKEN, or one printed at start).",
        ),
    ] = False,
    service_allow: Annotated[
        list[str] | None,
        typer.Option(
            "--service-allow",
            help="An endpoint IRI prefix SERVICE may call (repeatable); none by default. "
            "Loopback and private hosts only when named exactly.",
            show_default=False,
        ),
    ] = None,
    service_timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Seconds a federated query may run (default: --timeout).",
            show_default=False,
        ),
    ] = None,
    max_body: Annotated[
        int | None,
        typer.Option(
            min=1024, help="Largest request body in bytes (default 1 MiB).", show_default=False
        ),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="HTTP server processes on the port (default 1). Each has its own --workers "
            "and its own per-client limits; more than one uses more cores for many small "
            "requests. Not with --allow-update.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs, HTML pages.

    Open http://HOST:PORT/ in a browser; query http://HOST:PORT/sparql. Every
    option can also be set in the environment (CKG_TIMEOUT_S, CKG_WORKERS,
    CKG_SERVICE_ALLOW, ...; see docs/service.md).
    """
    import uvicorn

    from ckg_rdf.service.app import create_app
    from ckg_rdf.service.settings import ServiceSettings

    data, remote = data_dir_for(store, data_dir)
    if remote is None:
        data.require_built()
    given: dict[str, Any] = {
        "store": remote.location if remote else str(data.root),
        "data_dir": str(data.root) if remote else None,
        "base_iri": base_iri,
        "public_url": public_url,
        "timeout_s": timeout,
        "max_rows": max_rows,
        "workers": workers,
        "page_workers": page_workers,
        "allow_update": allow_update or None,
        "service_allow": tuple(service_allow) if service_allow else None,
        "service_timeout_s": service_timeout,
        "max_body_bytes": max_body,
        "processes": processes,
    }
    try:
        settings = ServiceSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"bad server settings (options or CKG_* variables): {problems}", EXIT_USAGE)
    if settings.allow_update and settings.processes > 1:
        fail(
            "--allow-update needs a single server process (one writer holds the store): "
            "leave out --processes",
            EXIT_USAGE,
        )
    if settings.allow_update and settings.update_token is None:
        token = secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"update_token": token})
        note(
            f"SPARQL Update token for this run: {token} (send 'Authorization: Bearer TOKEN'; "
            "set CKG_UPDATE_TOKEN to choose it)"
        )
    base = settings.resolved_base()
    built = data.recorded_config()
    if built and built.base_iri != base:
        note(
            f"the graph was built with base IRI {built.base_iri}, not {base}: resource IRIs "
            "will answer 404"
        )
    warning = _address_warning(base, host, port)
    if warning and not public_url:
        note(warning)
    if settings.service_allow:
        note(f"SERVICE may call: {', '.join(settings.service_allow)}")
    _check_port(host, port)
    err.print(
        f"serving {settings.store} at http://{host}:{port}/ (IRIs under {base})",
        highlight=False,
        markup=False,
    )
    if settings.processes > 1:
        from ckg_rdf.service.processes import serve_processes

        if serve_processes(settings, host, port, settings.processes) != 0:
            fail("a server process kept stopping right after its start (see its message above)")
        return
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
