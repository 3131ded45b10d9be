"""The build's embedding work: a paper step (body text) and a graph stage (everything else).

Why two pieces: the body text is not in the store, it only flows past in
``PaperRecord``s, so ``TextEmbeddingStep`` embeds each paper's parts while the
build streams them and leaves the vectors in the on-disk cache. The
``EmbeddingStage`` runs once after all papers are loaded: it (re)uses those
cached part vectors, embeds titles and abstracts read from the store for
papers the step did not see, trains TransE on the graph, writes every vector
into the store as RDF, and rebuilds the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyoxigraph import Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.embed.cache import VectorCache
from ckg_rdf.embed.index import IndexConfig, SimilarityIndex, index_dir_for, paper_local_id
from ckg_rdf.embed.kge import KGEConfig, KGEError, get_embedder, graph_triples
from ckg_rdf.embed.vectors import ModelInfo, write_embeddings
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.store.base import GraphStore
from ckg_rdf.vocab import CKG

SPECTER_LABEL = "allenai/specter (CORD-19 cord_19_embeddings.csv)"


def cache_path_for(store_path: Path | None) -> Path | None:
    """``<store>/embed-cache.sqlite`` in the data directory (None for an in-memory store)."""
    if store_path is None:
        return None
    return Path(store_path) / "embed-cache.sqlite"


@dataclass
class TextEmbeddingStep:
    """PaperStep: embed title, abstract and body windows into the cache; asserts no triples."""

    cache_path: Path
    text_model: str | None = None
    max_body_windows: int = 2
    batch_size: int = 32
    name: str = "text-embeddings"
    _embedder: object = field(default=None, repr=False)
    _count: int = 0

    @property
    def version(self) -> str:
        return f"{self.text_model or 'default'}-w{self.max_body_windows}"

    def _get(self):  # type: ignore[no-untyped-def]
        from ckg_rdf.embed.text import TextEmbedder

        if self._embedder is None:
            self._embedder = TextEmbedder(
                self.text_model,
                max_body_windows=self.max_body_windows,
                batch_size=self.batch_size,
                cache=VectorCache(self.cache_path),
            )
        return self._embedder

    def triples(self, papers: Sequence[PaperRecord], minter: IriMinter) -> Iterable[Triple]:
        from ckg_rdf.embed.text import PaperTexts

        self._count += len(
            self._get().embed_papers(
                [PaperTexts(p.paper_id, p.title, p.abstract, list(p.body)) for p in papers],
                progress=False,
            )
        )
        return []

    def summary(self) -> dict[str, int]:
        return {"papers embedded": self._count}


def _store_texts(store: GraphStore) -> dict[str, tuple[str, str, str]]:
    """paper IRI -> (paper id, title, abstract) for every ckg:Paper in the store."""
    q = (
        f"SELECT ?p ?t ?a WHERE {{ ?p a <{CKG.Paper.value}> ."
        f" OPTIONAL {{ ?p <{CKG.title.value}> ?t }} OPTIONAL {{ ?p <{CKG.abstract.value}> ?a }} }}"
    )
    out: dict[str, tuple[str, str, str]] = {}
    for s in store.query(q):
        iri = s["p"].value
        if iri in out:
            continue
        out[iri] = (
            paper_local_id(iri),
            s["t"].value if s["t"] is not None else "",
            s["a"].value if s["a"] is not None else "",
        )
    return out


@dataclass
class EmbeddingStage:
    """GraphStage: text + TransE vectors for every paper, as RDF and as an index."""

    text_model: str | None = None
    specter_csv: Path | None = None
    kge_backend: str = "pykeen"
    kge: KGEConfig = field(default_factory=lambda: KGEConfig(epochs=50))
    index: IndexConfig = field(default_factory=IndexConfig)
    cache_path: Path | None = None
    max_body_windows: int = 2
    batch_size: int = 32
    semantic: bool = True
    graph: bool = True
    progress: bool = True
    name: str = "embeddings"
    notes: list[str] = field(default_factory=list)

    def run(self, store: GraphStore, minter: IriMinter) -> dict[str, int]:
        papers = _store_texts(store)
        counts: dict[str, int] = {"papers": len(papers)}
        if self.semantic:
            counts["semantic vectors"] = self._semantic(store, minter, papers)
        if self.graph:
            counts.update(self._graph(store, minter, papers))
        if hasattr(store, "flush"):
            store.flush()
        idx = SimilarityIndex.open(store, self.index, rebuild=True)
        for mode, sp in idx.spaces.items():
            counts[f"indexed ({mode})"] = len(sp.space.iris)
        return counts

    def _semantic(self, store: GraphStore, minter: IriMinter, papers: dict) -> int:
        if self.specter_csv is not None:
            from ckg_rdf.embed.text import read_cord19_embeddings

            wanted = {pid for pid, _, _ in papers.values()}
            vecs = [(u, v) for u, v in read_cord19_embeddings(self.specter_csv) if u in wanted]
            info = ModelInfo("specter-cord19", SPECTER_LABEL, "semantic")
            self.notes.append(f"semantic vectors: {len(vecs)} read from {self.specter_csv}")
            return write_embeddings(store, minter, info, vecs)
        from ckg_rdf.embed.text import PaperTexts, TextEmbedder

        cache_path = self.cache_path or cache_path_for(getattr(store, "path", None))
        cache = VectorCache(cache_path)
        emb = TextEmbedder(
            self.text_model,
            max_body_windows=self.max_body_windows,
            batch_size=self.batch_size,
            cache=cache,
        )
        if emb.note:
            self.notes.append(emb.note)
        self.notes.append(f"text model: {emb.info.label} ({emb.dim}-d, device {emb.device})")
        texts = []
        body_vectors: dict[str, np.ndarray] = {}
        for pid, title, abstract in papers.values():
            texts.append(PaperTexts(pid, title, abstract))
            body = cache.latest(pid, "body", emb.info.label)
            if body is not None:
                body_vectors[pid] = body
        vecs = emb.embed_papers(texts, progress=self.progress, extra_parts=body_vectors)
        cache.close()
        return write_embeddings(store, minter, emb.info, sorted(vecs.items()))

    def _graph(self, store: GraphStore, minter: IriMinter, papers: dict) -> dict[str, int]:
        triples = graph_triples(store)
        if len(triples) == 0:
            self.notes.append("no edges in the graph: no KG vectors")
            return {"kg vectors": 0, "kg triples": 0}
        try:
            model = get_embedder(self.kge_backend).fit(triples, self.kge)
        except KGEError as exc:
            self.notes.append(f"KG vectors skipped: {exc}")
            return {"kg vectors": 0, "kg triples": len(triples)}
        vecs = model.vectors_for(list(papers))
        info = ModelInfo(
            "transe",
            f"TransE ({model.backend}, dim {self.kge.dim}, {self.kge.epochs} epochs,"
            f" seed {self.kge.seed})",
            "kg",
        )
        n = write_embeddings(
            store, minter, info, ((papers[iri][0], v) for iri, v in sorted(vecs.items()))
        )
        epoch = float(np.mean(model.epoch_seconds)) if model.epoch_seconds else 0.0
        self.notes.append(f"TransE ({model.backend}): {len(triples)} triples, {epoch:.3f} s/epoch")
        return {"kg vectors": n, "kg triples": len(triples)}


__all__ = ["EmbeddingStage", "TextEmbeddingStep", "cache_path_for", "index_dir_for"]
