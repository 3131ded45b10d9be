"""Every named query in sparql/ parses, is documented, and returns rows on the sample."""

from __future__ import annotations

import pytest
from pyoxigraph import Variable

from ckg_rdf.queries import named_queries

#: the federated examples call public endpoints: tests/service/test_federation.py runs them
#: against a local one instead
QUERIES = {n: q for n, q in named_queries().items() if not n.startswith("federated/")}


def test_the_issue_s_queries_are_there() -> None:
    assert {
        "most-cited-papers",
        "papers-of-author",
        "co-authors",
        "institutions-by-paper-count",
        "papers-citing",
    } <= set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_named_query_returns_rows_on_the_sample(name: str, sample_store) -> None:
    query = QUERIES[name]
    assert query.description, f"{name}.rq has no leading comment saying what it answers"
    rows = list(sample_store.query(query.text))
    if not rows and query.params:
        # a query that needs its parameter answers for the example its header gives
        examples = query.examples()
        assert examples, f"{name}.rq returns nothing free and its # param: gives no example"
        subs = {Variable(k): v for k, v in examples.items()}
        rows = list(sample_store.query(query.text, substitutions=subs))
    assert len(rows) > 0


def test_most_cited_counts_agree_with_a_plain_count(sample_store) -> None:
    top = next(sample_store.query(QUERIES["most-cited-papers"].text))
    paper = top["paper"].value
    plain = sum(1 for _ in sample_store.query(f"SELECT ?c WHERE {{ ?c ckg:cites <{paper}> }}"))
    assert int(top["citations"].value) == plain >= 5
