"""Search latency (p50/p99) on a 100k-paper synthetic corpus, against a SPARQL scan baseline.

The corpus is made from the bundled sample's real text: each synthetic paper
takes a real title, an abstract stitched from sentences of several real
abstracts, 3-9 real author names, a year, topics and the labels of concepts
named in its text, plus author, institution, concept and topic documents
(indexed exactly as the build's search stage writes them: ``SearchIndex``).
Every query runs the whole search a page needs (parse, typo check, BM25 over
every match, facet counts, the page of results, snippets) on one thread.

Baseline, measured in the same run: what a search without an index does,
a SPARQL ``CONTAINS`` scan over the titles and abstracts (pyoxigraph, in memory)
returning every matching paper (no ranking, no facets), on the papers
(``--baseline-n``, default all of them), next to the index doing the same
work (every matching paper, unranked) and the whole search.

    python benchmarks/bench_search.py [--n 100000] [--baseline-n N] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cord19-sample"

#: (query, filters): common and rare words, phrases, typos, prefixes, names, filters
QUERIES: list[tuple[str, dict[str, object]]] = [
    ("virus", {}),
    ("coronavirus", {}),
    ("ACE2", {}),
    ("influenza vaccine", {}),
    ('"spike protein"', {}),
    ("coronavirs", {}),  # a typo
    ("inflenza vacine", {}),  # two typos
    ("corona", {}),  # as typed so far
    ("respiratory syncytial virus infection", {}),
    ("Lanzavecchia", {}),
    ("university", {"kind": "institution"}),
    ("virus", {"kind": "paper", "year": 2019}),
    ("pneumonia", {"kind": "paper", "page": 10}),
    ("interferon antiviral response", {}),
    ("zzzxqv", {}),  # matches nothing
]
SCAN_WORDS = ["virus", "coronavirus", "ace2", "influenza", "spike protein", "interferon"]


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def sample_text() -> tuple[list[str], list[str], list[str], list[str]]:
    """Titles, abstract sentences, author names and institution names of the sample."""
    from ckg_rdf.corpus.layout import CorpusLayout
    from ckg_rdf.corpus.reader import read_corpus
    from ckg_rdf.extract.identity import author_identity

    titles, sentences, names, places = [], [], set(), set()
    for item in read_corpus(CorpusLayout.discover(SAMPLE), set()):
        if not hasattr(item, "title"):
            continue
        if item.title:
            titles.append(item.title)
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", item.abstract) if len(s) > 20]
        for a in item.authors:
            ident = author_identity(a)
            if ident is not None:
                names.add(ident.display_name)
            for aff in a.affiliations:
                if aff.institution:
                    places.add(aff.institution)
    return titles, sentences, sorted(names), sorted(places)


def concept_labels() -> list[tuple[str, list[str], str]]:
    """Labels, synonyms and types of the vocabulary's concepts (a few thousand)."""
    from ckg_rdf.extract.concepts.vocabulary import load_index

    infos = sorted(load_index().concepts.values(), key=lambda c: c.concept_id)
    rng = random.Random(1)
    return [(c.pref_label, list(c.alt_labels), c.type) for c in rng.sample(infos, 5000)]


