"""The stage that keeps counts and short ranked lists over the whole graph (issue 21).

It reads every link once (concept annotations, topic links, citations, authorships,
affiliations, the ranks stage's places), computes with :mod:`ckg_rdf.rank.summaries`
and rewrites its own ``summaries`` graph whole whenever one of those graphs changed. The
named queries and pages that used to count over the corpus per request read it instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QuerySolutions, Triple

from ckg_rdf.config import BuildConfig
from ckg_rdf.pipeline.steps import StageContext, stage_inputs_of
from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG, OA, RDF, RDFS, SKOS, XSD

#: the graphs whose links it counts
READS = ("papers", "affiliations", "concepts", "citations", "ranks", "topics")
_BATCH = 100_000


def _rows(store: GraphReader, query: str) -> Iterator[QuerySolutions]:
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return result  # type: ignore[return-value]


def _pairs(store: GraphReader, predicate: NamedNode) -> list[tuple[str, str]]:
    """Every (subject, object) of ``predicate``."""
    return [
        (r[0].value, r[1].value)
        for r in _rows(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}")
    ]


def read_links(store: GraphReader):  # type: ignore[no-untyped-def]
    """The :class:`~ckg_rdf.rank.summaries.GraphLinks` of ``store``."""
    from ckg_rdf.rank.summaries import GraphLinks

    g = GraphLinks()
    for r in _rows(
        store,
        f"SELECT ?p ?place ?n ?pr WHERE {{ ?p {CKG.citationPosition} ?place ; "
        f"{CKG.citationCount} ?n ; {CKG.pageRank} ?pr }}",
    ):
        g.papers[r[0].value] = (int(r[1].value), int(r[2].value), float(r[3].value))
    g.annotations = [
        (r[0].value, r[1].value, int(r[2].value), float(r[3].value))
        for r in _rows(
            store,
            f"SELECT ?p ?c ?m ?s WHERE {{ ?a {RDF.type} {CKG.ConceptAnnotation} ; "
            f"{OA.hasTarget} ?p ; {OA.hasBody} ?c ; {CKG.mentionCount} ?m ; {CKG.score} ?s }}",
        )
    ]
    g.topics = [
        r[0].value for r in _rows(store, f"SELECT ?t WHERE {{ ?t {RDF.type} {CKG.Topic} }}")
    ]
    g.topic_links = _pairs(store, CKG.associatedTopic)
    g.citations = _pairs(store, CKG.cites)
    for r in _rows(
        store,
        f"SELECT ?c ?l ?type WHERE {{ ?c {RDF.type} {CKG.Concept} ; {SKOS.prefLabel} ?l . "
        f"OPTIONAL {{ ?c {CKG.conceptType} ?type }} }}",
    ):
        found = g.concepts.get(r[0].value)
        if found is None or r[1].value < found[0]:
            g.concepts[r[0].value] = (r[1].value, r[2].value if r[2] is not None else None)
    g.authorships = _pairs(store, CKG.authoredBy)
    g.affiliations = _pairs(store, CKG.affiliatedWith)
    for r in _rows(
        store, f"SELECT ?i ?n WHERE {{ ?i {RDF.type} {CKG.Institution} ; {RDFS.label} ?n }}"
    ):
        # several names: ranked by the first in string order, as ORDER BY ?name would
        name = g.institutions.get(r[0].value)
        g.institutions[r[0].value] = r[1].value if name is None else min(name, r[1].value)
    return g


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def entry_iri(graph: NamedNode, kind: str, scope: str | None, place: int) -> NamedNode:
    """One place of a kept list: a hash IRI of the stage's graph, the same in every build of
    the same graph (a blank node would differ per store and per run)."""
    digest = hashlib.sha1((scope or "").encode()).hexdigest()[:12]
    return NamedNode(f"{graph.value}#{kind}-{digest}-{place}")


def summary_triples(summaries, graph: NamedNode) -> Iterator[Triple]:  # type: ignore[no-untyped-def]
    """The counts as properties of their nodes, each entry as a ``ckg:RankEntry`` node."""
    for prop, counts in summaries.counts.items():
        predicate = getattr(CKG, prop)
        for node, value in counts:
            yield Triple(NamedNode(node), predicate, _int(value))
    for e in summaries.entries:
        entry = entry_iri(graph, e.kind.value, e.scope, e.place)
        yield Triple(entry, RDF.type, CKG.RankEntry)
        yield Triple(entry, CKG.rankKind, getattr(CKG, e.kind.value))
        if e.scope is not None:
            yield Triple(entry, CKG.rankScope, NamedNode(e.scope))
        yield Triple(entry, CKG.rankPlace, _int(e.place))
        yield Triple(entry, CKG.rankedItem, NamedNode(e.item))
        yield Triple(entry, CKG.rankValue, _int(e.value))


@dataclass(frozen=True)
class SummariesStage:
    name: str = "summaries"
    version: str = "1"
    requires: tuple[str, ...] = ()  # after pagerank and topics when they run
    graphs: tuple[str, ...] = ("summaries",)
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        return stage_inputs_of(ctx, READS, self.version)

    def run(self, ctx: StageContext) -> dict[str, int]:
        from ckg_rdf.rank.summaries import summarise

        summaries = summarise(read_links(ctx.store))
        graph = ctx.iris.graph(self.graphs[0])
        ctx.store.clear_graph(graph)
        batch: list[Triple] = []
        for triple in summary_triples(summaries, graph):
            batch.append(triple)
            if len(batch) >= _BATCH:
                ctx.store.add(in_graph(batch, graph))
                batch = []
        ctx.store.add(in_graph(batch, graph))
        return {"ranked list entries": len(summaries.entries)}


def make_summaries_stage(config: BuildConfig) -> SummariesStage:
    return SummariesStage()
