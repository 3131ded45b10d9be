"""The keyword side of recommendations: BM25 over each paper's title and abstract.

Why BM25 at all: on the issue's expert-judged check a plain BM25 matched the
embedding modes, and on the shared sample it finds papers the dense vectors
miss (see docs/embeddings.md, "Recommendations"). It is both a candidate
generator and a feature of the fused ranking.

The query is the source paper's own title and abstract ("more like this").
Tokens: lower-cased words of two or more characters, English stop words
removed, Snowball-stemmed (PyStemmer; measured better than unstemmed). Scores
come from ``bm25s`` (Lucene's BM25 variant, k1 1.2, b 0.75).

The index is a derived cache in the data directory (``DataDir.bm25_dir``),
saved with a manifest holding the fingerprint of the texts it was built from;
:meth:`LexicalIndex.open` rebuilds it when the store's texts changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG

LEXICAL_VERSION = 1
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Bm25Config:
    k1: float = 1.2
    b: float = 0.75
    stem: bool = True


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


class Tokenizer:
    """Words -> index terms (stemmed), remembering the most common surface form of each term."""

    def __init__(self, stem: bool = True) -> None:
        self.stop = _stopwords()
        self.stemmer = None
        if stem:
            import Stemmer

            self.stemmer = Stemmer.Stemmer("english")

    def words(self, text: str) -> list[str]:
        return [w for w in _TOKEN.findall(text.lower()) if w not in self.stop and not w.isdigit()]

    def terms(self, text: str) -> tuple[list[str], list[str]]:
        """(terms, words): the index terms of ``text`` and the words they came from."""
        words = self.words(text)
        if self.stemmer is None:
            return words, words
        return self.stemmer.stemWords(words), words


def paper_text(title: str, abstract: str) -> str:
    return f"{title.strip()}\n{abstract.strip()}".strip()


def texts_fingerprint(texts: Mapping[str, str]) -> str:
    """A digest of every (paper IRI, text) pair: changes when any text changes."""
    h = hashlib.sha256()
    for iri in sorted(texts):
        h.update(iri.encode())
        h.update(b"\x00")
        h.update(texts[iri].encode())
        h.update(b"\x01")
    return h.hexdigest()


_TEXTS = f"""
SELECT ?p ?t ?a WHERE {{
  ?p a {CKG.Paper} .
  OPTIONAL {{ ?p {CKG.title} ?t }} OPTIONAL {{ ?p {CKG.abstract} ?a }}
}}"""


def store_texts(store: GraphReader) -> dict[str, str]:
    """Paper IRI -> title and abstract, for every ``ckg:Paper`` in the store."""
    out: dict[str, str] = {}
    for s in store.query(_TEXTS):  # type: ignore[union-attr]
        iri = s["p"].value
        if iri not in out:
            out[iri] = paper_text(
                s["t"].value if s["t"] is not None else "",
                s["a"].value if s["a"] is not None else "",
            )
    return out


class LexicalIndex:
    """BM25 over title + abstract, one row per paper IRI, with each paper's own query terms."""

    def __init__(
        self,
        iris: list[str],
        retriever,  # type: ignore[no-untyped-def]  # bm25s.BM25
        doc_terms: list[list[int]],
        surface: list[str],
        fingerprint: str,
        config: Bm25Config,
    ) -> None:
        self.iris = iris
        self.row_of = {iri: i for i, iri in enumerate(iris)}
        self.retriever = retriever
        self.doc_terms = doc_terms
        self.surface = surface
        self.fingerprint = fingerprint
        self.config = config
        n = len(iris)
        df = np.zeros(len(surface), np.float64)
        for terms in doc_terms:
            df[list(set(terms))] += 1
        #: Lucene's BM25 idf of each term (to rank shared terms in reasons)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))

    # -- building ---------------------------------------------------------------
    @classmethod
    def build(cls, texts: Mapping[str, str], config: Bm25Config | None = None) -> LexicalIndex:
        import bm25s

        config = config or Bm25Config()
        tok = Tokenizer(config.stem)
        iris = sorted(texts)
        vocab: dict[str, int] = {}
        forms: list[Counter[str]] = []
        doc_terms: list[list[int]] = []
        for iri in iris:
            terms, words = tok.terms(texts[iri])
            ids = []
            for term, word in zip(terms, words, strict=True):
                tid = vocab.get(term)
                if tid is None:
                    tid = vocab[term] = len(vocab)
                    forms.append(Counter())
                forms[tid][word] += 1
                ids.append(tid)
            doc_terms.append(ids)
        retriever = bm25s.BM25(k1=config.k1, b=config.b, method="lucene")
        if iris and vocab:
            retriever.index((doc_terms, vocab), show_progress=False)
        surface = [c.most_common(1)[0][0] for c in forms]
        return cls(iris, retriever, doc_terms, surface, texts_fingerprint(texts), config)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.iris and self.surface:
            self.retriever.save(str(directory / "bm25s"), show_progress=False)
        lengths = np.fromiter((len(t) for t in self.doc_terms), np.int64, len(self.doc_terms))
        flat = np.fromiter((x for t in self.doc_terms for x in t), np.int32, int(lengths.sum()))
        np.save(directory / "doc_terms.npy", flat)
        np.save(directory / "doc_lengths.npy", lengths)
        (directory / "papers.json").write_text(json.dumps(self.iris))
        (directory / "surface.json").write_text(json.dumps(self.surface))
        manifest = {
            "version": LEXICAL_VERSION,
            "fingerprint": self.fingerprint,
            "config": self.config.__dict__,
            "papers": len(self.iris),
            "terms": len(self.surface),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        manifest = json.loads((directory / "manifest.json").read_text())
        if manifest.get("version") != LEXICAL_VERSION:
            raise OSError("lexical index version differs")
        config = Bm25Config(**manifest["config"])
        iris = json.loads((directory / "papers.json").read_text())
        surface = json.loads((directory / "surface.json").read_text())
        flat = np.load(directory / "doc_terms.npy")
        lengths = np.load(directory / "doc_lengths.npy")
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        doc_terms = [flat[bounds[i] : bounds[i + 1]].tolist() for i in range(len(lengths))]
        retriever = bm25s.BM25(k1=config.k1, b=config.b, method="lucene")
        if iris and surface:
            retriever = bm25s.BM25.load(str(directory / "bm25s"), show_progress=False)
        return cls(iris, retriever, doc_terms, surface, manifest["fingerprint"], config)

    @classmethod
    def open(
        cls,
        store: GraphReader,
        directory: Path | None,
        config: Bm25Config | None = None,
        *,
        rebuild: bool = False,
    ) -> LexicalIndex:
        """The index saved in ``directory`` when it matches the store's texts, else a new one
        (saved there; ``directory=None`` keeps it in memory)."""
        config = config or Bm25Config()
        texts = store_texts(store)
        if directory is not None and not rebuild and (directory / "manifest.json").exists():
            try:
                idx = cls.load(directory)
                if idx.fingerprint == texts_fingerprint(texts) and idx.config == config:
                    return idx
            except (OSError, ValueError, KeyError, TypeError):
                pass  # unreadable or old: rebuild below
        idx = cls.build(texts, config)
        if directory is not None:
            idx.save(directory)
        return idx

    # -- querying -----------------------------------------------------------------
    def scores(self, paper_iri: str) -> np.ndarray | None:
        """BM25 score of every paper (rows in ``iris`` order) for the paper's own text as
        the query; the paper itself gets -inf. None when the paper is not indexed."""
        row = self.row_of.get(paper_iri)
        if row is None:
            return None
        terms = self.doc_terms[row]
        if not terms:
            out = np.zeros(len(self.iris), np.float32)
        else:
            out = np.asarray(self.retriever.get_scores(list(terms)), np.float32).copy()
        out[row] = -np.inf
        return out

    def shared_terms(self, a: str, b: str, n: int = 5) -> list[str]:
        """The ``n`` rarest terms the two papers' texts share (shown as words)."""
        ra, rb = self.row_of.get(a), self.row_of.get(b)
        if ra is None or rb is None:
            return []
        shared = set(self.doc_terms[ra]) & set(self.doc_terms[rb])
        best = sorted(shared, key=lambda t: (-self.idf[t], self.surface[t]))[:n]
        return [self.surface[t] for t in best]


def top_rows(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows of the ``n`` best positive scores, best first (ties by row); a paper sharing no
    term with the query (score 0) is no keyword match."""
    finite = np.flatnonzero(np.isfinite(scores) & (scores > 0))
    if len(finite) == 0:
        return finite
    n = min(n, len(finite))
    part = finite[np.argpartition(-scores[finite], n - 1)[:n]]
    return part[np.lexsort((part, -scores[part]))]
