"""Word clusters from unlabelled text: the CRF's way to generalise past its training words.

A CRF only knows the words it was trained on; "nephrotoxicity" in a test
sentence is a new feature unless something says it behaves like
"hepatotoxicity". Word2vec vectors learned on in-domain text, grouped by
k-means at two granularities, give each word two cluster ids that the CRF
uses as features (the approach of Turian et al. 2010 and of most CRF
biomedical taggers since; measured here in docs/concepts.md).

The text: the training corpora's train splits and the CORD-19 sample shipped
with the project (titles, abstracts, full-text paragraphs). Nothing from a
devel or test split is read. Deterministic: one worker thread and fixed seeds.
The result is one small gzip TSV (``word<TAB>coarse<TAB>fine``) shipped with
the models; building it needs gensim (the ``[train]`` extra), reading it does not.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ckg_rdf.extract.concepts.learned.corpora import read_iob
from ckg_rdf.extract.concepts.learned.tokens import tokenize

CLUSTERS_FILE = "clusters.tsv.gz"
_DIGITS = re.compile(r"\d")


def cluster_key(word: str) -> str:
    """The form a word is clustered under: lower case, digits as 0."""
    return _DIGITS.sub("0", word.lower())


def _text_sentences(text: str) -> list[str]:
    return [cluster_key(text[s:e]) for s, e in tokenize(text)]


def unlabelled_sentences(corpora_dir: Path, cord19_dirs: Iterable[Path]) -> Iterator[list[str]]:
    """Token lists: every corpus's train split, then CORD-19 titles, abstracts and paragraphs."""
    for train in sorted(corpora_dir.glob("*/train.tsv")):
        for sent in read_iob(train):
            yield [cluster_key(t) for t in sent.tokens]
    for root in cord19_dirs:
        meta = root / "metadata.csv"
        if meta.exists():
            with meta.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    for field in ("title", "abstract"):
                        if row.get(field):
                            yield _text_sentences(row[field])
        for path in sorted(root.glob("*/*.json")):
            doc = json.loads(path.read_bytes())
            for part in ("abstract", "body_text"):
                for para in doc.get(part) or []:
                    if para.get("text"):
                        yield _text_sentences(para["text"])


def _kmeans(x, k: int, seed: int, iterations: int = 25):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(x @ centres.T, axis=1)  # vectors are unit length: cosine
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c = members.sum(axis=0)
                centres[j] = c / (np.linalg.norm(c) or 1.0)
    return labels


def build_clusters(
    sentences: list[list[str]],
    out_path: Path,
    *,
    coarse: int = 100,
    fine: int = 600,
    min_count: int = 3,
) -> int:
    """Train word2vec on ``sentences``, cluster the vectors, write the TSV; returns #words."""
    import numpy as np
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences,
        vector_size=100,
        window=5,
        min_count=min_count,
        sg=1,
        negative=5,
        epochs=5,
        workers=1,
        seed=1,
    )
    words = list(model.wv.index_to_key)
    vecs = np.asarray([model.wv[w] for w in words], dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
    c1 = _kmeans(vecs, coarse, seed=1)
    c2 = _kmeans(vecs, fine, seed=2)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(
        f"{w}\t{a}\t{b}\n" for w, a, b in sorted(zip(words, c1.tolist(), c2.tolist(), strict=True))
    )
    with out_path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
        gz.write(body.encode("utf-8"))  # mtime=0: same input, same bytes
    return len(words)


def read_clusters(path: Path) -> dict[str, tuple[str, str]]:
    """word -> (coarse id, fine id), as written by :func:`build_clusters`."""
    out: dict[str, tuple[str, str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            w, a, b = line.rstrip("\n").split("\t")
            out[w] = (a, b)
    return out
