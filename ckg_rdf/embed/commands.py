"""Typer command functions for ``ckg similar``, ``ckg embed`` and ``ckg kge-env``.

The lead's ``ckg_rdf/cli.py`` registers them; they stay thin: parse options,
call the embed layer, print with rich, and turn known errors into one-line
messages with exit code 2 instead of stack traces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ckg_rdf.cli_options import DEFAULT_STORE, StoreOption
from ckg_rdf.embed.combine import MODES
from ckg_rdf.embed.index import MAX_K, IndexConfig, SimilarError, SimilarityIndex, UnknownPaperError
from ckg_rdf.embed.kge import BACKENDS, KGEConfig, KGEError
from ckg_rdf.embed.kge_env import create_env, default_env_dir, env_python, remove_env
from ckg_rdf.embed.similar import NO_EMBEDDINGS, paper_titles
from ckg_rdf.embed.text import TextModelError
from ckg_rdf.store.base import StoreError

console = Console()
err = Console(stderr=True)


def _fail(msg: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {msg}")
    return typer.Exit(2)


def similar_command(
    paper_id: str = typer.Argument(..., help="The paper's id (cord_uid, or the sha of a parse)."),
    k: int = typer.Option(10, "--k", "-k", help=f"How many papers (1-{MAX_K})."),
    mode: str = typer.Option("combined", "--mode", help="semantic | kg | combined"),
    store_path: StoreOption = DEFAULT_STORE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The k papers most similar to PAPER_ID, by cosine, never the paper itself."""
    from ckg_rdf.store import open_store

    if mode not in MODES:
        raise _fail(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    try:
        store = open_store(store_path, read_only=True)
        index = SimilarityIndex.open(store)
        if not index.spaces:
            raise _fail(NO_EMBEDDINGS)
        hits = index.similar(paper_id, k=k, mode=mode)
    except (StoreError, SimilarError, UnknownPaperError) as exc:
        raise _fail(str(exc.args[0] if exc.args else exc)) from None
    titles = paper_titles(store, [iri for iri, _ in hits])
    from ckg_rdf.embed.index import paper_local_id

    rows = [
        {"paper": paper_local_id(iri), "iri": iri, "title": titles.get(iri, ""), "score": s}
        for iri, s in hits
    ]
    if as_json:
        console.print_json(json.dumps({"paper": paper_id, "mode": mode, "similar": rows}))
        return
    table = Table(title=f"{len(rows)} papers similar to {paper_id} ({mode})")
    for col in ("#", "paper", "score", "title"):
        table.add_column(col)
    for i, r in enumerate(rows, 1):
        table.add_row(str(i), r["paper"], f"{r['score']:.3f}", r["title"][:80])
    console.print(table)


def embed_command(
    store_path: StoreOption = DEFAULT_STORE,
    text_model: str = typer.Option(
        None,
        "--text-model",
        help="Local model dir or cached HF name; default SciBERT, else "
        "all-MiniLM-L6-v2 ('minilm').",
    ),
    specter_csv: Annotated[
        Path | None,
        typer.Option("--specter-csv", help="A CORD-19 cord_19_embeddings*.csv as text vectors."),
    ] = None,
    max_body_windows: int = typer.Option(
        2, "--max-body-windows", min=0, help="Cap on body windows per paper (CPU time!)."
    ),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    backend: str = typer.Option("pykeen", "--kge-backend", help="pykeen | ampligraph"),
    epochs: int = typer.Option(50, "--epochs", min=1),
    dim: int = typer.Option(64, "--dim", min=2),
    weights: str = typer.Option("1,1", "--weights", help="semantic,kg weights of combined"),
    no_text: bool = typer.Option(False, "--no-text", help="Keep the stored text vectors."),
    no_kg: bool = typer.Option(False, "--no-kg", help="Keep the stored KG vectors."),
    base: str = typer.Option(None, "--base", help="Base IRI (default: the build's)."),
) -> None:
    """(Re)compute text and TransE vectors of every paper, store them as RDF, rebuild the index."""
    from ckg_rdf.embed.stage import EmbeddingStage
    from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, BaseIriError, IriMinter
    from ckg_rdf.store import open_store

    if backend not in BACKENDS:
        raise _fail(f"--kge-backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    try:
        w = tuple(float(x) for x in weights.split(","))
        if len(w) != 2 or min(w) < 0 or max(w) == 0:
            raise ValueError
    except ValueError:
        raise _fail("--weights must be two non-negative numbers, e.g. 1,0.5") from None
    if specter_csv is not None and not specter_csv.is_file():
        raise _fail(f"no such file: {specter_csv}")
    if not store_path.exists():
        raise _fail(f"no store at {store_path}: run 'ckg build' first")
    stage = EmbeddingStage(
        text_model=text_model,
        specter_csv=specter_csv,
        kge_backend=backend,
        kge=KGEConfig(dim=dim, epochs=epochs),
        index=IndexConfig(weights=w),  # type: ignore[arg-type]
        max_body_windows=max_body_windows,
        batch_size=batch_size,
        semantic=not no_text,
        graph=not no_kg,
    )
    try:
        minter = IriMinter(base or DEFAULT_BASE_IRI)
        store = open_store(store_path)
        counts = stage.run(store, minter)
    except (StoreError, TextModelError, KGEError, BaseIriError, ValueError) as exc:
        raise _fail(str(exc)) from None
    for note in stage.notes:
        console.print(f"[cyan]note:[/cyan] {note}")
    table = Table(title="embeddings")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key, str(value))
    console.print(table)


kge_env_app = typer.Typer(help="The isolated AmpliGraph environment (TransE backend).")


@kge_env_app.command("create")
def kge_env_create(
    python: str = typer.Option(None, "--python", help="A Python 3.9-3.11 to build it with."),
    env_dir: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="Where (default $CKG_KGE_ENV or ~/.local/share/ckg-rdf/ampligraph-env)."
        ),
    ] = None,
) -> None:
    """Build the AmpliGraph environment (Python<3.12, TensorFlow 2.15, numpy<2; about 2 GB)."""
    try:
        where = create_env(env_dir, python)
    except KGEError as exc:
        raise _fail(str(exc)) from None
    console.print(f"AmpliGraph environment ready at {where}")


@kge_env_app.command("info")
def kge_env_info(env_dir: Annotated[Path | None, typer.Option("--dir")] = None) -> None:
    """Say where the environment is and whether it is ready."""
    where = env_dir or default_env_dir()
    py = env_python(where)
    console.print(f"{where}: {'ready (' + str(py) + ')' if py else 'absent or incomplete'}")


@kge_env_app.command("remove")
def kge_env_remove(env_dir: Annotated[Path | None, typer.Option("--dir")] = None) -> None:
    """Delete the environment."""
    console.print("removed" if remove_env(env_dir) else "nothing to remove")