def synthetic(n: int, seed: int = 0):  # type: ignore[no-untyped-def]
    from ckg_rdf.search import SearchDoc

    rng = random.Random(seed)
    titles, sentences, names, places = sample_text()
    concepts = concept_labels() or [("virus", ["viruses"], "ORGANISM")]
    firsts = sorted({x.split()[0] for x in names if " " in x})
    lasts = sorted({x.split()[-1] for x in names})
    authors = sorted({f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(n // 2)})
    authors += names
    topics = [f"http://bench/topic/{t}" for t in range(10)]
    base = "http://bench/"
    docs = []
    author_papers: dict[str, int] = {}
    for i in range(n):
        title = rng.choice(titles)
        if rng.random() < 0.5:
            title = f"{title}: {rng.choice(titles).split(':')[0]}"
        abstract = " ".join(rng.sample(sentences, rng.randint(4, 9)))
        crew = rng.sample(authors, rng.randint(3, 9))
        for a in crew:
            author_papers[a] = author_papers.get(a, 0) + 1
        cs = rng.sample(concepts, rng.randint(3, 12))
        docs.append(
            SearchDoc(
                f"{base}paper/{i}",
                "paper",
                title,
                names="; ".join(crew),
                concepts=" | ".join("; ".join([c[0], *c[1]]) for c in cs),
                body=abstract,
                detail=f"{2000 + i % 21}",
                year=2000 + i % 21,
                popularity=float(int(rng.paretovariate(1.5)) - 1),
                keys=(title,),
                facets=tuple(("topic", t) for t in rng.sample(topics, rng.randint(0, 3))),
            )
        )
    for a, k in author_papers.items():
        docs.append(
            SearchDoc(
                f"{base}author/{len(docs)}",
                "author",
                a,
                names=rng.choice(places),
                concepts=" | ".join(c[0] for c in rng.sample(concepts, 5)),
                detail=f"{k} papers",
                popularity=float(k),
                keys=(a,),
            )  # fmt: skip
        )
    for p in places:
        docs.append(SearchDoc(f"{base}institution/{len(docs)}", "institution", p, keys=(p,)))
    for label, alts, kind in concepts:
        docs.append(
            SearchDoc(
                f"{base}concept/{len(docs)}",
                "concept",
                label,
                names="; ".join(alts),
                concept_type=kind,
                keys=(label, *alts),
            )  # fmt: skip
        )
    for t in topics:
        docs.append(SearchDoc(t, "topic", f"topic {t[-1]}", names="virus; disease"))
    return docs


def index(docs, path: Path) -> float:  # type: ignore[no-untyped-def]
    from ckg_rdf.search import SearchIndex

    started = time.perf_counter()
    with SearchIndex(path) as ix:
        for s in range(0, len(docs), 5000):
            ix.put(docs[s : s + 5000])
            ix.commit()
        ix.optimize()
    return time.perf_counter() - started


def run_queries(path: Path, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    from ckg_rdf.search import Searcher, SearchRequest

    searcher = Searcher(path)
    every: list[float] = []
    per: dict[str, list[float]] = {}
    for q, filters in QUERIES:  # warm the page cache once
        searcher.search(SearchRequest(q, group=5, **filters))  # type: ignore[arg-type]
    for _ in range(repeat):
        for q, filters in QUERIES:
            started = time.perf_counter()
            searcher.search(SearchRequest(q, group=5, **filters))  # type: ignore[arg-type]
            ms = (time.perf_counter() - started) * 1000
            every.append(ms)
            per.setdefault(q + (f" {filters}" if filters else ""), []).append(ms)
    return every, per


def sparql_scan(docs, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    store = ox.Store()
    title = ox.NamedNode("https://w3id.org/ckg-rdf/ontology#title")
    abstract = ox.NamedNode("https://w3id.org/ckg-rdf/ontology#abstract")
    quads = []
    for d in docs:
        if d.kind != "paper":
            continue
        s = ox.NamedNode(d.iri)
        quads += [ox.Quad(s, title, ox.Literal(d.label)), ox.Quad(s, abstract, ox.Literal(d.body))]
    store.extend(quads)
    times = []
    for _ in range(repeat):
        for w in SCAN_WORDS:
            q = (
                "SELECT ?p WHERE { ?p <https://w3id.org/ckg-rdf/ontology#title> ?t ; "
                "<https://w3id.org/ckg-rdf/ontology#abstract> ?a "
                f'FILTER(CONTAINS(LCASE(?t), "{w}") || CONTAINS(LCASE(?a), "{w}")) }}'
            )
            started = time.perf_counter()
            list(store.query(q))
            times.append((time.perf_counter() - started) * 1000)
    return times


def match_only(path: Path, repeat: int) -> list[float]:
    """The index doing what the scan does: every paper matching each word, unranked."""
    import sqlite3

    from ckg_rdf.search.text import fts_string

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    times = []
    for _ in range(repeat):
        for w in SCAN_WORDS:
            started = time.perf_counter()
            db.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ?", (f"{{label body}}: {fts_string(w)}",)
            ).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    db.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="synthetic papers")
    ap.add_argument("--baseline-n", type=int, default=0, help="papers the scan runs on (0: all)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    started = time.perf_counter()
    docs = synthetic(args.n)
    papers = [d for d in docs if d.kind == "paper"]
    print(
        f"corpus: {len(papers):,} papers, {len(docs) - len(papers):,} other documents "
        f"({time.perf_counter() - started:.0f} s to make)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        small = papers[: args.baseline_n or len(papers)]
        scan = sparql_scan(small, max(1, args.repeat // 4))
        big_file = Path(tmp) / "big.sqlite"
        seconds = index(docs, big_file)
        size = sum(f.stat().st_size for f in Path(tmp).glob("big.sqlite*"))
        rate = len(docs) / seconds
        print(f"index: {len(docs):,} documents in {seconds:.0f} s ({rate:,.0f} docs/s), ", end="")
        print(f"{size / 2**20:,.0f} MiB")
        matched = match_only(big_file, max(1, args.repeat // 4))
        every, per = run_queries(big_file, args.repeat)
    rows = [
        (f"SPARQL CONTAINS scan, {len(small):,} papers (baseline)", scan),
        (f"FTS5 match only, {len(papers):,} papers", matched),
        (f"FTS5 whole search, {len(papers):,} papers + entities", every),
    ]
    print()
    print(f"{'':52s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for name, times in rows:
        print(f"{name:52s} {statistics.median(times):8.2f} {percentile(times, 99):8.2f}")
    print()
    ratio = statistics.median(scan) / statistics.median(matched)
    print(f"matching alone, the index is {ratio:,.0f}x faster than the scan (p50)")
    print("the whole search (ranking, facets, page, snippets), per query:")
    for q, times in per.items():
        print(f"  {q:50s} {statistics.median(times):8.2f} {percentile(times, 99):8.2f}")


if __name__ == "__main__":
    main()
