"""``ckg similar``, ``ckg embed`` and ``ckg kge-env``: paper vectors and similar papers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ckg_rdf.cli.common import (
    DataDirOption,
    StoreOption,
    data_dir_for,
    fail,
    note,
    open_for_reading,
    out,
)
from ckg_rdf.config import load_config
from ckg_rdf.embed import missing_extra_message
from ckg_rdf.embed.kge import KGE_BACKENDS
from ckg_rdf.embed.kge_env import create_env, default_env_dir, env_python, remove_env
from ckg_rdf.embed.similar import NO_EMBEDDINGS
from ckg_rdf.rdf.iris import IriScheme

#: the recommendation modes (ckg_rdf.recommend.recommender.MODES), the default first
MODES = ("hybrid", "bm25", "semantic", "kg", "combined")
MAX_K = 1000


def _need_extra(what: str) -> None:
    why = missing_extra_message(what)
    if why:
        fail(why)


def similar_command(
    paper: Annotated[
        str,
        typer.Argument(
            help="The paper: its id (cord_uid, or the sha of a parse) or its full IRI.",
            metavar="PAPER",
            show_default=False,
        ),
    ],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=MAX_K, help="How many papers.")] = 10,
    mode: Annotated[
        str,
        typer.Option(
            help="hybrid (default: BM25 + text embedding + concepts + citations, fused) | bm25 "
            "| semantic | kg | combined"
        ),
    ] = MODES[0],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The k papers most similar to PAPER, never the paper itself, with why each is there
    (shared concepts, co-citation, shared references, shared rare words, text similarity)."""
    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    _need_extra("similar papers")
    from ckg_rdf.embed.index import SimilarityIndex
    from ckg_rdf.recommend.lexical import LexicalIndex
    from ckg_rdf.recommend.reasons import reason_dict
    from ckg_rdf.recommend.recommender import Recommender

    data, graph = open_for_reading(store, data_dir)
    recorded = data.recorded_config()
    iris = IriScheme(recorded.base_iri) if recorded else IriScheme()
    paper_id = iris.resource_id(paper, "paper")
    index = SimilarityIndex.open(graph, data.index_dir)
    if not index.spaces:
        fail(NO_EMBEDDINGS)
    lexical = LexicalIndex.open(graph, data.bm25_dir) if mode in ("hybrid", "bm25") else None
    ranked, evidence = Recommender(index, lexical).recommend(
        graph, iris.paper(paper_id).value, k=k, mode=mode
    )
    rows = [
        {
            "paper": iris.local_id(r.paper, "paper") or r.paper,
            "iri": r.paper,
            "title": evidence.labels.get(r.paper, ""),
            "score": r.score,
            "reasons": [reason_dict(x) for x in r.reasons],
        }
        for r in ranked
    ]
    if as_json:
        out.print_json(json.dumps({"paper": paper_id, "mode": mode, "similar": rows}))
        return
    table = Table(title=f"{len(rows)} papers similar to {paper_id} ({mode})")
    table.add_column("#", justify="right")
    table.add_column("paper", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("title")
    table.add_column("why")
    for i, r in enumerate(rows, 1):
        why = "; ".join(str(x["text"]) for x in r["reasons"][:3])  # type: ignore[index]
        table.add_row(str(i), str(r["paper"]), f"{r['score']:.3f}", str(r["title"]), why)
    out.print(table, markup=False)


def embed_command(
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    text_model: Annotated[
        str | None,
        typer.Option(
            help="minilm, scibert, or a local model folder (default: the build's setting).",
            show_default=False,
        ),
    ] = None,
    specter_csv: Annotated[
        Path | None,
        typer.Option(help="A CORD-19 cord_19_embeddings*.csv as text vectors.", show_default=False),
    ] = None,
    max_body_windows: Annotated[
        int | None,
        typer.Option(min=0, help="Cap on body windows per paper (CPU time).", show_default=False),
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, show_default=False)] = None,
    kge_backend: Annotated[
        str | None,
        typer.Option(
            help=f"TransE backend: {', '.join(KGE_BACKENDS.names())}.", show_default=False
        ),
    ] = None,
    epochs: Annotated[int | None, typer.Option(min=1, show_default=False)] = None,
    dim: Annotated[int | None, typer.Option(min=2, show_default=False)] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="semantic,kg weights of the combined space, e.g. 1,0.5.", show_default=False
        ),
    ] = None,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Keep the stored text vectors.")
    ] = False,
    no_kg: Annotated[bool, typer.Option("--no-kg", help="Keep the stored KG vectors.")] = False,
) -> None:
    """(Re)compute the text and TransE vectors of every paper, store them as RDF, rebuild
    the index. Settings default to what the build recorded (its base IRI included)."""
    _need_extra("'ckg embed'")
    from ckg_rdf.pipeline.build import run_stages
    from ckg_rdf.pipeline.dataset_stage import DatasetStage
    from ckg_rdf.pipeline.embedding_stage import EmbeddingStage

    if kge_backend is not None and kge_backend not in KGE_BACKENDS:
        fail(f"--kge-backend must be one of {', '.join(KGE_BACKENDS.names())}, got {kge_backend!r}")
    parsed_weights = None
    if weights is not None:
        try:
            w = tuple(float(x) for x in weights.split(","))
            if len(w) != 2 or min(w) < 0 or max(w) == 0:
                raise ValueError
        except ValueError:
            fail("--weights must be two non-negative numbers, not both 0, e.g. 1,0.5")
        parsed_weights = list(w)
    if specter_csv is not None and not specter_csv.is_file():
        fail(f"no such file: {specter_csv}")
    data, settings = data_dir_for(store, data_dir)
    if settings is None:
        data.require_built()
    config = load_config(
        None,
        {
            "store.location": settings.location if settings else str(data.root),
            "store.data_dir": str(data.root) if settings else None,
            "embeddings.enabled": True,
            "embeddings.text_model": text_model,
            "embeddings.specter_csv": str(specter_csv) if specter_csv else None,
            "embeddings.max_body_windows": max_body_windows,
            "embeddings.batch_size": batch_size,
            "embeddings.kge_backend": kge_backend,
            "embeddings.kge_epochs": epochs,
            "embeddings.kge_dim": dim,
            "embeddings.weights": parsed_weights,
        },
        recorded=data.recorded_config(),
    )
    stage = EmbeddingStage(config.embeddings, semantic=not no_text, graph=not no_kg)
    report = run_stages(config, [stage, DatasetStage()], holder="ckg embed")
    counts = report.steps.get(stage.name, {})
    for line in report.notes:
        note(line)
    table = Table(title="embeddings")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}")
    out.print(table)


kge_env_app = typer.Typer(help="The isolated AmpliGraph environment (TransE backend).")


@kge_env_app.command("create")
def kge_env_create(
    python: Annotated[
        str | None, typer.Option(help="A Python 3.9-3.11 to build it with.", show_default=False)
    ] = None,
    env_dir: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Where (default $CKG_KGE_ENV or ~/.local/share/ckg-rdf/ampligraph-env).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build the AmpliGraph environment (Python<3.12, TensorFlow 2.15, numpy<2; about 2 GB)."""
    where = create_env(env_dir, python)
    out.print(f"AmpliGraph environment ready at {where}")


@kge_env_app.command("info")
def kge_env_info(
    env_dir: Annotated[Path | None, typer.Option("--dir", show_default=False)] = None,
) -> None:
    """Say where the environment is and whether it is ready."""
    where = env_dir or default_env_dir()
    py = env_python(where)
    out.print(f"{where}: {'ready (' + str(py) + ')' if py else 'absent or incomplete'}")


@kge_env_app.command("remove")
def kge_env_remove(
    env_dir: Annotated[Path | None, typer.Option("--dir", show_default=False)] = None,
) -> None:
    """Delete the environment."""
    out.print("removed" if remove_env(env_dir) else "nothing to remove")
