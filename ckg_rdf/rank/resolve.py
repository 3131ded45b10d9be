"""From what a researcher types to graph IRIs: topics and concepts by label, id or IRI.

``asthma`` finds the concept whose preferred or alternative label is "asthma" (any case);
``virology`` finds the topic with that id or label; a full IRI is taken as it is, if the
graph knows it. Used by ``ckg rank`` and ``/rank`` alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from ckg_rdf.errors import CkgError
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG, RDFS, SKOS


class ResolveError(CkgError):
    """Nothing (or more than one thing) in the graph answers to a name."""


@dataclass(frozen=True)
class Resolved:
    text: str
    iri: NamedNode
    label: str


_LABELS = {
    "concept": (CKG.Concept, (SKOS.prefLabel, SKOS.altLabel)),
    "topic": (CKG.Topic, (SKOS.notation, CKG.topicLabel, SKOS.prefLabel, SKOS.altLabel)),
}


def resolve(store: GraphReader, kind: str, text: str) -> Resolved:
    """The one ``kind`` ("concept" or "topic") node that ``text`` names."""
    cls, predicates = _LABELS[kind]
    text = text.strip()
    if text.startswith(("http://", "https://")):
        node = NamedNode(text)
        rows = store.query(
            f"SELECT ?label WHERE {{ {node} a {cls} OPTIONAL {{ {node} {RDFS.label} ?l1 }} "
            f"OPTIONAL {{ {node} {SKOS.prefLabel} ?l2 }} BIND(COALESCE(?l1, ?l2, '') AS ?label) }}"
        )
        found = list(rows) if isinstance(rows, QuerySolutions) else []
        if not found:
            raise ResolveError(f"no {kind} <{text}> in the graph")
        return Resolved(text, node, found[0]["label"].value)
    alternatives = " UNION ".join(f"{{ ?node {p} ?name }}" for p in predicates)
    query = (
        f"SELECT DISTINCT ?node ?pref ?text WHERE {{ ?node a {cls} . {alternatives} "
        f"FILTER(LCASE(STR(?name)) = LCASE(STR(?text))) "
        f"OPTIONAL {{ ?node {SKOS.prefLabel} ?pref }} }} ORDER BY ?node"
    )
    rows = store.query(query, substitutions={Variable("text"): Literal(text)})
    found = list(rows) if isinstance(rows, QuerySolutions) else []
    if not found:
        raise ResolveError(
            f"no {kind} called {text!r} in the graph (labels, synonyms and ids, any case); "
            f"give its IRI, or look it up with 'ckg query concepts-by-label'"
        )
    nodes = {r["node"].value: r for r in found}
    if len(nodes) > 1:
        listed = ", ".join(f"<{n}>" for n in sorted(nodes))
        raise ResolveError(f"{text!r} names {len(nodes)} {kind}s ({listed}); give one IRI")
    row = found[0]
    label = row["pref"].value if row["pref"] is not None else text
    return Resolved(text, row["node"], label)
