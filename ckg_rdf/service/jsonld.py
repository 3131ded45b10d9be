"""The compact JSON-LD ``@context``, generated from the ontology.

Generated rather than hand-written so it can never drift from
``ontology/ckg.ttl``: every ckg term gets its local name, object properties are
typed ``@id`` (so links compact to plain IRI strings), and the usual prefixes
from :data:`ckg_rdf.vocab.PREFIXES` compact everything else.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pyoxigraph as ox

from ckg_rdf.resources import ontology_path
from ckg_rdf.vocab import OWL_NS, PREFIXES, RDF, RDFS, ckg_terms

_OBJECT_PROPERTY = ox.NamedNode(OWL_NS + "ObjectProperty")


@cache
def context() -> dict[str, Any]:
    """The ``@context`` object (without the outer ``{"@context": ...}``)."""
    triples = list(ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE))
    object_properties = {
        t.subject.value for t in triples if t.predicate == RDF.type and t.object == _OBJECT_PROPERTY
    }
    ctx: dict[str, Any] = dict(PREFIXES)
    ctx["label"] = RDFS.label.value
    ctx["comment"] = RDFS.comment.value
    for name, term in sorted(ckg_terms().items()):
        if term.value in object_properties:
            ctx[name] = {"@id": term.value, "@type": "@id"}
        else:
            ctx[name] = term.value
    return ctx


def context_document() -> bytes:
    """``{"@context": ...}`` as served at ``/context.jsonld``."""
    return json.dumps({"@context": context()}, indent=2).encode()


def compact(ntriples: bytes) -> bytes:
    """N-Triples to compact JSON-LD with the generated context.

    rdflib does the compaction: pyoxigraph writes expanded JSON-LD only.
    """
    import rdflib  # imported late: only JSON-LD requests pay for it

    graph = rdflib.Graph()
    graph.parse(data=ntriples, format="nt")
    return graph.serialize(format="json-ld", context=context(), auto_compact=True).encode()
