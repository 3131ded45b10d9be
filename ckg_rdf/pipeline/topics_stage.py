"""Topics in the build: a paper step that keeps each paper's text, a stage that models it.

Why two pieces: a topic model is fitted on the whole corpus, but the body text
is not in the graph, it only flows past in ``PaperRecord``s. So
:class:`TopicTextStep` hands each paper's title, abstract and body (the body
capped, compressed) to the driver, which keeps them in ``DATA/topics/texts.sqlite``;
:class:`TopicStage` then fits the seeded model on them once and saves it in
``DATA/topics/model``. Later builds do not retrain: new or changed papers are
inferred into the saved model, so topic IRIs (from the seed ids) and every
other paper's links stay as they are. Retraining happens when the seeds or the
settings change, or on request (``ckg topics --retrain``).

Graphs: ``topic-model`` holds the topics, their top terms and the model node
(rewritten whole each run: a few hundred triples, so a new labels file takes
effect without retraining); ``topics`` holds the paper links (retracted and
rewritten per paper).
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Triple

from ckg_rdf.config import BuildConfig, TopicSettingsConfig
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.errors import CkgError
from ckg_rdf.pipeline.steps import StageContext, StepDefaults, StepOutput, stage_inputs_of
from ckg_rdf.rdf.graphs import in_graph, retract_papers_update
from ckg_rdf.rdf.iris import IriScheme

#: side records of the text step: (paper id, text hash, compressed text)
TOPIC_TEXTS = "topic_texts"
#: characters of body text kept per paper (a topic is clear long before the end of a paper)
BODY_CHARS = 20_000
MODEL_GRAPH = "topic-model"
LINKS_GRAPH = "topics"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (paper_id TEXT PRIMARY KEY, hash TEXT NOT NULL, text BLOB);
CREATE TABLE IF NOT EXISTS assigned (paper_id TEXT PRIMARY KEY, hash TEXT NOT NULL,
                                     model TEXT NOT NULL);
"""


def topic_text(paper: PaperRecord) -> str:
    body, size = [], 0
    for paragraph in paper.body:
        if size >= BODY_CHARS:
            break
        body.append(paragraph)
        size += len(paragraph)
    return "\n".join(t for t in (paper.title, paper.abstract, *body) if t)


class TopicTexts:
    """The texts the topic model reads, kept in the data directory (one row per paper)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.executescript(_SCHEMA)

    def put(self, rows: list[tuple[str, str, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", rows)
        self.db.commit()

    def texts(self) -> Iterator[tuple[str, str]]:
        for pid, blob in self.db.execute("SELECT paper_id, text FROM texts ORDER BY paper_id"):
            yield pid, zlib.decompress(blob).decode("utf-8")

    def pending(self, model: str) -> list[tuple[str, str]]:
        """Papers whose text changed, or that were never assigned by ``model``."""
        rows = self.db.execute(
            "SELECT t.paper_id, t.text FROM texts t LEFT JOIN assigned a "
            "ON a.paper_id = t.paper_id WHERE a.paper_id IS NULL OR a.hash != t.hash "
            "OR a.model != ? ORDER BY t.paper_id",
            (model,),
        )
        return [(pid, zlib.decompress(blob).decode("utf-8")) for pid, blob in rows]

    def mark(self, paper_ids: Sequence[str], model: str) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO assigned SELECT paper_id, hash, ? FROM texts "
            "WHERE paper_id = ?",
            [(model, pid) for pid in paper_ids],
        )
        self.db.commit()

    def forget_assignments(self) -> None:
        self.db.execute("DELETE FROM assigned")
        self.db.commit()

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM texts").fetchone()[0])

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class TopicTextStep(StepDefaults):
    """PaperStep: hands each paper's text to the driver for the topic model; no triples."""

    name: str = "topic-texts"
    version: str = "1"

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        rows = []
        for paper in papers:
            text = topic_text(paper)
            digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
            rows.append((paper.paper_id, digest, zlib.compress(text.encode("utf-8"), 6)))
        out = StepOutput(side={TOPIC_TEXTS: rows})
        out.counts["papers kept"] = len(rows)
        return out


def make_topic_text_step(config: BuildConfig) -> TopicTextStep | None:
    return TopicTextStep() if config.topics.enabled else None


