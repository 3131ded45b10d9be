"""A tiny store filled through vocab terms: three topical clusters of papers with edges."""

from __future__ import annotations

import numpy as np
from pyoxigraph import Literal, Triple

from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphWriter
from ckg_rdf.vocab import CKG, RDF

TOPICS = {
    "virus": ("Coronavirus spike protein binding", "Viral spike binds ACE2."),
    "mask": ("Face masks reduce transmission", "Masks lower community spread."),
    "vaccine": ("mRNA vaccine immune response", "The vaccine induced neutralising antibodies."),
}


def fill(store: GraphWriter, iris: IriScheme, per_topic: int = 6) -> list[str]:
    """Papers p-<topic>-<i>; authors and concepts shared within a topic; one paper bare."""
    triples: list[Triple] = []
    ids: list[str] = []
    for t, (title, abstract) in TOPICS.items():
        for i in range(per_topic):
            pid = f"p-{t}-{i}"
            ids.append(pid)
            p = iris.paper(pid)
            triples += [
                Triple(p, RDF.type, CKG.Paper),
                Triple(p, CKG.title, Literal(f"{title} ({i})")),
                Triple(p, CKG.abstract, Literal(f"{abstract} Study {i}.")),
                Triple(p, CKG.authoredBy, iris.author(f"{t}-a{i % 3}")),
                Triple(p, CKG.authoredBy, iris.author(f"{t}-a{(i + 1) % 3}")),
                Triple(p, CKG.associatedConcept, iris.concept(f"{t}-c{i % 2}")),
                Triple(p, CKG.cites, iris.paper(f"p-{t}-{(i + 1) % per_topic}")),
            ]
    bare = iris.paper("p-no-edges")  # text but no KG edge
    triples += [Triple(bare, RDF.type, CKG.Paper), Triple(bare, CKG.title, Literal("Masks"))]
    ids.append("p-no-edges")
    store.add(in_graph(triples, iris.graph("papers")))
    return ids


def random_vectors(ids: list[str], dim: int, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(pid, rng.normal(size=dim).astype(np.float32)) for pid in ids]
