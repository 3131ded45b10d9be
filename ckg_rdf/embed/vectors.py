"""Embeddings as linked data: ``ckg:Embedding`` nodes with a ``ckg:float32Vector`` literal.

Why RDF and not a side file: the vectors then travel with ``ckg export`` and a
re-import, and a SPARQL user can see which model made which vector and when.
The index (``index.py``) is only a cache derived from these triples.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from pyoxigraph import Literal, NamedNode, Triple

from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphReader, GraphWriter
from ckg_rdf.vocab import CKG, RDF, RDFS, XSD

#: which kind of space a vector lives in; also the class of its node
KIND_CLASSES: dict[str, NamedNode] = {"semantic": CKG.TextEmbedding, "kg": CKG.GraphEmbedding}


def encode_vector(vec: np.ndarray) -> str:
    """float32 little-endian bytes, base64: about 2.7x smaller than a decimal list."""
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def decode_vector(text: str) -> np.ndarray:
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 4:
        raise ValueError("a ckg:float32Vector must hold a multiple of 4 bytes")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


@dataclass(frozen=True)
class ModelInfo:
    """What is recorded about the model that made a vector."""

    slug: str
    label: str
    kind: str  # "semantic" | "kg"


def embedding_triples(
    iris: IriScheme,
    paper_id: str,
    model: ModelInfo,
    vector: np.ndarray,
    created: datetime | None = None,
) -> list[Triple]:
    """The triples of one paper's embedding node (stable IRI per paper and model)."""
    node = iris.embedding(paper_id, model.slug)
    created = created or datetime.now(UTC)
    stamp = created.isoformat(timespec="seconds").replace("+00:00", "Z")
    return [
        Triple(iris.paper(paper_id), CKG.hasEmbedding, node),
        Triple(node, RDF.type, KIND_CLASSES[model.kind]),
        Triple(node, CKG.embeddingModel, iris.model(model.slug)),
        Triple(node, CKG.dimension, Literal(str(int(vector.shape[0])), datatype=XSD.integer)),
        Triple(node, CKG.createdAt, Literal(stamp, datatype=XSD.dateTime)),
        Triple(node, CKG.vector, Literal(encode_vector(vector), datatype=CKG.float32Vector)),
    ]


def model_triples(iris: IriScheme, model: ModelInfo) -> list[Triple]:
    iri = iris.model(model.slug)
    return [
        Triple(iri, RDF.type, CKG.EmbeddingModel),
        Triple(iri, RDFS.label, Literal(model.label)),
    ]


#: the named graph of the embeddings stage
EMBEDDINGS_GRAPH = "embeddings"


def write_embeddings(
    store: GraphWriter,
    iris: IriScheme,
    model: ModelInfo,
    vectors: Iterable[tuple[str, np.ndarray]],
) -> int:
    """Replace all vectors of ``model.kind`` with these (one node per paper).

    Every old node of that kind is removed first, whatever its model, so a
    re-run never leaves two vectors on a node nor vectors of two models in one
    space. Returns the number written.
    """
    created = datetime.now(UTC)
    graph = iris.graph(EMBEDDINGS_GRAPH)
    n = 0
    clear_embeddings(store, iris, model.kind)
    batch: list[Triple] = model_triples(iris, model)
    for paper_id, vec in vectors:
        batch.extend(embedding_triples(iris, paper_id, model, vec, created))
        n += 1
        if len(batch) >= 60_000:
            store.add(in_graph(batch, graph))
            batch = []
    if batch:
        store.add(in_graph(batch, graph))
    return n


def clear_embeddings(store: GraphWriter, iris: IriScheme, kind: str) -> None:
    """Delete every embedding node of ``kind`` and the links to it (in the embeddings graph)."""
    cls = KIND_CLASSES[kind]
    graph = iris.graph(EMBEDDINGS_GRAPH)
    store.update(
        f"DELETE {{ GRAPH {graph} {{ ?p {CKG.hasEmbedding} ?n . ?n ?x ?y }} }} WHERE {{"
        f" GRAPH {graph} {{ ?p {CKG.hasEmbedding} ?n . ?n a {cls} . ?n ?x ?y }} }}"
    )


@dataclass(frozen=True)
class StoredVectors:
    """All vectors of one kind read back from the store, one row per paper."""

    paper_iris: list[str]
    vectors: np.ndarray  # (n, dim) float32
    model: str  # the model IRI
    fingerprint: str  # changes whenever any (node, created time) changes


_SELECT = """
PREFIX ckg: <{ns}>
SELECT ?paper ?node ?model ?created ?vector WHERE {{
  ?paper ckg:hasEmbedding ?node .
  ?node a <{cls}> ; ckg:embeddingModel ?model ; ckg:vector ?vector .
  OPTIONAL {{ ?node ckg:createdAt ?created }}
}}
"""


def _rows(store: GraphReader, kind: str) -> Iterator[tuple[str, str, str, str, str]]:
    ns = CKG.Paper.value[: -len("Paper")]
    for sol in store.query(_SELECT.format(ns=ns, cls=KIND_CLASSES[kind].value)):
        created = sol["created"]
        yield (
            sol["paper"].value,
            sol["node"].value,
            sol["model"].value,
            created.value if created is not None else "",
            sol["vector"].value,
        )


def read_vectors(store: GraphReader, kind: str, model: str | None = None) -> StoredVectors:
    """Read every paper's vector of ``kind``; with several models, the most common wins.

    Why one model per kind: vectors of two models live in different spaces and
    must not be compared. ``model`` (an IRI or a slug) picks one explicitly.
    """
    import hashlib

    rows = sorted(_rows(store, kind), key=lambda r: (r[0], r[1], r[3]))
    if model:
        rows = [r for r in rows if r[2] == model or r[2].rstrip("/").endswith("/" + model)]
    if not rows:
        return StoredVectors([], np.zeros((0, 0), np.float32), model or "", _EMPTY_FP)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    chosen = max(sorted(counts), key=lambda m: counts[m])
    h = hashlib.sha256()
    iris: list[str] = []
    vecs: list[np.ndarray] = []
    seen: set[str] = set()
    for paper, node, m, created, vec in rows:
        if m != chosen or paper in seen:
            continue
        seen.add(paper)
        h.update(f"{node}\t{created}\t{len(vec)}\n".encode())
        iris.append(paper)
        vecs.append(decode_vector(vec))
    dims = {v.shape[0] for v in vecs}
    if len(dims) != 1:
        raise ValueError(f"vectors of model {chosen} have different dimensions: {sorted(dims)}")
    return StoredVectors(iris, np.vstack(vecs), chosen, h.hexdigest())


_EMPTY_FP = "empty"


def vectors_fingerprint(store: GraphReader) -> str:
    """A digest of every embedding node and its creation time, without reading vectors.

    Writing vectors always sets a new ``ckg:createdAt`` (``write_embeddings``
    replaces nodes), so a changed digest means the index is stale.
    """
    import hashlib

    ns = CKG.Paper.value[: -len("Paper")]
    q = (
        f"PREFIX ckg: <{ns}> SELECT ?node ?model ?created WHERE {{ ?p ckg:hasEmbedding ?node ."
        " ?node ckg:embeddingModel ?model . OPTIONAL { ?node ckg:createdAt ?created } }"
    )
    rows = sorted(
        f"{s['node'].value}\t{s['model'].value}\t{s['created'].value if s['created'] else ''}"
        for s in store.query(q)
    )
    if not rows:
        return _EMPTY_FP
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()