def _seeds(settings: TopicSettingsConfig):  # type: ignore[no-untyped-def]
    from ckg_rdf.topics import load_seeds

    return load_seeds(Path(settings.seeds) if settings.seeds else None)


def _file_digest(path: str | None) -> str:
    if not path:
        return ""
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise CkgError(f"cannot read {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class TopicStage:
    """GraphStage: fit (once) or apply the seeded topic model; write topics and links."""

    settings: TopicSettingsConfig
    retrain: bool = False
    name: str = "topics"
    version: str = "1"
    requires: tuple[str, ...] = ()
    graphs: tuple[str, ...] = (LINKS_GRAPH, MODEL_GRAPH)
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        return stage_inputs_of(
            ctx,
            ["topic-texts"],
            self.version,
            self.settings.model_dump(mode="json"),
            _file_digest(self.settings.seeds),
            _file_digest(self.settings.labels),
        )

    def _model_settings(self):  # type: ignore[no-untyped-def]
        from ckg_rdf.topics import TopicSettings

        return TopicSettings(
            extra_topics=self.settings.extra_topics, iterations=self.settings.iterations
        )

    def run(self, ctx: StageContext) -> dict[str, int]:
        from ckg_rdf.rdf.topics import link_triples, model_triples, topic_triples
        from ckg_rdf.topics import Assigner, TopicModel, load_labels

        texts = TopicTexts(ctx.data.topics_dir / "texts.sqlite")
        model_dir = ctx.data.topics_dir / "model"
        try:
            if texts.count() == 0:
                return {"papers": 0}
            seeds = _seeds(self.settings)
            wanted = self._model_settings()
            model = None
            if not self.retrain and (model_dir / "model.json").exists():
                saved = TopicModel.load(model_dir)
                same = saved.settings == wanted and saved.seeds.to_toml() == seeds.to_toml()
                model = saved if same else None
            trained = model is None
            if trained:
                from ckg_rdf.topics import fit

                model = fit(texts.texts(), seeds, wanted)
                texts.forget_assignments()
            assert model is not None
            labels_unknown: list[str] = []
            if self.settings.labels:
                labels_unknown = model.apply_labels(load_labels(Path(self.settings.labels)))
            if trained or self.settings.labels:
                model.save(model_dir)
            if labels_unknown:
                ctx.notes.append(
                    f"topic labels file names no topic {', '.join(labels_unknown)} "
                    f"(topics: {', '.join(model.topic_ids)})"
                )
            info = model.info
            iris = ctx.iris
            model_graph = iris.graph(MODEL_GRAPH)
            ctx.store.clear_graph(model_graph)
            nodes = list(model_triples(info, iris))
            for topic in model.topics:
                nodes.extend(topic_triples(topic, info, iris))
            ctx.store.add(in_graph(nodes, model_graph))

            links_graph = iris.graph(LINKS_GRAPH)
            if trained:
                ctx.store.clear_graph(links_graph)
                pending_ids = None
                docs = model.training_topics()
            else:
                pending = texts.pending(info.slug)
                pending_ids = [pid for pid, _ in pending]
                for start in range(0, len(pending_ids), 500):
                    chunk = [iris.paper(pid) for pid in pending_ids[start : start + 500]]
                    ctx.store.update(retract_papers_update(links_graph, chunk))
                docs = model.infer(pending)
            assigner = Assigner(model.topic_ids, threshold=self.settings.threshold)
            batch: list[Triple] = []
            done: list[str] = []
            for link in assigner.links(docs):
                batch.extend(link_triples(link, info, iris))
                if len(batch) >= 50_000:
                    ctx.store.add(in_graph(batch, links_graph))
                    batch = []
            ctx.store.add(in_graph(batch, links_graph))
            done = pending_ids if pending_ids is not None else model.paper_ids + model.duplicates
            texts.mark(done, info.slug)
            ctx.notes.extend(f"topics: {line}" for line in assigner.summary.lines())
            summary = assigner.summary
            return {
                "topics": model.k,
                "model trained": int(trained),
                "papers assigned now": summary.papers,
                "papers linked to a topic": summary.papers_with_topic,
                "paper-topic links": summary.links,
                "papers without a topic": sum(summary.without_topic.values()),
            }
        finally:
            texts.close()


def make_topic_stage(config: BuildConfig) -> TopicStage | None:
    return TopicStage(config.topics) if config.topics.enabled else None
