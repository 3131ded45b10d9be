"""One pass over the papers: prepared token lists for the model, and who was left out.

The source (for example :func:`ckg_rdf.corpus.reader.read_corpus`) is read
exactly once. Raw text lives only for the paper being tokenized; what is
kept is integer token ids (:class:`ChunkStore`), first the chunks phrase
learning needs, then the final tokens the model is trained on. The same
prepared corpus can train several models (the benchmark trains the seeded
model and a plain LDA on identical input).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.topics.prepare import ChunkStore, PrepSettings, TextPreparer, default_stopwords
from ckg_rdf.topics.records import NO_TEXT, TOO_FEW_TOKENS, Doc, iter_texts

#: a paper needs at least this many prepared tokens to be modelled (a title alone
#: rarely has that many: 10 keeps nearly every abstract and drops bare titles)
DEFAULT_MIN_TOKENS = 10


@dataclass
class PreparedCorpus:
    """Prepared papers in input order; the modelled ones hold their tokens."""

    preparer: TextPreparer
    min_tokens: int
    #: every distinct paper id read, in input order
    paper_ids: list[str] = field(default_factory=list)
    #: why a paper is not modelled (no-text, too-few-tokens)
    reasons: dict[str, str] = field(default_factory=dict)
    #: ids met again after their first occurrence (the first one counts)
    duplicates: list[str] = field(default_factory=list)
    #: ids of modelled papers, aligned with the token store
    modelled_ids: list[str] = field(default_factory=list)
    tokens_store: ChunkStore = field(default_factory=ChunkStore)
    #: sha256 over the modelled papers' ids and tokens: same input, same digest
    digest: str = ""
    n_tokens: int = 0

    def __len__(self) -> int:
        return len(self.modelled_ids)

    def tokens(self, index: int) -> list[str]:
        """The tokens of the ``index``-th modelled paper."""
        chunks = self.tokens_store.doc(index)
        return chunks[0] if chunks else []

    def texts(self) -> Iterator[list[str]]:
        """Token lists of the modelled papers, in order (for coherence measures)."""
        for i in range(len(self.modelled_ids)):
            yield self.tokens(i)


def prepare_corpus(
    docs: Iterable[PaperRecord | Doc],
    *,
    prep: PrepSettings | None = None,
    stopwords: frozenset[str] | None = None,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> PreparedCorpus:
    """Tokenize every paper once, learn phrases, and keep the final tokens.

    Papers with no text or too few tokens (< ``min_tokens``) are recorded in
    ``reasons``, repeated ids in ``duplicates``, rather than dropped silently.
    """
    prep = prep or PrepSettings()
    stopwords = default_stopwords() if stopwords is None else stopwords
    tokenizer = TextPreparer.without_phrases(stopwords, prep)
    raw = ChunkStore()
    raw_ids: list[str] = []
    paper_ids: list[str] = []
    reasons: dict[str, str] = {}
    corpus_duplicates: list[str] = []
    seen: set[str] = set()
    for paper_id, text in iter_texts(docs):
        if paper_id in seen:
            corpus_duplicates.append(paper_id)
            continue
        seen.add(paper_id)
        paper_ids.append(paper_id)
        if not text.strip():
            reasons[paper_id] = NO_TEXT
            continue
        raw.add(tokenizer.chunks(text))
        raw_ids.append(paper_id)
    preparer = TextPreparer.learn(raw.sentences, stopwords, prep)
    corpus = PreparedCorpus(preparer, min_tokens, paper_ids, reasons, corpus_duplicates)
    digest = hashlib.sha256()
    for i, paper_id in enumerate(raw_ids):
        tokens = preparer.finish(raw.doc(i))
        raw.release(i)
        if len(tokens) < min_tokens:
            reasons[paper_id] = TOO_FEW_TOKENS
            continue
        corpus.tokens_store.add([tokens])
        corpus.modelled_ids.append(paper_id)
        corpus.n_tokens += len(tokens)
        digest.update(paper_id.encode())
        digest.update(b"\t")
        digest.update(" ".join(tokens).encode())
        digest.update(b"\n")
    corpus.digest = digest.hexdigest()
    return corpus
