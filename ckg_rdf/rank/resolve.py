"""From what a researcher types to graph IRIs: topics and concepts by label, id or IRI.

``asthma`` finds the concept whose preferred or alternative label is "asthma" (any case);
``virology`` finds the topic with that id or label; a full IRI is taken as it is, if the
graph knows it. Used by ``ckg rank`` and ``/rank`` alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions, Variable

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


def _names_query(kind: str) -> str:
    cls, predicates = _LABELS[kind]
    alternatives = " UNION ".join(f"{{ ?node {p} ?name }}" for p in predicates)
    return (
        f"SELECT DISTINCT ?node ?pref ?name WHERE {{ ?node a {cls} . {alternatives} "
        f"OPTIONAL {{ ?node {SKOS.prefLabel} ?pref }} }}"
    )


class NameIndex:
    """Every name of the topics and concepts of one unchanging store, by its lower case.

    Resolving a name scans every label and synonym of its kind (about 200 ms at 30k
    papers, growing with the vocabulary the corpus uses); a server that resolves names
    for every ``/rank`` request on a build that cannot change reads them once per kind
    instead, and answers from a dictionary. Lower case is the store's own ``LCASE``, so
    what matches is exactly what the scan matches (``tests/rank/test_resolve.py``).
    """

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, list[tuple[str, str | None]]]] = {}

    def matches(self, store: GraphReader, kind: str, text: str) -> list[tuple[str, str | None]]:
        """(node IRI, preferred label) for each node of ``kind`` named ``text``, any case."""
        names = self._kinds.get(kind)
        if names is None:
            names = {}
            rows = store.query(
                f"SELECT ?node ?pref (LCASE(STR(?name)) AS ?key) WHERE {{ "
                f"{{ {_names_query(kind)} }} }}"
            )
            for r in rows if isinstance(rows, QuerySolutions) else []:
                names.setdefault(r["key"].value, []).append(_match(r))
            self._kinds[kind] = names
        return _in_order(names.get(_lower(store, text), []))


def _match(row: QuerySolution) -> tuple[str, str | None]:
    return row["node"].value, row["pref"].value if row["pref"] is not None else None


def _in_order(matches: Iterable[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """Distinct matches by node IRI (then label): the first is the one resolved."""
    return sorted(set(matches), key=lambda m: (m[0], m[1] or ""))


def _lower(store: GraphReader, text: str) -> str:
    # the literal enters through pyoxigraph's term syntax, which escapes it
    rows = store.query(f"SELECT (LCASE({Literal(text)}) AS ?key) WHERE {{}}")
    return next(iter(rows))["key"].value  # type: ignore[call-overload]


def _scan(store: GraphReader, kind: str, text: str) -> list[tuple[str, str | None]]:
    query = (
        f"SELECT ?node ?pref WHERE {{ {{ {_names_query(kind)} }} "
        f"FILTER(LCASE(STR(?name)) = LCASE(STR(?text))) }}"
    )
    rows = store.query(query, substitutions={Variable("text"): Literal(text)})
    return _in_order(_match(r) for r in rows) if isinstance(rows, QuerySolutions) else []


def resolve(store: GraphReader, kind: str, text: str, names: NameIndex | None = None) -> Resolved:
    """The one ``kind`` ("concept" or "topic") node that ``text`` names.

    ``names``: a :class:`NameIndex` of this store, when its data cannot change.
    """
    cls, _ = _LABELS[kind]
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
    found = names.matches(store, kind, text) if names is not None else _scan(store, kind, text)
    if not found:
        raise ResolveError(
            f"no {kind} called {text!r} in the graph (labels, synonyms and ids, any case); "
            f"give its IRI, or look it up with 'ckg query concepts-by-label'"
        )
    nodes = {iri for iri, _ in found}
    if len(nodes) > 1:
        listed = ", ".join(f"<{n}>" for n in sorted(nodes))
        raise ResolveError(f"{text!r} names {len(nodes)} {kind}s ({listed}); give one IRI")
    iri, pref = found[0]
    return Resolved(text, NamedNode(iri), pref if pref is not None else text)
