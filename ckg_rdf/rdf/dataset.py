"""The dataset described with VoID and DCAT: sizes, licences, source, links out, examples.

Written by the build (the ``dataset`` stage) into its own graph, so the description
travels with ``ckg export`` and the service reads it instead of counting per request;
the service adds what only it knows (its SPARQL endpoint, its dump) when it serves
``/.well-known/void``. The dataset's IRI is ``{base}.well-known/void#dataset``: where
``ckg serve`` answers for the base IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Triple

from ckg_rdf import __version__
from ckg_rdf.rdf.iris import IriScheme, slug
from ckg_rdf.vocab import (
    CKG,
    CLOSE_MATCH_SCHEMES,
    DCAT,
    DCTERMS,
    EXTERNAL_IRI_PREFIXES,
    FOAF,
    PROV,
    RDF,
    SKOS,
    VOID,
    XSD,
)

CORD19 = NamedNode("https://github.com/allenai/cord19")
#: the vocabularies concepts link to, by scheme (their registry pages stand for them)
TARGETS: dict[str, str] = {
    scheme: f"https://bioregistry.io/registry/{scheme.lower().replace('_us', '')}"
    for scheme in EXTERNAL_IRI_PREFIXES
}


@dataclass
class DatasetStats:
    """What the description says, counted by the build."""

    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]
    properties: dict[str, int]
    #: scheme -> number of concept links into it
    linksets: dict[str, int]
    #: CORD-19 licence name -> number of papers
    licences: dict[str, int]
    examples: list[str] = field(default_factory=list)
    release: str = ""
    release_date: str = ""
    papers: int = 0


def dataset_iri(base: str) -> NamedNode:
    return NamedNode(f"{base}.well-known/void#dataset")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def dataset_triples(
    iris: IriScheme, stats: DatasetStats, *, built: datetime, activity: NamedNode
) -> list[Triple]:
    ds = dataset_iri(iris.base)
    doc = NamedNode(f"{iris.base}.well-known/void")
    out = [
        Triple(doc, RDF.type, VOID.DatasetDescription),
        Triple(doc, FOAF.primaryTopic, ds),
        Triple(ds, RDF.type, VOID.Dataset),
        Triple(ds, RDF.type, DCAT.Dataset),
        Triple(ds, DCTERMS.title, Literal("CORD-19 knowledge graph (ckg-rdf)", language="en")),
        Triple(
            ds,
            DCTERMS.description,
            Literal(
                "Papers of the COVID-19 Open Research Dataset (CORD-19) with their authors, "
                "institutions, citations, medical concepts and topics, as linked data.",
                language="en",
            ),
        ),
        Triple(ds, DCTERMS.source, CORD19),
        Triple(ds, DCTERMS.modified, Literal(built.isoformat(), datatype=XSD.dateTime)),
        Triple(ds, PROV.wasGeneratedBy, activity),
        Triple(ds, CKG.softwareVersion, Literal(__version__)),
        Triple(ds, VOID.uriSpace, Literal(iris.base)),
        Triple(ds, VOID.vocabulary, NamedNode(CKG.Paper.value[: -len("Paper")])),
        Triple(ds, VOID.triples, _int(stats.triples)),
        Triple(ds, VOID.classes, _int(len(stats.classes))),
        Triple(ds, VOID.properties, _int(len(stats.properties))),
        Triple(ds, VOID.entities, _int(stats.papers)),
    ]
    if stats.release:
        out.append(Triple(ds, CKG.sourceRelease, Literal(stats.release)))
    if stats.release_date:
        out.append(Triple(ds, CKG.sourceReleaseDate, Literal(stats.release_date)))
    for name, n in sorted(stats.licences.items()):
        node = NamedNode(f"{ds.value}-licence-{slug(name)}")
        out += [
            Triple(ds, DCTERMS.license, node),
            Triple(node, RDF.type, DCTERMS.LicenseDocument),
            Triple(node, DCTERMS.title, Literal(name)),
            Triple(node, CKG.paperCount, _int(n)),
        ]
    for example in stats.examples:
        out.append(Triple(ds, VOID.exampleResource, NamedNode(example)))
    for graph, n in sorted(stats.graphs.items()):
        g = NamedNode(graph)
        out += [
            Triple(ds, VOID.subset, g),
            Triple(g, RDF.type, VOID.Dataset),
            Triple(g, VOID.triples, _int(n)),
        ]
    for i, (cls, n) in enumerate(sorted(stats.classes.items())):
        part = NamedNode(f"{ds.value}-class-{i}")
        out += [
            Triple(ds, VOID.classPartition, part),
            Triple(part, VOID.class_, NamedNode(cls)),
            Triple(part, VOID.entities, _int(n)),
        ]
    for i, (prop, n) in enumerate(sorted(stats.properties.items())):
        part = NamedNode(f"{ds.value}-property-{i}")
        out += [
            Triple(ds, VOID.propertyPartition, part),
            Triple(part, VOID.property, NamedNode(prop)),
            Triple(part, VOID.triples, _int(n)),
        ]
    for scheme, n in sorted(stats.linksets.items()):
        if n == 0:
            continue
        ls = NamedNode(f"{ds.value}-links-{scheme.lower()}")
        predicate = SKOS.closeMatch if scheme in CLOSE_MATCH_SCHEMES else SKOS.exactMatch
        out += [
            Triple(ls, RDF.type, VOID.Linkset),
            Triple(ds, VOID.subset, ls),
            Triple(ls, VOID.subjectsTarget, ds),
            Triple(ls, VOID.objectsTarget, NamedNode(TARGETS[scheme])),
            Triple(ls, VOID.linkPredicate, predicate),
            Triple(ls, VOID.triples, _int(n)),
            Triple(ls, DCTERMS.title, Literal(f"concept links to {scheme}")),
        ]
    return out
