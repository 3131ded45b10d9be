"""What every ``ckg`` command shares: options, consoles, the data directory, one failure path.

Options are declared once here so they read the same in every command's
``--help``. ``--store`` takes a data directory (embedded Oxigraph) or the URL
of a SPARQL query endpoint; with a URL, ``--data-dir`` holds the local state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from ckg_rdf.config import DEFAULT_DATA_DIR, StoreSettings
from ckg_rdf.datadir import DataDir
from ckg_rdf.errors import EXIT_FAILURE, CkgError

#: stdout: results; stderr: messages, progress, errors
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        "-s",
        metavar="PATH|URL",
        help="Where the graph is: a data directory made by 'ckg build' (default ckg-data), or "
        "the URL of a SPARQL 1.1 query endpoint (credentials from CKG_STORE_USER and "
        "CKG_STORE_PASSWORD, or CKG_STORE_TOKEN).",
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="PATH",
        help="Local data directory (build state, caches, vector index) when --store is a URL "
        "(default ckg-data).",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def say_error(message: str) -> None:
    """``error: message`` on stderr, the message printed as written (no markup)."""
    err.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print one line on stderr and exit (the CLI's only way to stop on a known failure)."""
    say_error(message)
    raise typer.Exit(code)


def note(message: str) -> None:
    err.print(Text.assemble(("note:", "cyan"), " ", message), soft_wrap=True)


def data_dir_for(store: str | None, data_dir: Path | None) -> tuple[DataDir, StoreSettings | None]:
    """The local data directory, and the store the user named (None: the recorded one)."""
    if store and store.startswith(("http://", "https://")):
        data = DataDir(data_dir or Path(DEFAULT_DATA_DIR))
        return data, StoreSettings(location=store, data_dir=str(data.root))
    data = DataDir(Path(store or DEFAULT_DATA_DIR))
    if store is None and data_dir is not None:
        data = DataDir(data_dir)
    data.check_usable()
    return data, None


def open_for_reading(store: str | None, data_dir: Path | None):  # type: ignore[no-untyped-def]
    """(data directory, store opened read-only) for commands that only read the graph."""
    data, settings = data_dir_for(store, data_dir)
    if settings is None or not settings.is_remote:
        data.require_built()
    recorded = data.recorded_config()
    prefix = recorded.base_iri + "graph/" if recorded else None
    return data, data.open_store(settings, graph_prefix=prefix)


__all__ = [
    "CkgError",
    "DataDirOption",
    "QuietOption",
    "StoreOption",
    "data_dir_for",
    "err",
    "fail",
    "note",
    "open_for_reading",
    "out",
    "say_error",
]
