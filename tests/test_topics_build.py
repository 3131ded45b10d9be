"""Topics across builds: stable IRIs, nothing added on a rebuild, new papers inferred into the
saved model without retraining."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.building import build_graph, open_graph

NO_VECTORS = {"embeddings.enabled": False, "concepts.enabled": False}


def _corpus(sample: Path, dst: Path, rows: int) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    lines = (sample / "metadata.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (dst / "metadata.csv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return dst


def _topics(store: Path) -> set[str]:
    rows = open_graph(store).query("SELECT ?t WHERE { ?t a ckg:Topic }")
    return {r["t"].value for r in rows}


def test_rebuilds_keep_topics_and_infer_new_papers(sample_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    corpus = _corpus(sample_dir, tmp_path / "c", 300)
    first = build_graph(corpus, store, **NO_VECTORS)
    assert first.steps["topics"]["model trained"] == 1
    topics = _topics(store)
    assert {t.rsplit("/", 1)[1] for t in topics} >= {"virology", "epidemiology", "vaccines"}
    model_files = sorted(p.name for p in (store / "topics" / "model").iterdir())

    again = build_graph(corpus, store, **NO_VECTORS)
    assert again.triples_after == first.triples_after
    assert "topics" in again.skipped_stages
    assert _topics(store) == topics

    shutil.rmtree(corpus)
    grown = build_graph(_corpus(sample_dir, tmp_path / "c", 340), store, **NO_VECTORS)
    report = grown.steps["topics"]
    assert report["model trained"] == 0  # inferred, not retrained
    assert report["papers assigned now"] == 40
    assert _topics(store) == topics
    assert sorted(p.name for p in (store / "topics" / "model").iterdir()) == model_files
    new = open_graph(store).query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:associatedTopic ?t }"
    )
    assert int(next(iter(new))["n"].value) > first.steps["topics"]["papers linked to a topic"]
