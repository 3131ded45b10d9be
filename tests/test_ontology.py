"""The ontology is valid OWL, loads in rdflib and owlready2, and declares every term we emit."""

from __future__ import annotations

import io

import owlready2
import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from ckg_rdf.resources import ontology_path
from ckg_rdf.vocab import CKG_NS, ONTOLOGY_IRI, ONTOLOGY_VERSION_IRI, PREFIXES, ckg_terms


def _graph() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(ontology_path(), format="turtle")
    return g


def declared(g: rdflib.Graph) -> set[str]:
    """IRIs the ontology declares: subjects typed as a class, property, scheme or individual."""
    return {str(s) for s in g.subjects(RDF.type) if isinstance(s, rdflib.URIRef)}


def test_ontology_has_iri_and_version_iri() -> None:
    g = _graph()
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in g
    assert (onto, OWL.versionIRI, rdflib.URIRef(ONTOLOGY_VERSION_IRI)) in g


def test_every_vocab_term_is_declared_in_the_ontology() -> None:
    names = declared(_graph())
    missing = [name for name, term in ckg_terms().items() if term.value not in names]
    assert missing == []


def test_every_class_and_property_has_label_comment_and_alignment() -> None:
    g = _graph()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in g.subjects(RDF.type, kind):
            if not str(term).startswith(CKG_NS):
                continue
            assert g.value(term, RDFS.label) is not None, term
            assert g.value(term, RDFS.comment) is not None, term
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        assert g.value(prop, RDFS.domain) is not None, prop
        assert g.value(prop, RDFS.range) is not None, prop
    # the five node types are aligned to well-known vocabularies
    for cls in ("Paper", "Author", "Institution", "Concept", "Topic"):
        parents = {str(o) for o in g.objects(rdflib.URIRef(CKG_NS + cls), RDFS.subClassOf)}
        assert parents and not all(p.startswith(CKG_NS) for p in parents), cls
    cites = rdflib.URIRef(CKG_NS + "cites")
    assert (cites, RDFS.subPropertyOf, rdflib.URIRef("http://purl.org/spar/cito/cites")) in g
    assert (cites, OWL.inverseOf, rdflib.URIRef(CKG_NS + "citedBy")) in g


def test_ontology_loads_in_owlready2() -> None:
    # owlready2 reads no Turtle (it silently loads nothing): hand it N-Triples.
    data = ox.serialize(ox.parse(path=str(ontology_path())), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    onto = world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(data), format="ntriples")
    classes = {c.iri for c in onto.classes()}
    assert {CKG_NS + c for c in ("Paper", "Author", "Institution", "Concept", "Topic")} <= classes
    props = {p.iri for p in onto.object_properties()}
    assert CKG_NS + "cites" in props
    assert onto.cites.inverse_property is onto.citedBy


def test_every_iri_the_pipeline_emits_in_our_namespace_is_declared(sample_store) -> None:
    names = declared(_graph())
    used = set()
    for row in sample_store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
        used.add(row["p"].value)
    for row in sample_store.query("SELECT DISTINCT ?c WHERE { ?s a ?c }"):
        used.add(row["c"].value)
    ours = {iri for iri in used if iri.startswith(CKG_NS)}
    assert ours, "the sample build emitted no ckg: terms"
    assert ours - names == set()
    # everything else we emit comes from the well-known vocabularies vocab.py lists
    known = tuple(PREFIXES.values())
    assert all(iri.startswith(known) for iri in used - ours), used - ours
