"""Similar papers against relevance truths built from the corpus, every mode beside BM25.

    python benchmarks/eval_similar.py --store DATA_DIR [--cache DIR] [--write-weights]

DATA_DIR is a graph built by ``ckg build`` (the numbers in the README come from
``ckg build ../shared/cord19-sample``). Two truths, neither of which any ranker
sees:

* **refs** (external bibliographic coupling): for a paper with a parsed
  bibliography, the relevant papers are those sharing at least two references
  that are *not* papers of the corpus (read from the build state's
  bibliography table; see :func:`external_refs` for what is a corpus paper
  and when two entries are one reference). The graph holds only the
  in-corpus ``ckg:cites`` edges, so no feature of any mode is computed from
  these references: the truth is independent of the rankers, and the graph
  and its TransE vectors are used as built.
* **cites** (SciDocs-style, hidden citations): the in-corpus ``ckg:cites``
  edges are split in 5 folds; for each fold the fold's edges are removed from
  the graph (an in-memory copy) and TransE is retrained without them (cached
  in ``--cache``). A paper's relevant papers are those it cites or is cited
  by through a hidden edge, and those co-cited with it or citing a common
  paper where a hidden edge is needed for the link. Papers already linked to
  it by the visible edges are removed from every ranking and truth (the
  "filtered" setting of link prediction: they are known, not found).

Pool: every paper of the graph (the realistic pool). Metrics: P@10, nDCG@10,
R@100 per source paper, mean with a 95% bootstrap interval (2,000 resamples of
the source papers) and the paired difference to BM25.

The fusion weights of the ``hybrid`` mode are chosen here, by coordinate ascent
on nDCG@10 + 0.5 R@100 averaged over both truths, on one half of the source
papers (split by a hash of the paper IRI) and reported on the other half, both
ways round (cross-fitting), so every reported number comes from weights that
never saw that paper. ``--write-weights`` then tunes on all source papers and
writes ``ckg_rdf/recommend/weights.json``, which the service uses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ckg_rdf.corpus.normalise import content_words, fuzzy_title
from ckg_rdf.datadir import DataDir
from ckg_rdf.embed.combine import combine
from ckg_rdf.embed.index import IndexConfig, SimilarityIndex, _Space, build_hnsw
from ckg_rdf.embed.kge import KGE_BACKENDS, KGEConfig, graph_triples
from ckg_rdf.extract.citations import CitationIndex
from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.recommend.evaluation import METRICS, bootstrap_ci, paired_bootstrap, per_query
from ckg_rdf.recommend.fusion import FEATURES, FusionWeights, feature_matrix, fuse, order, rrf
from ckg_rdf.recommend.graph import Evidence, annotations, citation_neighbours, graph_evidence
from ckg_rdf.recommend.lexical import LexicalIndex
from ckg_rdf.recommend.recommender import CANDIDATES, Candidates, Recommender
from ckg_rdf.store import GraphReader
from ckg_rdf.store.embedded import EmbeddedStore
from ckg_rdf.vocab import CKG

FOLDS = 5
DEPTH = 100  # rankings are cut here (R@100)
GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


# --- truths ---------------------------------------------------------------------------
def external_refs(data: DataDir, base: str) -> dict[str, set[str]]:
    """Paper IRI -> the references of its bibliography that are not corpus papers.

    An entry is a corpus paper when its DOI, PMID, PMCID or title key is a corpus
    paper's, or when the build's resolver links it (fuzzy titles included): those
    links are ``ckg:cites`` edges that the rankers see, so they must not be in a
    truth. The others are grouped into references: two entries are the same
    reference when they share a DOI or the same title as fuzzy matching spells it
    (``fuzzy_title``, at least four content words), so "Title. medRxiv" and
    "Title" cited by two papers, one with a DOI and one without, count as one.
    """
    state = sqlite3.connect(f"file:{data.state_file}?mode=ro", uri=True)
    db = sqlite3.connect(":memory:")  # the resolver writes its scratch tables: a copy
    state.backup(db)
    state.close()
    index = CitationIndex(db)
    resolved = {(r.citing, r.ref_id) for r in index.resolve()}
    owners: set[tuple[str, str]] = set()
    for row in db.execute("SELECT doi, pmid, pmcid, title_key FROM paper_keys"):
        owners.update((n, k) for n, k in zip(("doi", "pmid", "pmcid", "t"), row, strict=True) if k)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    entries: list[tuple[str, list[str]]] = []
    for citing, ref_id, doi, pmid, pmcid, tk, title in db.execute(
        "SELECT citing, ref_id, doi, pmid, pmcid, title_key, title FROM bib_refs"
    ):
        keys = (("doi", doi), ("pmid", pmid), ("pmcid", pmcid), ("t", tk))
        if (citing, ref_id) in resolved or any(k and (n, k) in owners for n, k in keys):
            continue  # a corpus paper (or an ambiguous key): not external
        fuzzy = fuzzy_title(title or "")
        names = [f"doi:{doi.lower()}"] if doi else []
        if len(content_words(fuzzy)) >= 4:
            names.append(f"title:{fuzzy}")
        if names:
            for other in names[1:]:
                parent[find(other)] = find(names[0])
            entries.append((f"{base}paper/{citing}", names))
    db.close()
    refs: dict[str, set[str]] = defaultdict(set)
    for paper, names in entries:
        refs[paper].add(find(names[0]))
    return refs


def with_bibliography(data: DataDir, base: str) -> set[str]:
    """The papers whose bibliography the corpus has (the only ones a truth can cover)."""
    db = sqlite3.connect(f"file:{data.state_file}?mode=ro", uri=True)
    out = {f"{base}paper/{c}" for (c,) in db.execute("SELECT DISTINCT citing FROM bib_refs")}
    db.close()
    return out


def coupling_truth(refs: dict[str, set[str]], papers: set[str], min_shared: int = 2) -> dict:
    by_ref: dict[str, set[str]] = defaultdict(set)
    for p, rs in refs.items():
        for r in rs:
            by_ref[r].add(p)
    truth = {}
    for p in sorted(refs):
        if p not in papers:
            continue
        counts: dict[str, int] = defaultdict(int)
        for r in refs[p]:
            for o in by_ref[r]:
                if o != p and o in papers:
                    counts[o] += 1
        rel = {o for o, n in counts.items() if n >= min_shared}
        if rel:
            truth[p] = rel
    return truth


def related(edges: set[tuple[str, str]]) -> dict[str, set[str]]:
    """Paper -> papers linked by a cites edge, a co-citation or a shared reference."""
    out_, in_ = defaultdict(set), defaultdict(set)
    for a, b in edges:
        out_[a].add(b)
        in_[b].add(a)
    rel: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        rel[a].add(b)
        rel[b].add(a)
    for group in list(out_.values()) + list(in_.values()):
        for x in group:
            rel[x] |= group - {x}
    return rel


def hidden_truth(hidden: set[tuple[str, str]], visible: set[tuple[str, str]]) -> tuple[dict, dict]:
    """(truth, known): links that need a hidden edge, and those the visible edges give."""
    known = related(visible)
    everything = related(hidden | visible)
    truth = {}
    for p, rel in everything.items():
        found = rel - known.get(p, set()) - {p}
        if found:
            truth[p] = found
    return truth, known


def shared_authors(store: GraphReader) -> dict[str, set[str]]:
    """Paper -> the papers that share an author with it."""
    by_author: dict[str, set[str]] = defaultdict(set)
    rows = store.query(f"SELECT ?p ?a WHERE {{ ?p <{CKG.authoredBy.value}> ?a }}")
    for s in rows:  # type: ignore[union-attr]
        by_author[s["a"].value].add(s["p"].value)
    out: dict[str, set[str]] = defaultdict(set)
    for group in by_author.values():
        if len(group) > 1:
            for p in group:
                out[p] |= group - {p}
    return out


def half(iri: str) -> int:
    return int(hashlib.sha256(iri.encode()).hexdigest(), 16) % 2


# --- the graph as a fold sees it ------------------------------------------------------
def memory_copy(store: GraphReader, base: str) -> EmbeddedStore:
    """What the recommender reads from the store (citations, annotations, labels), in memory."""
    mem = EmbeddedStore(None)
    keep = " ".join(
        f"<{p}>"
        for p in (
            CKG.cites.value,
            CKG.associatedConcept.value,
            CKG.associatedTopic.value,
            CKG.title.value,
            "http://www.w3.org/2004/02/skos/core#prefLabel",
        )
    )
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {keep} }} ?s ?p ?o }}"
    from pyoxigraph import NamedNode

    mem.add(in_graph(list(store.query(q)), NamedNode(base + "graph/eval")))  # type: ignore[arg-type]
    return mem


def set_cites(mem: EmbeddedStore, edges: set[tuple[str, str]], base: str, insert: bool) -> None:
    if not edges:
        return
    body = " ".join(f"<{a}> <{CKG.cites.value}> <{b}> ." for a, b in sorted(edges))
    verb = "INSERT DATA" if insert else "DELETE DATA"
    mem.update(f"{verb} {{ GRAPH <{base}graph/eval> {{ {body} }} }}")


def kg_vectors(
    store: GraphReader, papers: set[str], hidden: set[tuple[str, str]], cache: Path, epochs: int
) -> tuple[list[str], np.ndarray]:
    """TransE entity vectors of the papers, trained without ``hidden`` (cached)."""
    triples = graph_triples(store)
    keep = np.array([not (r == "cites" and (h, t) in hidden) for h, r, t in triples])
    key = hashlib.sha256(
        json.dumps([sorted(hidden), int(keep.sum()), epochs]).encode()
    ).hexdigest()[:16]
    path = cache / f"transe-{key}.npz"
    if path.exists():
        z = np.load(path)
        return list(z["iris"]), z["vectors"]
    t0 = time.perf_counter()
    model = KGE_BACKENDS.create("pykeen").fit(triples[keep], KGEConfig(dim=64, epochs=epochs))
    vecs = model.vectors_for(sorted(papers))
    iris = sorted(vecs)
    arr = np.vstack([vecs[i] for i in iris]).astype(np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, iris=np.array(iris), vectors=arr)
    print(f"  TransE without {len(hidden)} hidden edges: {time.perf_counter() - t0:.0f} s")
    return iris, arr


def with_kg(index: SimilarityIndex, kg: tuple[list[str], np.ndarray]) -> SimilarityIndex:
    """The same text space, with these KG vectors in the kg and combined spaces."""
    sem = index.spaces["semantic"].space
    spaces = dict(index.spaces)
    cfg = index.config
    for mode, sp in (
        ("kg", combine([(kg[0], kg[1])], [1.0])),
        ("combined", combine([(sem.iris, sem.vectors), (kg[0], kg[1])], list(cfg.weights))),
    ):
        spaces[mode] = _Space(sp, build_hnsw(sp.vectors, cfg.hnsw_m, cfg.ef_construction))
    return SimilarityIndex(spaces, index.fingerprint, cfg, index.models)


# --- one query --------------------------------------------------------------------------
class Query:
    """Everything measured for one source paper: each mode's ranking, the hybrid's features."""

    def __init__(self, source: str, truth: set[str], known: set[str]) -> None:
        self.source = source
        self.truth = truth - known
        self.known = known
        self.rankings: dict[str, list[str]] = {}
        self.cands: list[str] = []
        self.X = np.zeros((0, len(FEATURES)))
        self.tiebreak = np.zeros(0)
        #: the covered pool: every covered paper scored (no candidate generation)
        self.pool: list[str] = []
        self.pool_X = np.zeros((0, len(FEATURES)))
        self.pool_raw: dict[str, np.ndarray] = {}
        self.pool_tiebreak = np.zeros(0)

    def keep(self, iris: list[str]) -> list[str]:
        return [i for i in iris if i not in self.known and i != self.source][:DEPTH]


class Pool:
    """The covered pool: papers with a bibliography, and their concepts and topics."""

    def __init__(self, store: GraphReader, iris: set[str]) -> None:
        self.iris = sorted(iris)
        self.concepts, self.topics = annotations(store, self.iris)


def measure_pool(rec: Recommender, store: GraphReader, q: Query, pool: Pool) -> None:
    """Every covered paper scored with the same features (the scoring, not the candidates)."""
    iris = [p for p in pool.iris if p != q.source and p not in q.known]
    c = Candidates(q.source, [])
    rec.score(c, iris)
    concepts, topics = pool.concepts, pool.topics
    if q.source not in pool.iris:
        own_c, own_t = annotations(store, [q.source])
        concepts, topics = {**concepts, **own_c}, {**topics, **own_t}
    ev = Evidence(q.source, citation_neighbours(store, q.source), concepts, topics)
    raw = {
        "bm25": np.array([c.bm25.get(i, -np.inf) for i in iris]),
        "dense": np.array([c.dense.get(i, np.nan) for i in iris]),
        "kg": np.array([c.kg.get(i, np.nan) for i in iris]),
    }
    q.pool, q.pool_raw = iris, raw
    q.pool_X = feature_matrix(iris, raw["bm25"], raw["dense"], raw["kg"], ev)
    q.pool_tiebreak = np.argsort(np.argsort(np.array(iris)))


def pool_ranking(q: Query, scores: np.ndarray) -> list[str]:
    scores = np.where(np.isfinite(scores), scores, -np.inf)
    return [q.pool[j] for j in np.lexsort((q.pool_tiebreak, -scores))[:DEPTH]]


def pool_modes(q: Query) -> dict[str, np.ndarray]:
    """The one-score modes on the covered pool (combined: the mean of the two cosines, a
    paper without a TransE vector counting 0 there, as the index does)."""
    kg = q.pool_raw["kg"]
    return {
        "bm25": q.pool_raw["bm25"],
        "semantic": q.pool_raw["dense"],
        "kg": kg,
        "combined": q.pool_raw["dense"] + np.where(np.isfinite(kg), kg, 0.0),
    }


def measure(rec: Recommender, store: GraphReader, q: Query, pool: Pool | None = None) -> None:
    depth = DEPTH + len(q.known)
    for mode in ("bm25", "semantic", "kg", "combined"):
        try:
            c = rec.candidates(q.source, min(depth, 1000), mode)
            q.rankings[mode] = q.keep(c.iris)
        except LookupError:
            q.rankings[mode] = []
    c = rec.candidates(q.source, depth, "hybrid")
    ev = graph_evidence(store, q.source, c.iris, with_labels=False)
    c.iris.extend(n for n in sorted(ev.neighbours()) if n not in c.iris and n != q.source)
    iris = [i for i in c.iris if i != q.source and i not in q.known]
    rec.score(c, iris)
    q.cands = iris
    q.tiebreak = np.argsort(np.argsort(np.array(iris)))
    q.X = feature_matrix(
        iris,
        np.array([c.bm25.get(i, -np.inf) for i in iris]),
        np.array([c.dense.get(i, np.nan) for i in iris]),
        np.array([c.kg.get(i, np.nan) for i in iris]),
        ev,
    )
    if pool is not None:
        measure_pool(rec, store, q, pool)
    col = {f: j for j, f in enumerate(FEATURES)}
    text = [q.cands[j] for j in order(q.X[:, col["bm25"]], q.cands)]
    dense = [q.cands[j] for j in order(q.X[:, col["dense"]], q.cands)]
    fused = rrf([text, dense])
    q.rankings["rrf(bm25, dense)"] = sorted(fused, key=lambda i: (-fused[i], i))[:DEPTH]


def hybrid_ranking(q: Query, w: FusionWeights) -> list[str]:
    """What :meth:`Recommender.rank` orders (fused score, ties by IRI), in numpy."""
    if not q.cands:
        return []
    rows = np.lexsort((q.tiebreak, -fuse(q.X, w)))[:DEPTH]
    return [q.cands[j] for j in rows]


# --- tuning -----------------------------------------------------------------------------
def objective(queries: dict[str, list[Query]], w: FusionWeights) -> float:
    total = 0.0
    for qs in queries.values():
        m = per_query({q.source: hybrid_ranking(q, w) for q in qs}, {q.source: q.truth for q in qs})
        total += float(m["nDCG@10"].mean() + 0.5 * m["R@100"].mean())
    return total / len(queries)


def tune(queries: dict[str, list[Query]], features: tuple[str, ...]) -> FusionWeights:
    """Coordinate ascent from bm25 = dense = 1 over ``GRID`` (dense stays 1: the scale)."""
    w = {f: (1.0 if f in ("bm25", "dense") else 0.0) for f in FEATURES}
    best = objective(queries, FusionWeights(w))
    for _ in range(4):
        changed = False
        for f in features:
            if f == "dense":
                continue
            for g in GRID:
                trial = {**w, f: g}
                score = objective(queries, FusionWeights(trial))
                if score > best + 1e-9:
                    best, w, changed = score, trial, True
        if not changed:
            break
    return FusionWeights(w, f"coordinate ascent, objective {best:.4f}")


def crossfit(
    queries: dict[str, list[Query]], features: tuple[str, ...]
) -> tuple[dict[str, dict[str, list[str]]], list[FusionWeights]]:
    """Each half ranked with weights tuned on the other half."""
    out: dict[str, dict[str, list[str]]] = {t: {} for t in queries}
    chosen = []
    for h in (0, 1):
        w = tune({t: [q for q in qs if half(q.source) != h] for t, qs in queries.items()}, features)
        chosen.append(w)
        for t, qs in queries.items():
            for q in qs:
                if half(q.source) == h:
                    out[t][key(q)] = hybrid_ranking(q, w)
    return out, chosen


def key(q: Query) -> str:
    return f"{q.source}#{id(q)}"


# --- reporting ----------------------------------------------------------------------------
def table(
    title: str,
    qs: list[Query],
    rankings: dict[str, Callable[[Query], list[str]]],
    drop: Callable[[Query], set[str]] | None = None,
) -> dict[str, dict[str, object]]:
    """Print one truth's table; ``drop`` removes papers from a query's rankings and truth."""
    if drop is not None:
        qs = [q for q in qs if q.truth - drop(q)]
    gone = {key(q): drop(q) if drop else set() for q in qs}
    truth = {key(q): q.truth - gone[key(q)] for q in qs}
    vals = {
        m: per_query({key(q): [x for x in f(q) if x not in gone[key(q)]] for q in qs}, truth)
        for m, f in rankings.items()
    }
    print(f"\n{title} ({len(qs)} source papers)")
    print(f"{'mode':<34}" + "".join(f"{m:>24}" for m in METRICS) + "   minus bm25, paired")
    out: dict[str, dict[str, object]] = {}
    for mode, v in vals.items():
        cis = {m: bootstrap_ci(v[m]) for m in METRICS}
        diffs = {m: paired_bootstrap(v[m], vals["bm25"][m]) for m in METRICS}
        line = f"{mode:<34}" + "".join(f"{str(cis[m]):>24}" for m in METRICS)
        if mode != "bm25":
            line += "   " + "  ".join(
                f"{d.mean:+.3f} [{d.low:+.3f}, {d.high:+.3f}]" for d in diffs.values()
            )
        print(line)
        out[mode] = {m: [cis[m].mean, cis[m].low, cis[m].high] for m in METRICS}
        out[mode]["vs bm25"] = {m: [d.mean, d.low, d.high] for m, d in diffs.items()}
    for a, b in INCREMENTS:
        if a in vals and b in vals:
            d = {m: paired_bootstrap(vals[a][m], vals[b][m]) for m in METRICS}
            print(f"  {a} minus {b}, paired: " + "  ".join(f"{m} {d[m]}" for m in METRICS))
            out[f"{a} minus {b}"] = {m: [x.mean, x.low, x.high] for m, x in d.items()}
    return out


#: pairs of modes whose paired difference is printed (what one signal adds)
INCREMENTS = (
    ("hybrid: all", "hybrid: + concepts + citations"),
    ("hybrid: + concepts + citations", "hybrid: + citations"),
    ("hybrid: + concepts + citations", "hybrid: + concepts"),
    ("hybrid: + concepts", "hybrid: hybrid text (bm25+dense)"),
    ("hybrid: + kg (TransE)", "hybrid: hybrid text (bm25+dense)"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path, default=Path("ckg-data"))
    ap.add_argument("--cache", type=Path, default=None, help="default: STORE/eval-cache")
    ap.add_argument("--epochs", type=int, default=50, help="TransE epochs per fold (the build's)")
    ap.add_argument("--write-weights", action="store_true")
    ap.add_argument(
        "--features",
        default="+ concepts + citations",
        help="the default mode's variant: its candidates are gathered, its weights written",
    )
    ap.add_argument("--json", type=Path, default=None, help="write the tables as JSON")
    args = ap.parse_args()
    data = DataDir(args.store)
    cache = args.cache or args.store / "eval-cache"
    store = data.open_store()
    index = SimilarityIndex.open(store, data.index_dir, IndexConfig())
    lexical = LexicalIndex.open(store, data.bm25_dir)
    papers = set(index.spaces["semantic"].space.iris)
    base = next(iter(papers)).split("paper/")[0]
    mem = memory_copy(store, base)
    rows = store.query(f"SELECT ?s ?o WHERE {{ ?s <{CKG.cites.value}> ?o }}")
    cites = {(s["s"].value, s["o"].value) for s in rows}  # type: ignore[union-attr]
    coauthored = shared_authors(store)
    t0 = time.perf_counter()
    queries: dict[str, list[Query]] = {"refs": [], "cites": []}

    text, cit = ("bm25", "dense"), ("co_cited", "cites_same", "citation")
    variants = {
        "hybrid text (bm25+dense)": text,
        "+ concepts": (*text, "concepts"),
        "+ citations": (*text, *cit),
        "+ kg (TransE)": (*text, "kg"),
        "+ concepts + citations": (*text, "concepts", *cit),
        "all": FEATURES,
    }
    # truth 1: external bibliographic coupling, the graph as built
    # candidates as the default (--features) gathers them: with a TransE weight, the
    # text+TransE top n too
    gather = FusionWeights({"kg": 1.0} if "kg" in variants[args.features] else {})
    rec = Recommender(index, lexical, gather)
    pool = Pool(mem, with_bibliography(data, base) & papers)
    pool_set = set(pool.iris)
    for p, rel in coupling_truth(external_refs(data, base), papers).items():
        q = Query(p, rel, set())
        measure(rec, mem, q, pool)
        queries["refs"].append(q)
    # truth 2: hidden citations, 5 folds
    edges = sorted(cites)
    order_ = np.random.default_rng(0).permutation(len(edges))
    for f in range(FOLDS):
        hidden = {edges[i] for i in order_[f::FOLDS]}
        truth, known = hidden_truth(hidden, cites - hidden)
        set_cites(mem, hidden, base, insert=False)
        kg = kg_vectors(store, papers, hidden, cache, args.epochs)
        rec = Recommender(with_kg(index, kg), lexical, gather)
        for p, rel in sorted(truth.items()):
            if p in papers:
                q = Query(p, rel, known.get(p, set()))
                if q.truth:
                    measure(rec, mem, q, pool)
                    queries["cites"].append(q)
        set_cites(mem, hidden, base, insert=True)
    print(
        f"features of {sum(map(len, queries.values()))} queries in "
        f"{time.perf_counter() - t0:.0f} s (candidates: bm25 and dense top {CANDIDATES} each "
        "plus citation neighbours)"
    )

    fitted, halves = {}, {}
    for name, feats in variants.items():
        fitted[name], ws = crossfit(queries, feats)
        halves[name] = ws
        shown = [{f: v for f, v in w.weights.items() if v} for w in ws]
        print(f"{name}: weights tuned on each half: {shown}")
    report: dict[str, object] = {}
    for t, qs in queries.items():
        modes: dict[str, Callable[[Query], list[str]]] = {
            m: (lambda q, m=m: q.rankings[m])
            for m in ("bm25", "semantic", "kg", "combined", "rrf(bm25, dense)")
        }
        for name in variants:
            modes[f"hybrid: {name}"] = lambda q, n=name, t=t: fitted[n][t][key(q)]
        report[t] = table(f"truth '{t}'", qs, modes)
        covered = {
            m: (lambda q, m=m: pool_ranking(q, pool_modes(q)[m]))
            for m in ("bm25", "semantic", "kg", "combined")
        }
        for name in variants:
            covered[f"hybrid: {name}"] = lambda q, n=name: pool_ranking(
                q, fuse(q.pool_X, halves[n][half(q.source)])
            )
        report[f"{t}, covered pool"] = table(
            f"truth '{t}', covered pool ({len(pool.iris)} papers with a bibliography, every one"
            " scored: no paper is favoured for having a bibliography)",
            qs,
            covered,
            drop=lambda q: {x for x in q.truth if x not in pool_set},
        )
        report[f"{t}, author-disjoint"] = table(
            f"truth '{t}', author-disjoint (papers sharing an author with the source removed"
            " from rankings and truth: self-citation cannot help)",
            qs,
            modes,
            drop=lambda q: coauthored.get(q.source, set()),
        )
    if args.write_weights:
        w = tune(queries, variants[args.features])
        final = FusionWeights(
            {f: v for f, v in w.weights.items()},
            f"benchmarks/eval_similar.py (variant {args.features!r}): coordinate ascent on"
            " nDCG@10 + 0.5 R@100, both truths, all source papers of the shared sample"
            " (the cross-fitted numbers are in the README)",
            {
                "cross-fitted": {
                    t: {m: v for m, v in rows.items() if m in ("bm25", f"hybrid: {args.features}")}
                    for t, rows in report.items()  # type: ignore[union-attr]
                },
                "queries": {t: len(qs) for t, qs in queries.items()},
            },
        )
        final.save()
        print(f"weights written: {dict(final.weights)}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
