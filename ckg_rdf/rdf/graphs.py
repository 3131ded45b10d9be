"""Named graphs: one per producer, each described by provenance in its own graph.

A producer (a build step or stage) writes all its triples into
``{base}graph/{name}``, so its output can be retracted paper by paper
(:func:`retract_papers_update`) or as a whole (``CLEAR GRAPH``) without
knowing anything about other producers. ``{base}graph/provenance`` says,
for every producer graph, what made it, when, with which settings and which
software version (PROV-O), and how many triples it holds (VoID).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad, Triple

from ckg_rdf import __version__
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.vocab import CKG, DCTERMS, PROV, RDF, RDFS, XSD

#: the graph that describes the others
PROVENANCE = "provenance"


def in_graph(triples: Iterable[Triple], graph: NamedNode) -> Iterator[Quad]:
    """``triples`` as quads of ``graph``."""
    for t in triples:
        yield Quad(t.subject, t.predicate, t.object, graph)


def _time(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def provenance_triples(
    iris: IriScheme,
    producer: str,
    *,
    run_id: str,
    started: datetime,
    ended: datetime,
    producer_version: str,
    configuration: str,
    description: str = "",
) -> list[Triple]:
    """The description of one producer's graph after one run (in the provenance graph)."""
    graph = iris.graph(producer)
    activity = iris.build(run_id, producer)
    # its size and VoID type are the dataset description's to say (graph "dataset")
    out = [
        Triple(graph, RDF.type, PROV.Entity),
        Triple(graph, RDFS.label, Literal(f"{producer} graph")),
        Triple(graph, DCTERMS.modified, _time(ended)),
        Triple(graph, PROV.wasGeneratedBy, activity),
        Triple(activity, RDF.type, CKG.BuildActivity),
        Triple(activity, RDFS.label, Literal(f"{producer} of build {run_id}")),
        Triple(activity, PROV.startedAtTime, _time(started)),
        Triple(activity, PROV.endedAtTime, _time(ended)),
        Triple(activity, PROV.wasAssociatedWith, CKG.CkgRdf),
        Triple(activity, CKG.softwareVersion, Literal(__version__)),
        Triple(activity, CKG.producerVersion, Literal(producer_version)),
        Triple(activity, CKG.configuration, Literal(configuration)),
    ]
    if description:
        out.append(Triple(graph, DCTERMS.description, Literal(description, language="en")))
    return out


def forget_description_update(iris: IriScheme, producer: str) -> str:
    """SPARQL Update removing a producer graph's old description and the activity that
    made it (before writing the new): the provenance graph says how each graph was last
    made, and stays the same size however many builds ran."""
    prov = iris.graph(PROVENANCE)
    graph = iris.graph(producer)
    return (
        f"DELETE {{ GRAPH {prov} {{ ?a ?ap ?ao }} }} WHERE {{ GRAPH {prov} {{ "
        f"{graph} {PROV.wasGeneratedBy} ?a . ?a ?ap ?ao }} }} ;\n"
        f"DELETE {{ GRAPH {prov} {{ {graph} ?p ?o }} }} "
        f"WHERE {{ GRAPH {prov} {{ {graph} ?p ?o }} }}"
    )


def retract_papers_update(graph: NamedNode, papers: Sequence[NamedNode]) -> str:
    """SPARQL Update removing what ``graph`` says about each paper: its own triples, and the
    triples of its hash nodes (``{paper}#...``) linked to or from it in that graph.

    Shared nodes (authors, institutions, concepts, topics) are left alone: other
    papers' triples may need them.
    """
    values = " ".join(str(p) for p in papers)
    return f"""
DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }}
WHERE {{
  VALUES ?paper {{ {values} }}
  GRAPH {graph} {{
    {{ ?paper ?p ?o . BIND(?paper AS ?s) }}
    UNION
    {{ ?paper ?l ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?paper), "#")))
       ?s ?p ?o }}
    UNION
    {{ ?s ?l ?paper . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?paper), "#")))
       ?s ?p ?o }}
  }}
}}"""
