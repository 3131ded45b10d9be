"""Counting the graph's nodes and edges by type."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from ckg_rdf.store import GraphReader, count_rows
from ckg_rdf.vocab import CKG

NODE_TYPES: dict[str, NamedNode] = {
    "Paper": CKG.Paper,
    "Author": CKG.Author,
    "Institution": CKG.Institution,
    "Concept": CKG.Concept,
    "Topic": CKG.Topic,
}
EDGE_TYPES: dict[str, NamedNode] = {
    "authored_by": CKG.authoredBy,
    "affiliated_with": CKG.affiliatedWith,
    "associated_concept": CKG.associatedConcept,
    "associated_topic": CKG.associatedTopic,
    "cites": CKG.cites,
}


@dataclass
class GraphStats:
    nodes: dict[str, int]
    edges: dict[str, int]
    triples: int
    #: triples per named graph (by graph IRI)
    graphs: dict[str, int]


_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
_PROPERTIES = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property"


def _counted(store: GraphReader, query: str, var: str) -> dict[str, int]:
    return {r[var].value: int(r["n"].value) for r in store.query(query)}  # type: ignore[union-attr]


def class_counts(store: GraphReader) -> dict[str, int]:
    """Entities per class (VoID class partitions)."""
    return _counted(store, _CLASSES, "class")


def property_counts(store: GraphReader) -> dict[str, int]:
    """Triples per property (VoID property partitions)."""
    return _counted(store, _PROPERTIES, "property")


def graph_stats(store: GraphReader) -> GraphStats:
    nodes = {
        name: count_rows(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {iri} }}")
        for name, iri in NODE_TYPES.items()
    }
    edges = {
        name: count_rows(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {iri} ?o }}")
        for name, iri in EDGE_TYPES.items()
    }
    graphs = {g.value: store.count(g) for g in store.graphs()}
    return GraphStats(nodes, edges, sum(graphs.values()), graphs)
