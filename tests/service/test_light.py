"""Proven-light tasks run in the server process: same answers, same limits, one snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from ckg_rdf.service.light import LightMemo, bounded, memo_key
from ckg_rdf.service.tasks import DescribeTask, NamedSelect, PageTask, QueryTask, UpdateTask
from tests.building import open_graph
from tests.service.conftest import LiveServer, serving

SMALL = "SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t } ORDER BY ?p LIMIT 10"


# --- which tasks may ever run in process ---------------------------------------------
@pytest.mark.parametrize(
    "task",
    [
        QueryTask("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
        QueryTask("select * where { \\u0053ERVICE <http://e.org/s> { ?s ?p ?o } }"),
        QueryTask("SELECT * WHERE { ?s ?p ?o FILTER(RAND() < 0.001) } LIMIT 1"),
        QueryTask("SELECT * WHERE { ?s ?p ?o } LIMIT 5", preview=5),
        UpdateTask("INSERT DATA { <http://a> <http://b> <http://c> }"),
    ],
)
def test_a_task_whose_cost_can_change_between_runs_never_runs_in_process(task) -> None:
    assert memo_key(task) is None


def test_queries_and_descriptions_are_remembered_by_their_whole_value() -> None:
    assert memo_key(QueryTask(SMALL)) == memo_key(QueryTask(SMALL))
    assert memo_key(QueryTask(SMALL)) != memo_key(QueryTask(SMALL, default_graphs=("http://g",)))
    assert memo_key(DescribeTask("http://x/paper/1", "ttl")) is not None


def test_descriptions_are_bounded_by_construction_and_queries_are_not() -> None:
    assert bounded(DescribeTask("http://x/paper/1", "ttl"))
    assert bounded(PageTask("http://x/concept/human"))  # a kept hub page: only its description
    assert not bounded(PageTask("http://x/concept/human", (NamedSelect("concept-counts"),)))
    assert not bounded(QueryTask(SMALL))


def test_only_a_task_measured_under_the_threshold_proves_light() -> None:
    memo = LightMemo(light_s=0.05, size=2)
    fast, slow, third = (memo_key(QueryTask(f"{SMALL} OFFSET {i}")) for i in range(3))
    assert memo.light_cost(fast) is None  # never measured
    memo.record(fast, 0.001)
    memo.record(slow, 0.2)
    assert memo.light_cost(fast) == 0.001
    assert memo.light_cost(slow) is None
    memo.record(third, 0.001)  # the least recently used entry goes
    assert memo.light_cost(slow) is None and memo.light_cost(third) == 0.001
    memo.clear()
    assert memo.light_cost(fast) is None


# --- in a running server -----------------------------------------------------------------
@pytest.fixture(scope="module")
def served(live: LiveServer) -> Iterator[tuple[str, object]]:
    """The sample on a server with a row cap of 1,000; yields its URL and its backend.

    ``light_s`` is generous so that a busy machine cannot make these tasks look heavy:
    the tests are about what runs in process, not about the threshold."""
    with serving(live.store, workers=1, max_rows=1000, light_s=5.0) as (url, server):
        yield url, server.server.config.app.state.service.backend


def _ask(url: str, query: str, accept: str = "application/sparql-results+json") -> httpx.Response:
    headers = {"Accept": accept}
    return httpx.get(url + "sparql", params={"query": query}, headers=headers, timeout=30)


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_a_repeated_query_is_answered_in_process_with_the_same_bytes(served, accept) -> None:
    url, backend = served
    query = SMALL.replace("LIMIT 10", "LIMIT 4")
    first = _ask(url, query, accept)
    hits = backend.memo.hits
    again = [_ask(url, query, accept) for _ in range(3)]
    assert backend.memo.hits == hits + 3  # none of them went to a worker
    assert first.status_code == 200
    assert {(r.status_code, r.content, r.headers["content-type"]) for r in again} == {
        (200, first.content, first.headers["content-type"])
    }


def test_the_row_cap_holds_in_process(served) -> None:
    url, backend = served
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1001"  # the cap is 1,000
    first = _ask(url, query)
    hits = backend.memo.hits
    second = _ask(url, query)
    assert backend.memo.hits == hits + 1
    assert first.status_code == second.status_code == 422
    assert "more than 1,000" in second.text


def test_a_query_limited_to_the_cap_by_itself_is_answered_whole(served) -> None:
    """Served in one engine call (its own LIMIT is within the cap): the same rows as the
    same query with the limit inside a subquery, which takes the capped path."""
    url, _ = served
    # the papers' own triples (about 15k): enough rows, a sort far inside the timeout
    inner = "SELECT ?s ?p ?o WHERE { ?s a ckg:Paper ; ?p ?o } ORDER BY ?s ?p ?o LIMIT 1000"
    direct = _ask(url, inner)
    capped = _ask(url, f"SELECT ?s ?p ?o WHERE {{ {{ {inner} }} }}")
    assert direct.status_code == capped.status_code == 200
    rows = direct.json()["results"]["bindings"]
    assert len(rows) == 1000 and rows == capped.json()["results"]["bindings"]


def test_a_dereference_is_answered_in_process_from_the_first_request(
    served, sample_ids, live
) -> None:
    url, backend = served
    assert bounded(DescribeTask(sample_ids["cited"], "nt"))
    sent_to_workers = []
    pools = {id(p): p for p in backend.pools.values()}.values()
    for pool in pools:
        run = pool.run

        async def spy(task, *args, _run=run, **kwargs):  # type: ignore[no-untyped-def]
            sent_to_workers.append(task)
            return await _run(task, *args, **kwargs)

        pool.run = spy
    try:
        path = "/" + sample_ids["cited"].split("/", 3)[3]
        answer = httpx.get(url.rstrip("/") + path, headers={"Accept": "application/n-triples"})
    finally:
        for pool in pools:
            del pool.run
    assert answer.status_code == 200
    assert not [t for t in sent_to_workers if isinstance(t, DescribeTask)]
    triples = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    store = open_graph(live.store)
    try:
        assert triples == set(store.describe(ox.NamedNode(sample_ids["cited"])))
    finally:
        store.close()
