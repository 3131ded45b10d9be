"""The seeded topic model: fit, infer new papers, save and load.

**Model.** tomotopy's ``LDAModel`` (collapsed Gibbs sampling, C++), seeded in
the spirit of Z-LDA: before training, every seed word gets a word-topic prior
(``set_word_prior``) of ``seed_prior`` pseudo-counts in its own topic and
``other_prior`` in every other topic, instead of the symmetric ``eta``. The
default (100 in its topic, the ordinary ``eta`` elsewhere) *biases* seed
words toward their topic and lets the data decide the rest; with
``other_prior = 0`` a seed word can only be drawn from its topic (Z-LDA's
hard constraint).

Why tomotopy and not gensim, measured on identical prepared tokens
(``benchmarks/bench_topics.py``, README "Topics"): with seed priors of 1,
gensim's ``eta`` placed 10-15% of the seed words in their topic (tomotopy
80%); with 100, gensim places them but its topics become the seed lists
restated (35-76% of each topic's top 10 are its own seeds, against 25-27%
for tomotopy) and its NPMI halves or goes negative, while tomotopy's seeded
model keeps c_v at or above plain LDA's (NPMI x0.79 on the small bundled
sample, x1.14 on the larger one). Why 100: on both samples
it beat 1 on c_v, NPMI and seed placement, while 1000 made the bundled
sample's topics mostly seed words (83% of the top 10). It is a pseudo-count,
so its pull weakens as the corpus grows: raise it for corpora much larger
than a few million tokens.

**Reproducibility.** One worker and a fixed random seed: tomotopy then gives
bit-identical results for the same input (with several workers it warns that
results may differ). Inference of new papers is deterministic too and does
not depend on how papers are batched.

Typical use (the pipeline stage)::

    corpus = prepare_corpus(read_papers(...))      # one pass over the papers
    model = train(corpus, load_seeds(), TopicSettings())
    model.save(store_dir / "topics")
    ... later, for new papers, without retraining:
    model = TopicModel.load(store_dir / "topics")
    for doc in model.infer(new_papers): ...
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import version
from pathlib import Path

import numpy as np
import tomotopy as tp

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.topics.corpus import DEFAULT_MIN_TOKENS, PreparedCorpus, prepare_corpus
from ckg_rdf.topics.ids import topic_ids
from ckg_rdf.topics.labels import choose_labels, unknown_label_ids
from ckg_rdf.topics.prepare import PrepSettings, TextPreparer
from ckg_rdf.topics.records import (
    DUPLICATE,
    NO_TEXT,
    TOO_FEW_TOKENS,
    Doc,
    DocTopics,
    ModelInfo,
    TopicInfo,
    TopicTerm,
    iter_texts,
)
from ckg_rdf.topics.seeds import SeedError, SeedSet, load_seeds, parse_seeds

#: bump when the saved layout changes
FORMAT_VERSION = 1


class TopicModelError(ValueError):
    """The model cannot be fitted or loaded; the message says why."""


@dataclass(frozen=True)
class TopicSettings:
    """Everything that decides the model; recorded with it and in its digest.

    Defaults were chosen on the CORD-19 samples (README, "Topics"): after 500
    iterations the log-likelihood per word on the 3,431-paper sample is within
    0.02 nats of its value after 1,500 (-8.347 vs -8.327); seed priors are
    discussed in the module docstring.
    """

    #: unseeded topics added after the seeded ones
    extra_topics: int = 0
    iterations: int = 500
    random_seed: int = 42
    #: document-topic Dirichlet prior (tomotopy optimises it every 10 iterations)
    alpha: float = 0.1
    #: topic-word Dirichlet prior of words that are not seeds
    eta: float = 0.01
    #: prior of a seed word in its own topic and in every other topic (0 = hard constraint)
    seed_prior: float = 100.0
    other_prior: float = 0.01
    #: a word enters the vocabulary if it occurs at least min_cf times in min_df papers
    min_cf: int = 3
    min_df: int = 2
    #: papers with fewer prepared tokens are not modelled (title-only records)
    min_tokens: int = DEFAULT_MIN_TOKENS
    #: top terms kept per topic (graph and labels)
    top_terms: int = 10
    #: Gibbs iterations when inferring a new paper
    infer_iterations: int = 100
    prep: PrepSettings = field(default_factory=PrepSettings)

    def __post_init__(self) -> None:
        if self.extra_topics < 0:
            raise ValueError("extra_topics must be >= 0")
        if self.iterations < 1 or self.infer_iterations < 1:
            raise ValueError("iterations must be >= 1")
        if self.seed_prior <= 0 or self.other_prior < 0:
            raise ValueError("seed_prior must be > 0 and other_prior >= 0")
        if self.top_terms < 1:
            raise ValueError("top_terms must be >= 1")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TopicSettings:
        values = dict(data)
        prep = values.pop("prep", {}) or {}
        return cls(prep=PrepSettings(**prep), **values)  # type: ignore[arg-type]


def fit(
    docs: Iterable[PaperRecord | Doc],
    seeds: SeedSet | None = None,
    settings: TopicSettings | None = None,
) -> TopicModel:
    """Prepare the papers (one pass) and train the seeded model on them.

    ``docs`` are PaperRecords (title, abstract and body are used) or
    ``(paper_id, text)`` pairs; ``seeds`` defaults to the packaged seed file.
    """
    settings = settings or TopicSettings()
    corpus = prepare_corpus(docs, prep=settings.prep, min_tokens=settings.min_tokens)
    return train(corpus, load_seeds() if seeds is None else seeds, settings)


def seed_terms(seeds: SeedSet, preparer: TextPreparer) -> list[list[tuple[str, str]]]:
    """Each seeded topic's (seed word, vocabulary term) pairs, prepared like the corpus.

    Two topics whose seeds prepare to the same term ("virus" and "viruses")
    are an error in the seed file, reported as such; within a topic the same
    term twice ("test", "testing") is harmless.
    """
    owner: dict[str, str] = {}
    out: list[list[tuple[str, str]]] = []
    for topic in seeds.topics:
        terms: list[tuple[str, str]] = []
        for word in topic.seeds:
            term = preparer.term(word)
            if not term:
                raise SeedError(f"{seeds.source}: topic {topic.id!r}: seed {word!r} has no word")
            if term in owner and owner[term] != topic.id:
                raise SeedError(
                    f"{seeds.source}: topic {topic.id!r}: seed {word!r} is the term {term!r}, "
                    f"already a seed of topic {owner[term]!r}"
                )
            owner[term] = topic.id
            terms.append((word, term))
        out.append(terms)
    return out


def train(corpus: PreparedCorpus, seeds: SeedSet, settings: TopicSettings) -> TopicModel:
    """Train on a prepared corpus: seeded topics first (seed order), then the extras."""
    k = len(seeds.topics) + settings.extra_topics
    if k < 1:
        raise TopicModelError("no topic to fit: give seeds or extra topics")
    if len(corpus) == 0:
        raise TopicModelError(
            f"no paper has at least {corpus.min_tokens} prepared tokens: nothing to model"
        )
    lda = tp.LDAModel(
        k=k,
        alpha=settings.alpha,
        eta=settings.eta,
        min_cf=settings.min_cf,
        min_df=settings.min_df,
        seed=settings.random_seed,
    )
    cf: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for i in range(len(corpus)):
        tokens = corpus.tokens(i)
        lda.add_doc(tokens)
        cf.update(tokens)
        df.update(set(tokens))
    in_vocab = {w for w, n in cf.items() if n >= settings.min_cf and df[w] >= settings.min_df}
    terms = seed_terms(seeds, corpus.preparer)
    used: list[tuple[str, ...]] = []
    missing: list[tuple[str, ...]] = []
    for topic_index, pairs in enumerate(terms):
        present = tuple(dict.fromkeys(t for _, t in pairs if t in in_vocab))
        used.append(present)
        missing.append(tuple(w for w, t in pairs if t not in in_vocab))
        for term in present:
            prior = [settings.other_prior] * k
            prior[topic_index] = settings.seed_prior
            lda.set_word_prior(term, prior)
    started = time.perf_counter()
    lda.train(settings.iterations, workers=1)
    seconds = time.perf_counter() - started

    dists = np.zeros((len(corpus), k), dtype=np.float32)
    lengths = np.zeros(len(corpus), dtype=np.int32)
    n_used = len(lda.used_vocabs)
    for row, doc in enumerate(lda.docs):
        dists[row] = doc.get_topic_dist()
        # tokens in the vocabulary (word ids past the used ones were filtered by min_cf/df)
        lengths[row] = int((np.asarray(doc.words) < n_used).sum())
    topics = _describe_topics(lda, dists, seeds, used, missing, settings)
    return TopicModel(
        lda=lda,
        preparer=corpus.preparer,
        seeds=seeds,
        settings=settings,
        topics=topics,
        paper_ids=list(corpus.paper_ids),
        modelled_ids=list(corpus.modelled_ids),
        doc_topics=dists,
        doc_lengths=lengths,
        reasons=dict(corpus.reasons),
        duplicates=list(corpus.duplicates),
        digest=model_digest(corpus.digest, seeds, settings),
        stats={
            "papers": len(corpus.paper_ids),
            "modelled_papers": len(corpus),
            "tokens": corpus.n_tokens,
            "vocabulary": len(lda.used_vocabs),
            "train_seconds": round(seconds, 3),
            "ll_per_word": round(float(lda.ll_per_word), 4),
        },
        versions=_versions(),
    )


def model_digest(corpus_digest: str, seeds: SeedSet, settings: TopicSettings) -> str:
    """The digest :func:`train` gives a model, known before training.

    A pipeline stage can compare ``model_digest(corpus.digest, seeds, settings)``
    with a saved model's ``digest`` and skip retraining when they are equal:
    training is deterministic, so it would produce the same model.
    """
    data = {
        "corpus": corpus_digest,
        "seeds": seeds.digest(),
        "settings": settings.as_dict(),
        "versions": _versions(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _versions() -> dict[str, str]:
    return {p: version(p) for p in ("tomotopy", "gensim", "simplemma")}


def _describe_topics(
    lda: tp.LDAModel,
    dists: np.ndarray,
    seeds: SeedSet,
    used: list[tuple[str, ...]],
    missing: list[tuple[str, ...]],
    settings: TopicSettings,
) -> list[TopicInfo]:
    """Top terms, automatic labels and stable ids of every topic."""
    k = lda.k
    top = [lda.get_topic_words(t, top_n=settings.top_terms) for t in range(k)]
    candidates = [[w for w, _ in terms] for terms in top]
    vocab = list(lda.used_vocabs)
    wanted = {w for terms in candidates for w in terms}
    word_id = {w: i for i, w in enumerate(vocab) if w in wanted}
    id_word = {i: w for w, i in word_id.items()}
    n_used = len(vocab)
    # document frequencies of the candidates, overall and in each topic's papers
    topic_counts: list[Counter[str]] = [Counter() for _ in range(k)]
    topic_sizes = [0] * k
    corpus_counts: Counter[str] = Counter()
    dominant = dists.argmax(axis=1) if len(dists) else np.zeros(0, dtype=int)
    candidate_ids = np.fromiter(id_word, dtype=np.int64)
    for row, doc in enumerate(lda.docs):
        t = int(dominant[row])
        topic_sizes[t] += 1
        words = np.unique(np.asarray(doc.words, dtype=np.int64))
        present = words[(words < n_used) & np.isin(words, candidate_ids)]
        names = [id_word[int(wid)] for wid in present]
        topic_counts[t].update(names)
        corpus_counts.update(names)
    labels = choose_labels(candidates, topic_counts, topic_sizes, corpus_counts, len(dists))
    n_seeded = len(seeds.topics)
    ids = topic_ids(seeds, labels[n_seeded:])
    out = []
    for t in range(k):
        seeded = t < n_seeded
        out.append(
            TopicInfo(
                id=ids[t],
                index=t,
                label=labels[t],
                auto_label=labels[t],
                top_terms=tuple(TopicTerm(w, float(p)) for w, p in top[t]),
                seeded=seeded,
                label_hint=seeds.topics[t].label if seeded else "",
                seed_terms=used[t] if seeded else (),
                missing_seeds=missing[t] if seeded else (),
            )
        )
    return out


@dataclass(eq=False)
class TopicModel:
    """A fitted (or loaded) model: topics, training distributions, and inference."""

    lda: tp.LDAModel
    preparer: TextPreparer
    seeds: SeedSet
    settings: TopicSettings
    topics: list[TopicInfo]
    #: every distinct paper id of the training input, in order
    paper_ids: list[str]
    #: the modelled papers, aligned with the rows of ``doc_topics``
    modelled_ids: list[str]
    doc_topics: np.ndarray
    #: tokens of each modelled paper the model saw (vocabulary words only)
    doc_lengths: np.ndarray
    #: why a training paper was not modelled
    reasons: dict[str, str]
    duplicates: list[str]
    digest: str
    stats: dict[str, float | int] = field(default_factory=dict)
    #: library versions the model was trained with (part of its description)
    versions: dict[str, str] = field(default_factory=dict)
    _vocab_cache: frozenset[str] | None = field(default=None, init=False, repr=False)

    # -- what the model says

    @property
    def k(self) -> int:
        return len(self.topics)

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def topic(self, topic_id: str) -> TopicInfo:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    @property
    def info(self) -> ModelInfo:
        """The model node of the graph: slug from the digest, so a rebuild names it again."""
        s = self.settings
        n_seeded = len(self.seeds.topics)
        prior = "constrained" if s.other_prior == 0 else f"{s.seed_prior:g}/{s.other_prior:g}"
        return ModelInfo(
            slug=f"topics-{self.digest[:12]}",
            label=f"Seeded LDA topic model ({self.k} topics)",
            description=(
                f"tomotopy {self.versions.get('tomotopy', '?')} LDAModel: {n_seeded} seeded and "
                f"{self.k - n_seeded} unseeded topics, seed priors {prior}, "
                f"alpha {s.alpha:g}, eta {s.eta:g}, {s.iterations} Gibbs iterations, "
                f"random seed {s.random_seed}, trained on {len(self.modelled_ids):,} papers "
                f"(title, abstract and body)"
            ),
            topic_count=self.k,
            document_count=len(self.modelled_ids),
        )

    def training_topics(self) -> Iterator[DocTopics]:
        """Every training paper's distribution (or why it has none), in input order.

        These are the fitted distributions: use them for the papers the model
        was trained on, :meth:`infer` for new ones.
        """
        rows = {pid: i for i, pid in enumerate(self.modelled_ids)}
        for pid in self.paper_ids:
            row = rows.get(pid)
            if row is None:
                yield DocTopics(pid, reason=self.reasons.get(pid, TOO_FEW_TOKENS))
            else:
                dist = tuple(float(p) for p in self.doc_topics[row])
                yield DocTopics(pid, dist, int(self.doc_lengths[row]))
        for pid in self.duplicates:
            yield DocTopics(pid, reason=DUPLICATE)

    def infer(self, docs: Iterable[PaperRecord | Doc], batch: int = 256) -> Iterator[DocTopics]:
        """Topic distributions of new papers, in input order; no retraining.

        Text is prepared exactly as in training (the saved preparer). A paper
        needs ``min_tokens`` prepared tokens, at least one of them in the
        model's vocabulary; otherwise its :class:`DocTopics` says why.
        """
        pending: list[tuple[str, str, list[str]]] = []
        for paper_id, text in iter_texts(docs):
            if not text.strip():
                pending.append((paper_id, NO_TEXT, []))
            else:
                tokens = self.preparer.prepare(text)
                short = len(tokens) < self.settings.min_tokens
                pending.append((paper_id, TOO_FEW_TOKENS if short else "", tokens))
            if len(pending) >= batch:
                yield from self._infer_batch(pending)
                pending = []
        if pending:
            yield from self._infer_batch(pending)

    def _infer_batch(self, pending: list[tuple[str, str, list[str]]]) -> Iterator[DocTopics]:
        vocab = self._vocab()
        known: list[list[str]] = []
        for _, reason, tokens in pending:
            known.append([t for t in tokens if t in vocab] if not reason else [])
        todo = [i for i, toks in enumerate(known) if toks]
        dists: list[np.ndarray] = []
        if todo:
            docs = [self.lda.make_doc(known[i]) for i in todo]
            dists, _ = self.lda.infer(docs, iterations=self.settings.infer_iterations, workers=1)
        by_index = dict(zip(todo, dists, strict=True))
        for i, (paper_id, reason, tokens) in enumerate(pending):
            dist = by_index.get(i)
            if dist is None:
                yield DocTopics(paper_id, n_tokens=len(tokens), reason=reason or TOO_FEW_TOKENS)
            else:
                yield DocTopics(paper_id, tuple(float(p) for p in dist), len(known[i]))

    def _vocab(self) -> frozenset[str]:
        if self._vocab_cache is None:
            self._vocab_cache = frozenset(self.lda.used_vocabs)
        return self._vocab_cache

    def top_terms(self, topic_id: str, n: int = 10) -> list[TopicTerm]:
        """More than the stored top terms, straight from the model."""
        index = self.topic(topic_id).index
        return [TopicTerm(w, float(p)) for w, p in self.lda.get_topic_words(index, top_n=n)]

    # -- labels

    def apply_labels(self, overrides: Mapping[str, str]) -> list[str]:
        """Use the labels a labels file gives; returns the ids it names that no topic has.

        Topics the file does not name go back to their automatic label, so
        removing a line from the file undoes its override.
        """
        self.topics = [replace(t, label=overrides.get(t.id, t.auto_label)) for t in self.topics]
        return unknown_label_ids(overrides, self.topic_ids)

    # -- persistence

    def save(self, directory: Path) -> None:
        """Write the model beside the store; replaces an older model there as a whole.

        Layout: ``lda.bin`` (tomotopy, without training documents),
        ``prepare/`` (stop words, phrase layers, preparation settings),
        ``seeds.toml`` (the seed set used), ``model.json`` (settings, topics,
        labels, digest, counts), ``papers.tsv``, ``doc_topics.npy`` and
        ``doc_lengths.npy`` (the training papers and their distributions).
        """
        directory = Path(directory)
        tmp = directory.with_name(directory.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        self.lda.save(str(tmp / "lda.bin"), full=False)
        self.preparer.save(tmp / "prepare")
        (tmp / "seeds.toml").write_text(self.seeds.to_toml(), encoding="utf-8")
        np.save(tmp / "doc_topics.npy", self.doc_topics)
        np.save(tmp / "doc_lengths.npy", self.doc_lengths)
        rows = {pid: i for i, pid in enumerate(self.modelled_ids)}
        with (tmp / "papers.tsv").open("w", encoding="utf-8") as fh:
            for pid in self.paper_ids:
                row = rows.get(pid)
                fh.write(f"{pid}\t{row if row is not None else self.reasons[pid]}\n")
            for pid in self.duplicates:
                fh.write(f"{pid}\t{DUPLICATE}\n")
        meta = {
            "format": FORMAT_VERSION,
            "digest": self.digest,
            "settings": self.settings.as_dict(),
            "seeds_source": self.seeds.source,
            "versions": self.versions,
            "stats": self.stats,
            "topics": [
                {
                    "id": t.id,
                    "index": t.index,
                    "label": t.label,
                    "auto_label": t.auto_label,
                    "seeded": t.seeded,
                    "label_hint": t.label_hint,
                    "seed_terms": list(t.seed_terms),
                    "missing_seeds": list(t.missing_seeds),
                    "top_terms": [[x.term, x.weight] for x in t.top_terms],
                }
                for t in self.topics
            ],
        }
        (tmp / "model.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        old = directory.with_name(directory.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        if old.exists():
            shutil.rmtree(old)

    @classmethod
    def load(cls, directory: Path) -> TopicModel:
        """Read a model written by :meth:`save` (ready to :meth:`infer`)."""
        directory = Path(directory)
        meta_path = directory / "model.json"
        if not meta_path.is_file():
            raise TopicModelError(f"{directory} holds no model.json: not a saved topic model")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise TopicModelError(
                f"{directory}: topic model format {meta.get('format')}, this version reads "
                f"{FORMAT_VERSION}: retrain the model"
            )
        seeds = parse_seeds(
            (directory / "seeds.toml").read_text(encoding="utf-8"),
            source=meta.get("seeds_source", str(directory / "seeds.toml")),
        )
        topics = [
            TopicInfo(
                id=t["id"],
                index=t["index"],
                label=t["label"],
                auto_label=t["auto_label"],
                top_terms=tuple(TopicTerm(w, float(p)) for w, p in t["top_terms"]),
                seeded=t["seeded"],
                label_hint=t["label_hint"],
                seed_terms=tuple(t["seed_terms"]),
                missing_seeds=tuple(t["missing_seeds"]),
            )
            for t in meta["topics"]
        ]
        paper_ids: list[str] = []
        modelled: list[tuple[int, str]] = []
        reasons: dict[str, str] = {}
        duplicates: list[str] = []
        seen: set[str] = set()
        with (directory / "papers.tsv").open(encoding="utf-8") as fh:
            for line in fh:
                pid, _, state = line.rstrip("\n").partition("\t")
                if state == DUPLICATE and pid in seen:
                    duplicates.append(pid)
                    continue
                seen.add(pid)
                paper_ids.append(pid)
                if state.isdigit():
                    modelled.append((int(state), pid))
                else:
                    reasons[pid] = state
        modelled.sort()
        return cls(
            lda=tp.LDAModel.load(str(directory / "lda.bin")),
            preparer=TextPreparer.load(directory / "prepare"),
            seeds=seeds,
            settings=TopicSettings.from_dict(meta["settings"]),
            topics=topics,
            paper_ids=paper_ids,
            modelled_ids=[pid for _, pid in modelled],
            doc_topics=np.load(directory / "doc_topics.npy"),
            doc_lengths=np.load(directory / "doc_lengths.npy"),
            reasons=reasons,
            duplicates=duplicates,
            digest=meta["digest"],
            stats=meta.get("stats", {}),
            versions=meta.get("versions", {}),
        )
