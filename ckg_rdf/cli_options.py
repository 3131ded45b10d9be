"""Options every ``ckg`` command shares, defined once so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_STORE = Path("ckg-data")

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        "-s",
        help="Data directory of the graph, made by 'ckg build' (Oxigraph store, build state, "
        "vector index).",
    ),
]
