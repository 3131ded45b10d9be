"""What the graph says about one resource: the document its IRI dereferences to.

Defined once here, as data, and carried out two ways that a test proves equal
(``tests/test_remote_store.py``): by index lookups on the embedded store (a
few hundred microseconds for a paper, where the same description as one SPARQL
CONSTRUCT took 3-5 ms: the planner cannot bound the label and hash-IRI parts),
and by the SPARQL query :func:`describe_query` (generated from the same
constants) for a remote SPARQL server.

The description of ``R``:

* every triple ``R ?p ?o``; for each IRI ``?o`` its labels (:data:`LABELS`,
  so a client can show every link by name without another request); for each
  blank ``?o`` and each hash IRI ``R#...`` among them, all their triples (they
  dereference to this document: ``<paper#author-1>``, the author entries);
* the first :data:`MAX_INCOMING` (or ``max_incoming``: a page shows fewer) triples
  ``?s ?q R`` and the labels of their subjects (a concept that a million papers
  mention must not be read whole per request), except the kept lists' links
  (:data:`LIST_LINKS`);
* every hash IRI ``R#...`` that points at ``R`` through an owner link
  (:data:`OWNER_LINKS`: ``<paper#topic-x> oa:hasTarget <paper>``, the topic and
  concept annotations), with all its triples: looked up by that predicate, so
  the cost is the resource's own annotations, never its whole in-degree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from pyoxigraph import BlankNode, NamedNode, Quad, Triple

from ckg_rdf.vocab import CKG, OA, RDFS, SKOS

#: the predicates that name a resource (concepts have only skos:prefLabel)
LABELS: tuple[NamedNode, ...] = (RDFS.label, SKOS.prefLabel, CKG.name, CKG.title)
#: links from a resource's hash IRIs back to it
OWNER_LINKS: tuple[NamedNode, ...] = (OA.hasTarget,)
#: incoming triples in one description
MAX_INCOMING = 2000
#: links into a resource from the lists the build keeps (its ``summaries`` graph: a paper
#: is the item of dozens of "most cited" entries): they describe the lists, not the
#: resource, so its document leaves them out
LIST_LINKS: tuple[NamedNode, ...] = (CKG.rankScope, CKG.rankedItem)

#: ``quads_for_pattern(subject, predicate, object)`` over every graph
Pattern = Callable[[NamedNode | BlankNode | None, NamedNode | None, object], Iterable[Quad]]


def _owned(term: object, prefix: str) -> bool:
    return isinstance(term, BlankNode) or (
        isinstance(term, NamedNode) and term.value.startswith(prefix)
    )


def describe_by_pattern(
    quads: Pattern, resource: NamedNode, max_incoming: int = MAX_INCOMING
) -> list[Triple]:
    """The description of ``resource`` from index lookups (distinct triples, in a stable
    order: outgoing, neighbours' labels and owned nodes, incoming, owned annotations)."""
    prefix = resource.value + "#"
    out: dict[Triple, None] = {}

    def add(found: Iterable[Quad]) -> Iterator[Triple]:
        for quad in found:
            triple = quad.triple
            out[triple] = None
            yield triple

    def labels(node: NamedNode | BlankNode) -> None:
        for predicate in LABELS:
            for _ in add(quads(node, predicate, None)):
                pass

    for triple in list(add(quads(resource, None, None))):
        obj = triple.object
        if _owned(obj, prefix):
            for _ in add(quads(obj, None, None)):  # type: ignore[arg-type]
                pass
        if isinstance(obj, NamedNode):
            labels(obj)
    incoming = (q for q in quads(None, None, resource) if q.predicate not in LIST_LINKS)
    for triple in list(add(islice(incoming, max_incoming))):
        labels(triple.subject)  # type: ignore[arg-type]
    for predicate in OWNER_LINKS:
        for quad in quads(None, predicate, resource):
            if _owned(quad.subject, prefix) and isinstance(quad.subject, NamedNode):
                for _ in add(quads(quad.subject, None, None)):
                    pass
    return list(out)


def _values(terms: tuple[NamedNode, ...]) -> str:
    return ", ".join(str(t) for t in terms)


def describe_query(max_incoming: int = MAX_INCOMING) -> str:
    """The same description as one SPARQL query (?resource bound by substitution)."""
    return _DESCRIBE.replace("MAX_INCOMING", str(int(max_incoming)))


_DESCRIBE = f"""CONSTRUCT {{
  ?resource ?p ?o . ?o ?olp ?olabel . ?o ?bp ?bo .
  ?s ?q ?resource . ?s ?slp ?slabel . ?h ?hp ?ho .
}}
WHERE {{
  {{ ?resource ?p ?o }}
  UNION
  {{ ?resource ?p ?o . FILTER(isIRI(?o)) ?o ?olp ?olabel . FILTER(?olp IN ({_values(LABELS)})) }}
  UNION
  {{
    ?resource ?p ?o .
    FILTER(isBlank(?o) || (isIRI(?o) && STRSTARTS(STR(?o), CONCAT(STR(?resource), "#"))))
    ?o ?bp ?bo
  }}
  UNION
  {{
    {{
      SELECT ?s ?q ?resource
      WHERE {{ ?s ?q ?resource . FILTER(?q NOT IN ({_values(LIST_LINKS)})) }}
      LIMIT MAX_INCOMING
    }}
    OPTIONAL {{ ?s ?slp ?slabel . FILTER(?slp IN ({_values(LABELS)})) }}
  }}
  UNION
  {{
    VALUES ?owner {{ {" ".join(str(t) for t in OWNER_LINKS)} }}
    ?h ?owner ?resource .
    FILTER(isIRI(?h) && STRSTARTS(STR(?h), CONCAT(STR(?resource), "#")))
    ?h ?hp ?ho .
  }}
}}"""


#: the query with the default bound on incoming links
DESCRIBE_QUERY = describe_query()
