"""Triples for concepts and for weighted paper->concept links.

Modelling (docs/concepts.md): a Concept node ``{base}concept/{id}`` with
SKOS labels, its ckg:ConceptType, its source vocabulary and version, and
skos:exactMatch links to the vocabularies' own IRIs. A paper that mentions a
concept gets the direct ``ckg:associatedConcept`` edge (easy SPARQL) and a
qualified ``ckg:ConceptAnnotation`` node (a W3C Web Annotation: target the
paper, body the concept) carrying the mention count and score. The
annotation's IRI is ``{paper IRI}#concept-{id}`` (:meth:`IriScheme.annotation`):
derived from the pair, so a rebuild writes the same triples again (no blank
nodes, no duplicates), and it dereferences with its paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Triple

from ckg_rdf.extract.concepts.base import ConceptInfo
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.vocab import CKG, CLOSE_MATCH_SCHEMES, OA, PROV, RDF, SKOS, XSD, external_iri

#: concept type name (as extractors return it) -> ckg:ConceptType individual
TYPE_NODES: dict[str, NamedNode] = {
    "MEDICAL_CONDITION": CKG.MedicalCondition,
    "MEDICATION": CKG.Medication,
    "ANATOMY": CKG.Anatomy,
    "TEST_TREATMENT_PROCEDURE": CKG.TestTreatmentProcedure,
    "GENE_OR_PROTEIN": CKG.GeneOrProtein,
    "ORGANISM": CKG.Organism,
    "CHEMICAL": CKG.Chemical,
}

#: extractor backend name -> the prov:SoftwareAgent individual
AGENTS: dict[str, NamedNode] = {
    "vocab": CKG.VocabularyMatcher,
    "model": CKG.NerModel,
    "learned": CKG.LearnedNer,
}


@dataclass(frozen=True, slots=True)
class ConceptLink:
    """One paper's aggregated mentions of one concept."""

    concept_id: str
    mention_count: int
    score: float


def _en(text: str) -> Literal:
    return Literal(text, language="en")


def concept_triples(info: ConceptInfo, iris: IriScheme) -> Iterator[Triple]:
    """Everything said about a Concept node itself."""
    node = iris.concept(info.concept_id)
    yield Triple(node, RDF.type, CKG.Concept)
    yield Triple(node, SKOS.prefLabel, _en(info.pref_label))
    for alt in info.alt_labels:
        yield Triple(node, SKOS.altLabel, _en(alt))
    type_node = TYPE_NODES.get(info.type)
    if type_node is not None:
        yield Triple(node, CKG.conceptType, type_node)
    yield Triple(node, CKG.sourceVocabulary, Literal(info.source))
    yield Triple(node, CKG.sourceVersion, Literal(info.source_version))
    for scheme, local in info.xrefs:
        target = external_iri(scheme, local)
        if target is not None:
            match = SKOS.closeMatch if scheme in CLOSE_MATCH_SCHEMES else SKOS.exactMatch
            yield Triple(node, match, target)


def paper_link_triples(
    paper: NamedNode,
    links: Iterable[ConceptLink],
    iris: IriScheme,
    *,
    extractor_name: str,
    extractor_version: str,
) -> list[Triple]:
    """The direct edge and the qualified annotation for each of one paper's concept links.

    A build writes nine triples for each of millions of links, so the terms
    that repeat are made once: the paper's IRI per paper, the version and
    agent per call, count and score literals per distinct value.
    """
    version = Literal(extractor_version)
    agent = AGENTS.get(extractor_name)
    out: list[Triple] = []
    add = out.append
    for link in links:
        concept = _concept_iri(iris, link.concept_id)
        ann = iris.annotation_of(paper, link.concept_id)
        add(Triple(paper, CKG.associatedConcept, concept))
        add(Triple(ann, RDF.type, CKG.ConceptAnnotation))
        add(Triple(ann, OA.hasTarget, paper))
        add(Triple(ann, OA.hasBody, concept))
        add(Triple(ann, OA.motivatedBy, OA.identifying))
        add(Triple(ann, CKG.mentionCount, _integer(link.mention_count)))
        add(Triple(ann, CKG.score, _score(link.score)))
        add(Triple(ann, CKG.extractorVersion, version))
        if agent is not None:
            add(Triple(ann, PROV.wasAttributedTo, agent))
    return out


@lru_cache(maxsize=65536)
def _concept_iri(iris: IriScheme, concept_id: str) -> NamedNode:
    return iris.concept(concept_id)


@lru_cache(maxsize=4096)
def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


@lru_cache(maxsize=65536)
def _score(value: float) -> Literal:
    return Literal(f"{value:.4f}", datatype=XSD.double)


def type_triples() -> Iterator[Triple]:
    """The concept-type individuals, so the graph answers type queries by itself.

    They are declared in the ontology too; repeating the few triples here
    means a store without the ontology loaded still has each type's notation.
    """
    for notation, node in TYPE_NODES.items():
        yield Triple(node, RDF.type, CKG.ConceptType)
        yield Triple(node, SKOS.inScheme, CKG.ConceptTypeScheme)
        yield Triple(node, SKOS.notation, Literal(notation))
        yield Triple(node, SKOS.prefLabel, _en(notation.replace("_", " ").lower()))
