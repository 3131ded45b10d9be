"""Binding a variable gives the same rows whether the engine substitutes it (SEP-0007) or
the store writes it into every WHERE group: the embedded store writes it in for queries with
subqueries, where Oxigraph's own substitution would evaluate the subquery whole first."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ckg_rdf.datadir import DataDir
from ckg_rdf.service.explore import ENTITY_PAGES, selects
from ckg_rdf.sparql_text import bind_inline, where_braces
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import PREFIXES

#: for each kind, the link that reaches it (subject -> entity), to pick well-linked entities
LINKS = {
    "concept": "?s ckg:associatedConcept ?r",
    "topic": "?s ckg:associatedTopic ?r",
    "institution": "?s ckg:entryAffiliation ?r",
    "author": "?s ckg:authoredBy ?r",
    "paper": "?r ckg:cites ?s",
}


def _pick(store: GraphReader, kind: str) -> list[ox.NamedNode]:
    query = f"SELECT ?r WHERE {{ {LINKS[kind]} }} GROUP BY ?r ORDER BY DESC(COUNT(*)) ?r LIMIT 3"
    return [r["r"] for r in store.query(query)]  # type: ignore[union-attr]


def _rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted(tuple(str(s[n]) for n in names) for s in result)


@pytest.mark.parametrize("kind", sorted(ENTITY_PAGES))
def test_a_bound_page_query_answers_alike_written_in_and_substituted(
    kind: str, sample_store: GraphReader, built_sample: tuple[Path, object]
) -> None:
    engine = ox.Store.read_only(str(DataDir(built_sample[0]).oxigraph))
    entities = _pick(sample_store, kind)
    assert entities
    with_subqueries = 0
    for entity in entities:
        for select in selects(ENTITY_PAGES[kind], entity.value, {}):
            text = select.text()
            bindings = {ox.Variable(k): ox.NamedNode(v) for k, v in select.bindings}
            with_subqueries += len(where_braces(text)) > 1
            substituted = engine.query(
                text, substitutions=bindings, use_default_graph_as_union=True, prefixes=PREFIXES
            )
            written_in = engine.query(
                bind_inline(text, bindings), use_default_graph_as_union=True, prefixes=PREFIXES
            )
            expected = _rows(substituted)
            assert _rows(written_in) == expected, (select.name, entity)
            assert _rows(sample_store.query(text, substitutions=bindings)) == expected
    if kind != "paper":
        assert with_subqueries, "the pages' subqueries are what this is about"
