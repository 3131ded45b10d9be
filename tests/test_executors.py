"""The executor seam: the same build on a Dask cluster makes the same graph, triple for triple.

The partitioned corpus reader is checked against the one-pass reader too:
partitions cut anywhere (even one row each) must give the same papers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from ckg_rdf.config import ExecutorSettings
from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.partitions import CorpusPlan, read_partition
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import PaperRecord, Problem
from ckg_rdf.pipeline.executors import EXECUTORS, ExecutorError
from tests.building import build_graph, open_graph
from tests.conftest import SAMPLE

#: graphs whose content is the same whoever built it (provenance and the dataset
#: description carry the build's own times and ids)
TIMELESS = ("papers", "concepts", "citations", "ranks")


def _graph_triples(store: Path) -> dict[str, set[str]]:
    graph = open_graph(store)
    try:
        out = {}
        for name in TIMELESS:
            iri = NamedNode(f"http://localhost:8000/graph/{name}")
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"
            out[name] = {str(t) for t in graph.query(query)}
        return out
    finally:
        graph.close()


def test_a_dask_cluster_builds_the_same_graph_as_the_local_executor(tmp_path: Path) -> None:
    kwargs = {
        "steps": ("papers", "concepts"),
        "stages": ("citations", "pagerank"),
        "executor.batch_size": 97,  # partitions that cut the sample at odd places
    }
    local = build_graph(SAMPLE, tmp_path / "local", **kwargs)
    dask = build_graph(
        SAMPLE, tmp_path / "dask", **kwargs, **{"executor.name": "dask", "executor.workers": 2}
    )
    assert dask.executor.startswith("dask (2 workers")
    assert (dask.papers_read, dask.triples_after) == (local.papers_read, local.triples_after)
    assert dask.worker_cpu_seconds > 0
    by_local, by_dask = _graph_triples(tmp_path / "local"), _graph_triples(tmp_path / "dask")
    for name in TIMELESS:
        assert by_dask[name] == by_local[name], f"graph {name} differs"
    assert sum(len(t) for t in by_local.values()) > 50_000


def _papers(items: list[PaperRecord | Problem]) -> list[tuple[str, str]]:
    return [(p.paper_id, p.fingerprint) for p in items if isinstance(p, PaperRecord)]


@pytest.mark.parametrize("batch_size", [1, 7, 256, 10_000])
def test_partitions_read_the_same_papers_as_one_pass(tmp_path: Path, batch_size: int) -> None:
    import sqlite3

    layout = CorpusLayout.discover(SAMPLE)
    expected = _papers(list(read_corpus(layout)))
    plan = CorpusPlan(layout, sqlite3.connect(":memory:"), batch_size=batch_size).scan()
    assert plan.total == len(expected)
    got: list[tuple[str, str]] = []
    for partition in plan.partitions():
        records, _ = read_partition(layout, partition)
        if partition.parses:
            taken = plan.claim(r.paper_id for r in records)
            records = [r for r in records if r.paper_id not in taken]
        assert len(partition.ids) == len(records)
        got.extend((r.paper_id, r.fingerprint) for r in records)
    assert got == expected


def test_a_limit_cuts_the_partitions_at_that_many_papers() -> None:
    import sqlite3

    layout = CorpusLayout.discover(SAMPLE)
    plan = CorpusPlan(layout, sqlite3.connect(":memory:"), batch_size=40, limit=100).scan()
    n = sum(len(read_partition(layout, p)[0]) for p in plan.partitions())
    assert plan.total == n == 100


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    settings = ExecutorSettings(name="dask", scheduler="tcp://127.0.0.1:9")
    executor = EXECUTORS.create("dask", settings=settings)
    with pytest.raises(
        ExecutorError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        with executor:
            pass
