"""A resource's description is one definition carried out two ways: index lookups on the
embedded store and the generated SPARQL query a remote store runs. Both give the same
triples for every kind of resource, and the description never reads a resource's whole
in-degree."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple, Variable

from ckg_rdf.store import GraphReader
from ckg_rdf.store.describe import DESCRIBE_QUERY, LABELS, MAX_INCOMING, OWNER_LINKS
from ckg_rdf.store.embedded import EmbeddedStore
from ckg_rdf.store.interface import as_triples
from ckg_rdf.vocab import CKG, RDF, RDFS

KINDS = ("Paper", "Author", "Institution", "Concept", "Topic")


def _by_query(store: GraphReader, resource: NamedNode) -> set[Triple]:
    found = store.query(DESCRIBE_QUERY, substitutions={Variable("resource"): resource})
    return set(as_triples(found))


@pytest.mark.parametrize("kind", KINDS)
def test_index_lookups_and_the_sparql_query_describe_alike(
    sample_store: GraphReader, kind: str
) -> None:
    rows = sample_store.query(f"SELECT DISTINCT ?r WHERE {{ ?r a ckg:{kind} }} LIMIT 40")
    resources = [r["r"] for r in rows]  # type: ignore[union-attr]
    assert resources, kind
    for resource in resources:
        described = sample_store.describe(resource)
        assert len(described) == len(set(described)), "each triple once"
        assert set(described) == _by_query(sample_store, resource), resource


def test_a_paper_is_described_with_its_links_by_name_and_its_annotations(
    sample_store: GraphReader,
) -> None:
    rows = sample_store.query(
        "SELECT ?p WHERE { ?p ckg:associatedConcept ?c ; ckg:associatedTopic ?t } LIMIT 1"
    )
    paper = next(iter(rows))["p"]  # type: ignore[call-overload]
    described = sample_store.describe(paper)
    subjects = {t.subject for t in described}
    own = {t for t in described if t.subject == paper}
    expected_own = set(as_triples(sample_store.query(
        "CONSTRUCT { ?p ?x ?y } WHERE { ?p ?x ?y }", substitutions={Variable("p"): paper}
    )))  # fmt: skip
    assert own == expected_own
    for t in own:
        if isinstance(t.object, NamedNode) and t.predicate in (CKG.associatedConcept,):
            assert any(d.subject == t.object and d.predicate in LABELS for d in described)
    annotations = [t.subject for t in described if t.predicate in OWNER_LINKS]
    assert annotations and all(a.value.startswith(paper.value + "#") for a in annotations)
    assert all(a in subjects for a in annotations)
    assert any(t.subject in annotations and t.predicate == RDF.type for t in described)


def test_a_resource_linked_from_everywhere_is_described_from_its_first_incoming_links() -> None:
    store = EmbeddedStore(None)
    graph = NamedNode("http://example.org/graph/papers")
    hub = NamedNode("http://example.org/concept/human")
    quads = [Quad(hub, RDFS.label, Literal("human"), graph)]
    for i in range(MAX_INCOMING * 3):
        paper = NamedNode(f"http://example.org/paper/{i}")
        quads += [
            Quad(paper, CKG.associatedConcept, hub, graph),
            Quad(paper, CKG.title, Literal(f"paper {i}"), graph),
        ]
    store.add(quads)
    described = store.describe(hub)
    incoming = [t for t in described if t.object == hub]
    assert len(incoming) == MAX_INCOMING
    titled = {t.subject for t in described if t.predicate == CKG.title}
    assert titled == {t.subject for t in incoming}, "the incoming links come with their names"
    assert Triple(hub, RDFS.label, Literal("human")) in described
    fewer = store.describe(hub, max_incoming=10)
    assert len([t for t in fewer if t.object == hub]) == 10  # what a page reads


def test_an_unknown_resource_has_an_empty_description(sample_store: GraphReader) -> None:
    assert sample_store.describe(NamedNode("http://example.org/nothing-here")) == []
