"""The build's embedding work: a paper step (text parts) and a graph stage (everything else).

Why two pieces: the body text is not in the store, it only flows past in
``PaperRecord``s, so :class:`TextEmbeddingStep` embeds each paper's parts
while the build streams them and hands the part vectors to the driver, which
keeps them in the vector cache. :class:`EmbeddingStage` runs once after all
papers are loaded: it (re)uses those cached part vectors, embeds titles and
abstracts read from the store for papers the step did not see, trains TransE
on the graph, writes every vector into the ``embeddings`` graph as RDF, and
rebuilds the index. It runs only when a graph it reads changed (or its
settings did), so a re-run with nothing new retrains nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

import numpy as np

from ckg_rdf.config import BuildConfig, EmbeddingSettings
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.embed import embeddings_available
from ckg_rdf.pipeline.steps import StageContext, StepDefaults, StepOutput, shared, stage_inputs_of
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphReader, count_rows
from ckg_rdf.vocab import CKG

T = TypeVar("T")
SPECTER_LABEL = "allenai/specter (CORD-19 cord_19_embeddings.csv)"
#: side records of the text step: (paper, part, text hash, model, vector) for the cache
TEXT_VECTORS = "text_vectors"


def _embedder(settings: EmbeddingSettings, cache_path: Path | None):  # type: ignore[no-untyped-def]
    from ckg_rdf.embed.cache import VectorCache
    from ckg_rdf.embed.text import TextEmbedder

    return TextEmbedder(
        settings.text_model,
        max_body_windows=settings.max_body_windows,
        batch_size=settings.batch_size,
        cache=VectorCache(cache_path) if cache_path else None,
    )


@dataclass(frozen=True)
class TextEmbeddingStep(StepDefaults):
    """PaperStep: part vectors of title, abstract and body for the cache; asserts no triples.

    ``cache_path`` is read for hits (so an unchanged part is never embedded twice);
    new vectors go back to the driver as side records.
    """

    settings: EmbeddingSettings
    cache_path: Path | None = None
    name: str = "text-embeddings"

    @property
    def version(self) -> str:
        return f"{self.settings.text_model or 'default'}-w{self.settings.max_body_windows}"

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        from ckg_rdf.embed.text import PaperTexts

        embedder = shared(
            ("text-embedder", self.settings, self.cache_path),
            lambda: _embedder(self.settings, self.cache_path),
        )
        rows: list = []
        vectors = embedder.embed_papers(
            [PaperTexts(p.paper_id, p.title, p.abstract, list(p.body)) for p in papers],
            progress=False,
            collect=rows,
        )
        out = StepOutput(side={TEXT_VECTORS: rows})
        out.counts["papers embedded"] = len(vectors)
        return out


def make_text_step(config: BuildConfig) -> TextEmbeddingStep | None:
    settings = config.embeddings
    if not settings.enabled or settings.specter_csv or embeddings_available():
        return None
    from ckg_rdf.datadir import DataDir

    return TextEmbeddingStep(settings, DataDir(config.store.data_path()).embed_cache)


_TEXTS = f"""
SELECT ?p ?t ?a WHERE {{
  ?p a {CKG.Paper} .
  OPTIONAL {{ ?p {CKG.title} ?t }} OPTIONAL {{ ?p {CKG.abstract} ?a }}
}}"""
#: papers embedded per chunk: memory stays flat whatever the corpus size
CHUNK = 4_096


def store_texts(store: GraphReader, iris: IriScheme) -> Iterator[tuple[str, str, str, str]]:
    """(paper IRI, paper id, title, abstract) for every ckg:Paper in the store, streamed.

    The query result is read lazily; only a 64-bit hash of each IRI is kept to
    drop the repeats a paper with two titles would give.
    """
    seen: set[int] = set()
    for s in store.query(_TEXTS):  # type: ignore[union-attr]
        iri = s["p"].value
        key = hash(iri)
        if key in seen:
            continue
        seen.add(key)
        yield (
            iri,
            iris.local_id(iri, "paper") or iri,
            s["t"].value if s["t"] is not None else "",
            s["a"].value if s["a"] is not None else "",
        )


def _chunks(items: Iterable[T], n: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


@dataclass(frozen=True)
class EmbeddingStage:
    """GraphStage: text + TransE vectors for every paper, as RDF and as an index."""

    settings: EmbeddingSettings
    semantic: bool = True
    graph: bool = True
    name: str = "embeddings"
    version: str = "2"
    requires: tuple[str, ...] = ("citations",)
    graphs: tuple[str, ...] = ("embeddings",)
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        return stage_inputs_of(
            ctx,
            ["papers", "concepts", "citations", "text-embeddings", "topics"],
            self.version,
            self.settings.model_dump(mode="json"),
            self.semantic,
            self.graph,
        )

    def run(self, ctx: StageContext) -> dict[str, int]:
        from ckg_rdf.embed.index import IndexConfig, SimilarityIndex

        counts: dict[str, int] = {
            "papers": count_rows(
                ctx.store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a {CKG.Paper} }}"
            )
        }
        if self.semantic:
            counts["semantic vectors"] = self._semantic(ctx, counts["papers"])
        if self.graph:
            counts.update(self._graph(ctx))
        ctx.store.flush()
        config = IndexConfig(weights=self.settings.weights)
        idx = SimilarityIndex.open(ctx.store, ctx.data.index_dir, config, rebuild=True)
        for mode, sp in idx.spaces.items():
            counts[f"indexed ({mode})"] = len(sp.space.iris)
        # the keyword half of the hybrid recommendations, rebuilt with the vector index
        from ckg_rdf.recommend.lexical import LexicalIndex

        lexical = LexicalIndex.open(ctx.store, ctx.data.bm25_dir, rebuild=True)
        counts["indexed (bm25)"] = len(lexical.iris)
        return counts

    def _semantic(self, ctx: StageContext, total: int) -> int:
        from ckg_rdf.embed.vectors import ModelInfo, write_embeddings

        if self.settings.specter_csv is not None:
            from ckg_rdf.embed.text import read_cord19_embeddings

            path = Path(self.settings.specter_csv)
            wanted = {pid for _, pid, _, _ in store_texts(ctx.store, ctx.iris)}
            vecs = ((u, v) for u, v in read_cord19_embeddings(path) if u in wanted)
            info = ModelInfo("specter-cord19", SPECTER_LABEL, "semantic")
            n = write_embeddings(ctx.store, ctx.iris, info, vecs)
            ctx.notes.append(f"semantic vectors: {n} read from {path}")
            return n
        from rich.progress import Progress

        from ckg_rdf.embed.text import PaperTexts

        emb = _embedder(self.settings, ctx.data.embed_cache)
        if emb.note:
            ctx.notes.append(emb.note)
        ctx.notes.append(f"text model: {emb.info.label} ({emb.dim}-d, device {emb.device})")

        def vectors(tick: Callable[[int], None]) -> Iterator[tuple[str, np.ndarray]]:
            for chunk in _chunks(store_texts(ctx.store, ctx.iris), CHUNK):
                texts = [PaperTexts(pid, title, abstract) for _, pid, title, abstract in chunk]
                bodies = {}
                for _, pid, _, _ in chunk:
                    body = emb.cache.latest(pid, "body", emb.info.label)
                    if body is not None:
                        bodies[pid] = body
                vecs = emb.embed_papers(texts, progress=False, extra_parts=bodies)
                yield from sorted(vecs.items())
                tick(len(chunk))

        with Progress(disable=not ctx.progress, transient=True) as bar:
            task = bar.add_task(f"embedding papers with {emb.info.label}", total=total)
            n = write_embeddings(
                ctx.store, ctx.iris, emb.info, vectors(lambda k: bar.advance(task, k))
            )
        emb.cache.close()
        return n

    def _graph(self, ctx: StageContext) -> dict[str, int]:
        from ckg_rdf.embed.kge import KGE_BACKENDS, KGEConfig, KGEError, graph_triples
        from ckg_rdf.embed.vectors import ModelInfo, write_embeddings

        triples = graph_triples(ctx.store)
        if len(triples) == 0:
            ctx.notes.append("no edges in the graph: no KG vectors")
            return {"kg vectors": 0, "kg triples": 0}
        kge = KGEConfig(
            dim=self.settings.kge_dim, epochs=self.settings.kge_epochs, seed=self.settings.kge_seed
        )
        try:
            model = KGE_BACKENDS.create(self.settings.kge_backend).fit(triples, kge)
        except KGEError as exc:
            ctx.notes.append(f"KG vectors skipped: {exc}")
            return {"kg vectors": 0, "kg triples": len(triples)}
        info = ModelInfo(
            "transe",
            f"TransE ({model.backend}, dim {kge.dim}, {kge.epochs} epochs, seed {kge.seed})",
            "kg",
        )
        papers = ((iri, pid) for iri, pid, _, _ in store_texts(ctx.store, ctx.iris))

        def vectors() -> Iterator[tuple[str, np.ndarray]]:
            for chunk in _chunks(papers, CHUNK):
                ids = dict(chunk)
                vecs = model.vectors_for(list(ids))
                yield from ((ids[iri], v) for iri, v in sorted(vecs.items()))

        n = write_embeddings(ctx.store, ctx.iris, info, vectors())
        epoch = float(np.mean(model.epoch_seconds)) if model.epoch_seconds else 0.0
        ctx.notes.append(f"TransE ({model.backend}): {len(triples)} triples, {epoch:.3f} s/epoch")
        return {"kg vectors": n, "kg triples": len(triples)}


def make_embedding_stage(config: BuildConfig) -> EmbeddingStage | None:
    if not config.embeddings.enabled:
        return None
    if embeddings_available():
        return None
    return EmbeddingStage(config.embeddings)
