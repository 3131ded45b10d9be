"""Triples for topics, their model, and weighted paper->topic links.

Modelling (ontology/ckg.ttl, "topics"): a ``ckg:Topic`` at ``{base}topic/{id}``
(the id comes from the seed file, so the IRI is stable across rebuilds) with
its label three ways (``ckg:topicLabel``; ``rdfs:label``, which the service's
pages show for neighbours; ``skos:prefLabel``, since a topic is a
skos:Concept), its id as ``skos:notation``, the seed file's label hint as
``skos:altLabel``, the seed terms used, its top terms as ``ckg:TopicTerm``
nodes at ``{topic IRI}#term-{rank}`` (term, weight, rank: ordered and
queryable without RDF lists) and ``ckg:topicModel`` pointing to the model
node ``{base}model/topics-{digest}``.

A paper above the threshold gets the direct ``ckg:associatedTopic`` edge and
a ``ckg:TopicAssignment`` (a Web Annotation, like concept annotations) at
``{paper IRI}#topic-{id}`` with the probability, attributed to the model.
Every IRI derives from ids, and every number is written with a fixed number
of digits, so rebuilding with the same model writes the same triples again:
no blank nodes, no duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Triple

from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.topics.records import ModelInfo, TopicInfo, TopicLink
from ckg_rdf.vocab import CKG, OA, PROV, RDF, RDFS, SKOS, XSD

#: digits written for probabilities and term weights (stable text, stable triples)
DIGITS = 6


def _en(text: str) -> Literal:
    return Literal(text, language="en")


def _double(value: float) -> Literal:
    return Literal(f"{value:.{DIGITS}f}", datatype=XSD.double)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def model_iri(model: ModelInfo, iris: IriScheme) -> NamedNode:
    return iris.model(model.slug)


def term_iri(topic: NamedNode, rank: int) -> NamedNode:
    """A top term's node: the topic IRI with a ``#term-{rank}`` fragment (1-based)."""
    return NamedNode(f"{topic.value}#term-{rank}")


def model_triples(model: ModelInfo, iris: IriScheme) -> Iterator[Triple]:
    """The topic model node: what it is and how it was made."""
    node = model_iri(model, iris)
    yield Triple(node, RDF.type, CKG.TopicModel)
    yield Triple(node, RDFS.label, _en(model.label))
    yield Triple(node, RDFS.comment, _en(model.description))
    yield Triple(node, CKG.topicCount, _integer(model.topic_count))
    yield Triple(node, CKG.documentCount, _integer(model.document_count))


def topic_triples(topic: TopicInfo, model: ModelInfo, iris: IriScheme) -> Iterator[Triple]:
    """Everything said about one Topic node, its top terms included."""
    node = iris.topic(topic.id)
    yield Triple(node, RDF.type, CKG.Topic)
    yield Triple(node, CKG.topicLabel, Literal(topic.label))
    yield Triple(node, RDFS.label, _en(topic.label))
    yield Triple(node, SKOS.prefLabel, _en(topic.label))
    yield Triple(node, SKOS.notation, Literal(topic.id))
    if topic.label_hint and topic.label_hint != topic.label:
        yield Triple(node, SKOS.altLabel, _en(topic.label_hint))
    for term in topic.seed_terms:
        yield Triple(node, CKG.seedTerm, Literal(term))
    yield Triple(node, CKG.topicModel, model_iri(model, iris))
    for rank, term in enumerate(topic.top_terms, start=1):
        t = term_iri(node, rank)
        yield Triple(node, CKG.topTerm, t)
        yield Triple(t, RDF.type, CKG.TopicTerm)
        yield Triple(t, CKG.termText, Literal(term.term))
        yield Triple(t, CKG.termWeight, _double(term.weight))
        yield Triple(t, CKG.termRank, _integer(rank))


def link_triples(link: TopicLink, model: ModelInfo, iris: IriScheme) -> Iterator[Triple]:
    """The direct edge and the qualified assignment for one paper-topic pair."""
    paper = iris.paper(link.paper_id)
    topic = iris.topic(link.topic_id)
    node = iris.topic_assignment(link.paper_id, link.topic_id)
    yield Triple(paper, CKG.associatedTopic, topic)
    yield Triple(node, RDF.type, CKG.TopicAssignment)
    yield Triple(node, OA.hasTarget, paper)
    yield Triple(node, OA.hasBody, topic)
    yield Triple(node, OA.motivatedBy, OA.classifying)
    yield Triple(node, CKG.topicProbability, _double(link.probability))
    yield Triple(node, PROV.wasAttributedTo, model_iri(model, iris))
