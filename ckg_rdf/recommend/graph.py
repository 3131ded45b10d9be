"""Graph evidence for recommendations, read through the store interface.

For one paper and its candidates this gathers, with three SPARQL queries kept
in ``ckg_rdf/recommend/sparql/*.rq``:

- its citation neighbours: papers it cites, papers citing it, papers co-cited
  with it (some paper cites both) and papers citing the same papers
  (bibliographic coupling), each with the papers that link them;
- the concepts (``ckg:associatedConcept``) and topics (``ckg:associatedTopic``)
  of the paper and of every candidate;
- titles and labels, so reasons can name what is shared.

Why queries per request and not a matrix held in memory: the store is the
source of truth, and a concept re-annotation (``ckg concepts``) or a new
citation is seen at once, without another derived file to keep fresh. The
queries touch only the paper's own neighbourhood and the candidates, so they
stay small however large the graph. The service runs :func:`graph_evidence`
in a query worker (like every store access of the service); the CLI and the
benchmark call it on a store directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Variable

from ckg_rdf.store import GraphReader

SPARQL_DIR = Path(__file__).resolve().parent / "sparql"
#: how many IRIs one VALUES block carries
CHUNK = 400
#: citation relations, as ``neighbours.rq`` names them
RELATIONS = ("cites", "cited_by", "co_cited", "cites_same")


def recommend_query(name: str) -> str:
    """The text of ``ckg_rdf/recommend/sparql/{name}.rq``."""
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")


def _values(iris: Iterable[str]) -> str:
    # NamedNode validates the IRI, so nothing but an IRI can be spliced into the query
    return " ".join(str(NamedNode(i)) for i in iris)


def _chunks(items: Sequence[str], n: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), n):
        yield items[start : start + n]


@dataclass
class Evidence:
    """What the graph says about one paper and its candidates (plain, picklable values)."""

    paper: str
    #: relation -> other paper -> the papers that link them (for cites/cited_by: itself)
    relations: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: paper -> its concept IRIs / topic IRIs
    concepts: dict[str, frozenset[str]] = field(default_factory=dict)
    topics: dict[str, frozenset[str]] = field(default_factory=dict)
    #: IRI -> title (papers) or preferred label (concepts, topics)
    labels: dict[str, str] = field(default_factory=dict)

    def neighbours(self) -> set[str]:
        """Every paper linked to the paper through citations."""
        return {o for rel in self.relations.values() for o in rel}

    def count(self, relation: str, other: str) -> int:
        return len(self.relations.get(relation, {}).get(other, ()))


def citation_neighbours(store: GraphReader, paper: str) -> dict[str, dict[str, list[str]]]:
    """relation -> other paper -> linking papers, from ``neighbours.rq``."""
    out: dict[str, dict[str, list[str]]] = {r: {} for r in RELATIONS}
    rows = store.query(
        recommend_query("neighbours"), substitutions={Variable("paper"): NamedNode(paper)}
    )
    for s in rows:  # type: ignore[union-attr]
        vias = out.setdefault(s["relation"].value, {}).setdefault(s["other"].value, [])
        via = s["via"].value
        if via not in vias:
            vias.append(via)
    return out


def annotations(
    store: GraphReader, papers: Sequence[str]
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(concepts, topics): each paper's concept IRIs and topic IRIs."""
    concepts: dict[str, set[str]] = {}
    topics: dict[str, set[str]] = {}
    template = recommend_query("annotations")
    for chunk in _chunks(list(papers)):
        for s in store.query(template.replace("#PAPERS#", _values(chunk))):  # type: ignore[union-attr]
            target = concepts if s["kind"].value == "concept" else topics
            target.setdefault(s["p"].value, set()).add(s["node"].value)
    return (
        {p: frozenset(v) for p, v in concepts.items()},
        {p: frozenset(v) for p, v in topics.items()},
    )


def labels(store: GraphReader, nodes: Iterable[str]) -> dict[str, str]:
    """IRI -> title or label (the first one found; none for nodes without one)."""
    out: dict[str, str] = {}
    template = recommend_query("labels")
    for chunk in _chunks(sorted(set(nodes))):
        for s in store.query(template.replace("#NODES#", _values(chunk))):  # type: ignore[union-attr]
            out.setdefault(s["x"].value, s["label"].value)
    return out


def graph_evidence(
    store: GraphReader,
    paper: str,
    candidates: Sequence[str],
    *,
    with_labels: bool = True,
) -> Evidence:
    """Citation neighbours, concepts, topics (and labels) of ``paper`` and ``candidates``.

    The neighbours are candidates too: the caller adds them to the ranking.
    """
    relations = citation_neighbours(store, paper)
    everyone = list(dict.fromkeys([paper, *candidates, *sorted(_others(relations))]))
    concepts, topics = annotations(store, everyone)
    ev = Evidence(paper, relations, concepts, topics)
    if with_labels:
        vias = {v for rel in relations.values() for vs in rel.values() for v in vs}
        own = concepts.get(paper, frozenset()) | topics.get(paper, frozenset())
        ev.labels = labels(store, [*everyone, *vias, *own])
    return ev


def _others(relations: dict[str, dict[str, list[str]]]) -> set[str]:
    return {o for rel in relations.values() for o in rel}
