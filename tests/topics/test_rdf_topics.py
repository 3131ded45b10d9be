"""Triples for topics and paper -> topic links: declared terms, stable IRIs, idempotent."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF as RDFNS

from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.rdf.topics import (
    link_triples,
    model_triples,
    term_iri,
    topic_triples,
)
from ckg_rdf.resources import ontology_path
from ckg_rdf.topics import Assigner, TopicModel
from ckg_rdf.topics.records import ModelInfo, TopicInfo, TopicLink, TopicTerm
from ckg_rdf.vocab import CKG, CKG_NS, OA, PREFIXES

MINTER = IriScheme("http://example.org/")
MODEL = ModelInfo("topics-abc123", "Seeded LDA topic model (2 topics)", "test model", 2, 40)
TOPIC = TopicInfo(
    id="virology",
    index=0,
    label="capsid",
    auto_label="capsid",
    top_terms=(TopicTerm("virus", 0.05), TopicTerm("capsid", 0.02)),
    seeded=True,
    label_hint="Virology",
    seed_terms=("virus", "capsid"),
)


def _declared() -> set[str]:
    g = rdflib.Graph().parse(ontology_path(), format="turtle")
    return {str(s) for s in g.subjects(RDFNS.type) if isinstance(s, rdflib.URIRef)}


def _all_triples() -> list[ox.Triple]:
    return [
        *model_triples(MODEL, MINTER),
        *topic_triples(TOPIC, MODEL, MINTER),
        *link_triples(TopicLink("p1", "virology", 0.734), MODEL, MINTER),
    ]


def test_every_ckg_term_the_writer_uses_is_declared_in_the_ontology() -> None:
    used: set[str] = set()
    for t in _all_triples():
        used.add(t.predicate.value)
        if t.predicate == ox.NamedNode(str(RDFNS.type)):
            used.add(t.object.value)
    ours = {iri for iri in used if iri.startswith(CKG_NS)}
    assert {CKG.Topic.value, CKG.TopicAssignment.value, CKG.TopicTerm.value} <= ours
    assert ours - _declared() == set()
    assert all(iri.startswith(tuple(PREFIXES.values())) for iri in used)


def test_topic_node_label_terms_and_model() -> None:
    triples = set(topic_triples(TOPIC, MODEL, MINTER))
    topic = MINTER.topic("virology")
    assert topic.value == "http://example.org/topic/virology"
    assert ox.Triple(topic, CKG.topicLabel, ox.Literal("capsid")) in triples
    assert ox.Triple(topic, CKG.topicModel, MINTER.model("topics-abc123")) in triples
    first = term_iri(topic, 1)
    assert first.value == "http://example.org/topic/virology#term-1"
    assert ox.Triple(first, CKG.termText, ox.Literal("virus")) in triples
    weight = next(t.object for t in triples if t.subject == first and t.predicate == CKG.termWeight)
    assert float(weight.value) == 0.05


def test_link_is_direct_plus_a_qualified_assignment_at_a_hash_iri() -> None:
    triples = list(link_triples(TopicLink("p1", "virology", 0.734), MODEL, MINTER))
    paper = MINTER.paper("p1")
    node = MINTER.topic_assignment("p1", "virology")
    assert node.value == "http://example.org/paper/p1#topic-virology"
    assert ox.Triple(paper, CKG.associatedTopic, MINTER.topic("virology")) in triples
    assert ox.Triple(node, OA.hasBody, MINTER.topic("virology")) in triples
    prob = next(t.object for t in triples if t.predicate == CKG.topicProbability)
    assert prob.value == "0.734000"


def test_writing_the_same_model_twice_adds_no_triples(fitted: TopicModel) -> None:
    def write(store: ox.Store) -> None:
        info = fitted.info
        quads = [*model_triples(info, MINTER)]
        for topic in fitted.topics:
            quads.extend(topic_triples(topic, info, MINTER))
        for link in Assigner(fitted.topic_ids).links(fitted.training_topics()):
            quads.extend(link_triples(link, info, MINTER))
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in quads)

    store = ox.Store()
    write(store)
    n = len(store)
    assert n > 0
    write(store)
    assert len(store) == n
    # each topic IRI comes from the seed id, never from a topic number
    topics = {r["t"].value for r in store.query(f"SELECT ?t {{ ?t a <{CKG.Topic.value}> }}")}
    assert topics == {MINTER.topic(i).value for i in fitted.topic_ids}
