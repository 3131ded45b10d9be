"""Seeded topic model vs plain LDA (and gensim's eta seeding), side by side in one run.

Usage: python benchmarks/bench_topics.py [CORPUS_DIR ...] [--iterations N] [--no-gensim]

Default corpora: the bundled sample (examples/cord19-sample, 691 papers) and
the larger shared one (../shared/cord19-sample, 3,431 papers: metadata
abstracts plus the full-text parses). Each corpus is prepared once
(ckg_rdf.topics.prepare_corpus: title + abstract + body) and every model
trains on exactly those tokens, with the same k and the same vocabulary:

* plain LDA: tomotopy LDAModel, no seeds (the baseline, ratio 1.00);
* seeded LDA: the same with the packaged seed words as word-topic priors
  (ckg_rdf.topics.train with the default settings: the model the graph uses),
  and once with priors ten times stronger;
* gensim LdaModel with the same seed priors in its ``eta`` matrix, and ten
  times stronger: why the library is tomotopy.

Columns: coherence c_v and NPMI of the top-10 terms of each topic (gensim
CoherenceModel on the prepared texts), topic diversity (share of distinct
words among the top-25 terms of all topics), seeds placed (share of seed
words whose highest p(word | topic) is their own topic), top 10 = seeds
(share of the seeded topics' top-10 terms that are their own seed words: a
high value means the topic restates its seed list rather than learning from
the papers, and coherence then measures the seed list), training time
(training only; the preparation is shared and reported once). "-" for the
unseeded baseline, whose topics have no names.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gensim.corpora import Dictionary  # noqa: E402
from gensim.models import LdaModel  # noqa: E402
from gensim.models.coherencemodel import CoherenceModel  # noqa: E402

from ckg_rdf.corpus.layout import CorpusLayout  # noqa: E402
from ckg_rdf.corpus.reader import read_corpus  # noqa: E402
from ckg_rdf.corpus.records import PaperRecord  # noqa: E402
from ckg_rdf.topics import (  # noqa: E402
    PreparedCorpus,
    SeedSet,
    TopicSettings,
    load_seeds,
    prepare_corpus,
    train,
)
from ckg_rdf.topics.model import seed_terms  # noqa: E402

TOP_COHERENCE = 10
TOP_DIVERSITY = 25


@dataclass
class Row:
    name: str
    k: int
    c_v: float
    npmi: float
    diversity: float
    seed_share: float | None
    top_seeds: float | None
    seconds: float
    topics: list[list[str]]


def coherence(topics: list[list[str]], texts: list[list[str]], dictionary: Dictionary) -> tuple:
    scores = []
    for measure in ("c_v", "c_npmi"):
        cm = CoherenceModel(
            topics=[t[:TOP_COHERENCE] for t in topics],
            texts=texts,
            dictionary=dictionary,
            coherence=measure,
            topn=TOP_COHERENCE,
            processes=1,
        )
        scores.append(float(cm.get_coherence()))
    return tuple(scores)


def diversity(topics: list[list[str]]) -> float:
    tops = [t[:TOP_DIVERSITY] for t in topics]
    return len({w for t in tops for w in t}) / sum(len(t) for t in tops)


def seed_share(phi: np.ndarray, vocab: dict[str, int], seeded: list[list[str]]) -> float:
    hits = total = 0
    for topic, terms in enumerate(seeded):
        for term in terms:
            if term in vocab:
                total += 1
                hits += int(np.argmax(phi[:, vocab[term]]) == topic)
    return hits / total if total else float("nan")


def top_seed_share(topics: list[list[str]], seeded: list[list[str]]) -> float:
    return sum(len(set(t[:10]) & set(s)) for t, s in zip(topics, seeded, strict=False)) / (
        10 * len(seeded)
    )


def tomotopy_row(
    name: str, corpus: PreparedCorpus, seeds: SeedSet, settings: TopicSettings, seeded: list
) -> tuple[Row, object]:
    model = train(corpus, seeds, settings)
    lda = model.lda
    vocab = {w: i for i, w in enumerate(lda.used_vocabs)}
    phi = np.array([lda.get_topic_word_dist(t) for t in range(lda.k)])
    topics = [[w for w, _ in lda.get_topic_words(t, top_n=TOP_DIVERSITY)] for t in range(lda.k)]
    share = seed_share(phi, vocab, seeded) if seeds.topics else None
    top = top_seed_share(topics, seeded) if seeds.topics else None
    seconds = float(model.stats["train_seconds"])
    return Row(name, lda.k, 0, 0, diversity(topics), share, top, seconds, topics), model


def gensim_row(
    name: str,
    texts: list[list[str]],
    vocab: list[str],
    seeded: list[list[str]],
    settings: TopicSettings,
    scale: float,
    passes: int,
) -> Row:
    keep = set(vocab)
    dictionary = Dictionary([vocab])  # same vocabulary as tomotopy's
    bows = [dictionary.doc2bow([w for w in t if w in keep]) for t in texts]
    k = len(seeded) + settings.extra_topics
    eta = np.full((k, len(dictionary)), settings.eta)
    for topic, terms in enumerate(seeded):
        for term in terms:
            if term in dictionary.token2id:
                col = dictionary.token2id[term]
                eta[:, col] = settings.other_prior * scale
                eta[topic, col] = settings.seed_prior * scale
    started = time.perf_counter()
    lda = LdaModel(
        corpus=bows,
        id2word=dictionary,
        num_topics=k,
        alpha=settings.alpha,
        eta=eta,
        passes=passes,
        iterations=100,
        random_state=settings.random_seed,
    )
    seconds = time.perf_counter() - started
    phi = lda.get_topics()
    topics = [[w for w, _ in lda.show_topic(t, topn=TOP_DIVERSITY)] for t in range(k)]
    share = seed_share(phi, dictionary.token2id, seeded)
    top = top_seed_share(topics, seeded)
    return Row(name, k, 0, 0, diversity(topics), share, top, seconds, topics)


def _ratio(value: float, base: float) -> str:
    return f"{value / base:5.2f}" if base > 0 else "   - "


def print_table(rows: list[Row]) -> None:
    base = rows[0]
    print(
        f"{'model':36s} {'k':>3s} {'c_v':>6s} {'x':>5s} {'NPMI':>7s} {'x':>5s} "
        f"{'divers.':>7s} {'x':>5s} {'seeds placed':>12s} {'top 10 = seeds':>14s} "
        f"{'train s':>8s} {'x':>5s}"
    )
    for r in rows:
        share = f"{r.seed_share:12.0%}" if r.seed_share is not None else f"{'-':>12s}"
        top = f"{r.top_seeds:14.0%}" if r.top_seeds is not None else f"{'-':>14s}"
        print(
            f"{r.name:36s} {r.k:3d} {r.c_v:6.3f} {_ratio(r.c_v, base.c_v)} "
            f"{r.npmi:7.3f} {_ratio(r.npmi, base.npmi)} {r.diversity:7.2f} "
            f"{_ratio(r.diversity, base.diversity)} {share} {top} {r.seconds:8.1f} "
            f"{r.seconds / base.seconds:5.2f}"
        )


def bench(path: Path, settings: TopicSettings, with_gensim: bool, passes: int) -> None:
    seeds = load_seeds()
    t = time.perf_counter()
    papers = (r for r in read_corpus(CorpusLayout.discover(path)) if isinstance(r, PaperRecord))
    corpus = prepare_corpus(papers, prep=settings.prep, min_tokens=settings.min_tokens)
    prep_s = time.perf_counter() - t
    texts = list(corpus.texts())
    seeded = [[t for _, t in pairs] for pairs in seed_terms(seeds, corpus.preparer)]
    k = len(seeds.topics) + settings.extra_topics
    print(f"\n## {path}")
    print(
        f"{len(corpus.paper_ids):,} papers, {len(corpus):,} modelled "
        f"({len(corpus.reasons):,} with no or too little text), {corpus.n_tokens:,} tokens; "
        f"preparation {prep_s:.1f} s; k = {k}, {settings.iterations} Gibbs iterations"
    )
    plain, _ = tomotopy_row(
        "plain LDA (tomotopy)", corpus, SeedSet(()), replace(settings, extra_topics=k), []
    )
    priors = f"{settings.seed_prior:g}/{settings.other_prior:g}"
    strong = replace(
        settings, seed_prior=settings.seed_prior * 10, other_prior=settings.other_prior * 10
    )
    strong_priors = f"{strong.seed_prior:g}/{strong.other_prior:g}"
    seeded_row, model = tomotopy_row(
        f"seeded LDA, tomotopy {priors} (ckg)", corpus, seeds, settings, seeded
    )
    strong_row, _ = tomotopy_row(
        f"seeded LDA, tomotopy {strong_priors}", corpus, seeds, strong, seeded
    )
    rows = [plain, seeded_row, strong_row]
    if with_gensim:
        vocab = list(model.lda.used_vocabs)
        for scale, label in ((1, priors), (10, strong_priors)):
            name = f"gensim LDA, eta seeds {label}"
            rows.append(gensim_row(name, texts, vocab, seeded, settings, scale, passes))
    dictionary = Dictionary(texts)
    for row in rows:
        row.c_v, row.npmi = coherence(row.topics, texts, dictionary)
    print_table(rows)
    print(f"\nseeded topics ({model.stats['vocabulary']:,} words in the vocabulary):")
    for topic in model.topics:
        terms = ", ".join(t.term for t in topic.top_terms[:8])
        print(f"  {topic.id:20s} label {topic.label!r:22s} {terms}")


def main() -> None:
    logging.getLogger("gensim").setLevel(logging.WARNING)
    defaults = [ROOT / "examples/cord19-sample", ROOT.parent / "shared/cord19-sample"]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="*", default=[p for p in defaults if p.exists()])
    ap.add_argument("--iterations", type=int, default=TopicSettings().iterations)
    ap.add_argument("--extra-topics", type=int, default=0)
    ap.add_argument("--no-gensim", action="store_true", help="skip the gensim rows")
    ap.add_argument("--passes", type=int, default=10, help="gensim passes over the corpus")
    args = ap.parse_args()
    settings = TopicSettings(iterations=args.iterations, extra_topics=args.extra_topics)
    for path in args.corpus:
        bench(path, settings, not args.no_gensim, args.passes)


if __name__ == "__main__":
    main()
