"""``ckg serve``: run the linked-data service on a built store."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.console import Console

from ckg_rdf.cli_options import DEFAULT_STORE, StoreOption
from ckg_rdf.pipeline.state import STATE_FILE
from ckg_rdf.service.settings import Settings, build_base_iri

console = Console(stderr=True)


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
        "IRIs in the data will not resolve here unless a proxy forwards them "
        "(pages and /sparql still work; rebuild with --base-iri to change the IRIs)"
    )


def serve(
    store: StoreOption = DEFAULT_STORE,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a query may run before it is stopped.")
    ] = 30.0,
    max_rows: Annotated[
        int, typer.Option(min=1, help="Most result rows (or triples) a query may return.")
    ] = 100_000,
    workers: Annotated[
        int, typer.Option(min=1, help="Query worker processes (queries run in parallel).")
    ] = Settings.workers,
    base_iri: Annotated[
        str | None,
        typer.Option(help="Base of the IRIs to serve (default: the one the store was built with)."),
    ] = None,
    allow_update: Annotated[
        bool,
        typer.Option(
            "--allow-update", help="Accept SPARQL Update (the endpoint is read-only otherwise)."
        ),
    ] = False,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service",
            help="Allow SERVICE (federated queries make the server fetch any URL: SSRF risk).",
        ),
    ] = False,
) -> None:
    """Serve the graph: SPARQL endpoint, dereferenceable IRIs, HTML pages.

    Open http://HOST:PORT/ in a browser; query http://HOST:PORT/sparql.
    """
    import uvicorn

    from ckg_rdf.service.app import create_app

    if not (store / "oxigraph").exists():
        console.print(
            f"[red]error:[/] no store at {store}: run 'ckg build CORPUS_DIR --store {store}' first"
        )
        raise typer.Exit(1)
    settings = Settings(
        store=store,
        base_iri=base_iri,
        timeout_s=timeout,
        max_rows=max_rows,
        workers=workers,
        allow_update=allow_update,
        allow_service=allow_service,
    )
    base = settings.resolved_base()
    built = build_base_iri(store)
    if built and built != base:
        console.print(
            f"[yellow]warning:[/] the store was built with base IRI {built}, not {base}: "
            "resource IRIs will answer 404",
            highlight=False,
        )
    if not (store / STATE_FILE).exists() and base_iri is None:
        console.print(f"[yellow]warning:[/] no build state in {store}; assuming base IRI {base}")
    warning = _address_warning(base, host, port)
    if warning:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if allow_update:
        console.print(
            "[yellow]SPARQL Update is enabled:[/] "
            "anyone who can reach the server can change the graph"
        )
    if allow_service:
        console.print("[yellow]SERVICE is enabled:[/] queries can make the server fetch any URL")
    console.print(f"serving {store} at http://{host}:{port}/ (IRIs under {base})", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
