"""Recommendations: BM25, graph evidence, fusion and reasons on the tiny graph, and the
evaluation's metrics on hand-made rankings.

Every expected answer is computed here from the triples ``_data.fill`` writes (or
by hand), not with the package's own feature code.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

pytest.importorskip("bm25s")
pytest.importorskip("Stemmer")
pytest.importorskip("faiss")

from ckg_rdf.embed.index import SimilarityIndex  # noqa: E402
from ckg_rdf.embed.vectors import ModelInfo, write_embeddings  # noqa: E402
from ckg_rdf.recommend.evaluation import (  # noqa: E402
    bootstrap_ci,
    ndcg_at,
    paired_bootstrap,
    per_query,
    precision_at,
    recall_at,
)
from ckg_rdf.recommend.fusion import FEATURES, FusionWeights, rrf  # noqa: E402
from ckg_rdf.recommend.graph import graph_evidence  # noqa: E402
from ckg_rdf.recommend.lexical import Bm25Config, LexicalIndex, top_rows  # noqa: E402
from ckg_rdf.recommend.recommender import MODES, Recommender  # noqa: E402
from tests.embed._data import TOPICS, random_vectors  # noqa: E402

PER_TOPIC = 6


# --- metrics on hand-made rankings -----------------------------------------------------
def test_precision_ndcg_recall_by_hand() -> None:
    ranked = ["a", "x", "b", "y", "z"]
    relevant = {"a", "b", "c"}
    assert precision_at(ranked, relevant, 10) == pytest.approx(2 / 10)
    assert precision_at(ranked, relevant, 2) == pytest.approx(1 / 2)
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(ranked, relevant, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at(["a", "b", "c"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at(ranked, set(), 10) == 0.0
    assert recall_at(ranked, relevant, 100) == pytest.approx(2 / 3)
    assert recall_at(ranked, relevant, 1) == pytest.approx(1 / 3)
    # a mode that returns nothing for a source scores 0 there
    m = per_query({"q1": ranked}, {"q1": relevant, "q2": {"a"}})
    assert m["P@10"].tolist() == pytest.approx([0.2, 0.0])
    assert m["R@100"].tolist() == pytest.approx([2 / 3, 0.0])


def test_bootstrap_interval() -> None:
    same = bootstrap_ci(np.full(50, 0.3))
    assert (same.mean, same.low, same.high) == pytest.approx((0.3, 0.3, 0.3))
    values = np.array([0.0, 1.0] * 100)
    ci = bootstrap_ci(values, seed=1)
    assert ci.mean == pytest.approx(0.5)
    assert ci.low < 0.5 < ci.high
    # the standard error of a mean of 200 coin flips is 0.035: the 95% interval is about +-0.07
    assert 0.04 < ci.high - ci.mean < 0.1
    assert not bootstrap_ci(np.zeros(40)).overlaps(bootstrap_ci(np.ones(40)))
    diff = paired_bootstrap(np.ones(30), np.zeros(30))
    assert (diff.mean, diff.low) == pytest.approx((1.0, 1.0))


def test_rrf_by_hand() -> None:
    fused = rrf([["a", "b"], ["b", "c"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert max(fused, key=fused.get) == "b"


# --- BM25 ------------------------------------------------------------------------------
def _bm25_by_hand(docs: dict[str, list[str]], query: list[str], k1: float, b: float) -> dict:
    n = len(docs)
    avgdl = sum(len(d) for d in docs.values()) / n
    df = Counter(t for d in docs.values() for t in set(d))
    out = {}
    for name, d in docs.items():
        tf = Counter(d)
        score = 0.0
        for t in query:
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                # Lucene (>= 8) drops BM25's constant (k1 + 1) factor: same ranking
                score += idf * tf[t] / (tf[t] + k1 * (1 - b + b * len(d) / avgdl))
        out[name] = score
    return out


def test_bm25_matches_the_lucene_formula(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = {
        "p:1": "spike protein binds receptor",
        "p:2": "spike protein vaccine trial",
        "p:3": "masks reduce transmission in schools",
        "p:4": "receptor binding of the spike",
    }
    cfg = Bm25Config(stem=False)
    idx = LexicalIndex.build(texts, cfg)
    # the words the tokenizer keeps (stop words "in", "of", "the" dropped)
    docs = {
        "p:1": ["spike", "protein", "binds", "receptor"],
        "p:2": ["spike", "protein", "vaccine", "trial"],
        "p:3": ["masks", "reduce", "transmission", "schools"],
        "p:4": ["receptor", "binding", "spike"],
    }
    expected = _bm25_by_hand(docs, docs["p:1"], cfg.k1, cfg.b)
    got = idx.scores("p:1")
    assert got is not None and got[idx.row_of["p:1"]] == -np.inf  # never itself
    for name in ("p:2", "p:3", "p:4"):
        assert got[idx.row_of[name]] == pytest.approx(expected[name], rel=1e-5)
    assert set(idx.shared_terms("p:1", "p:4")) == {"receptor", "spike"}
    # saved and loaded: the same scores; a changed text makes open() rebuild
    idx.save(tmp_path / "bm25")
    again = LexicalIndex.load(tmp_path / "bm25")
    assert np.allclose(again.scores("p:1"), got)
    assert again.fingerprint == idx.fingerprint


def test_stemming_matches_word_forms() -> None:
    idx = LexicalIndex.build({"a": "vaccines protect", "b": "vaccine protection", "c": "masks"})
    s = idx.scores("a")
    assert s is not None and s[idx.row_of["b"]] > 0 and s[idx.row_of["c"]] == 0
    # only keyword matches are candidates: "c" shares no term
    assert [idx.iris[r] for r in top_rows(s, 10)] == ["b"]
    assert idx.shared_terms("a", "b") and all(" " not in t for t in idx.shared_terms("a", "b"))


# --- the tiny graph ---------------------------------------------------------------------
def _ids() -> list[str]:
    return [f"p-{t}-{i}" for t in TOPICS for i in range(PER_TOPIC)] + ["p-no-edges"]


@pytest.fixture
def rec(store, iris, data):  # type: ignore[no-untyped-def]
    write_embeddings(
        store, iris, ModelInfo("rand", "random", "semantic"), random_vectors(_ids(), 16)
    )
    store.flush()
    index = SimilarityIndex.open(store, data.index_dir)
    lexical = LexicalIndex.open(store, data.bm25_dir)
    assert (data.bm25_dir / "manifest.json").exists()
    return Recommender(index, lexical)


def _concepts(pid: str) -> set[str]:
    """What _data.fill gives a paper: concept {topic}-c{i % 2}."""
    if pid == "p-no-edges":
        return set()
    _, t, i = pid.split("-")
    return {f"{t}-c{int(i) % 2}"}


def _cites(pid: str) -> str:
    _, t, i = pid.split("-")
    return f"p-{t}-{(int(i) + 1) % PER_TOPIC}"


def test_evidence_reads_citations_and_concepts(store, iris) -> None:  # type: ignore[no-untyped-def]
    paper = iris.paper("p-virus-0").value
    ev = graph_evidence(store, paper, [iris.paper(p).value for p in _ids()])
    local = {k: {iris.local_id(o, "paper") for o in v} for k, v in ev.relations.items()}
    # fill(): p-t-i cites p-t-(i+1): p-virus-0 cites 1, is cited by 5; 4 cites 5 too (co-cited
    # with nobody: only one paper cites p-virus-0); nobody else cites p-virus-1 (no coupling)
    assert local["cites"] == {"p-virus-1"}
    assert local["cited_by"] == {"p-virus-5"}
    assert local["co_cited"] == set() and local["cites_same"] == set()
    assert {iris.local_id(c, "concept") for c in ev.concepts[paper]} == {"virus-c0"}
    assert ev.labels[iris.paper("p-virus-1").value].startswith("Coronavirus spike")


def test_hybrid_ranks_by_concepts_when_only_concepts_weigh(rec, store, iris) -> None:  # type: ignore[no-untyped-def]
    rec.weights = FusionWeights({"concepts": 1.0})
    paper = "p-mask-2"
    res, _ = rec.recommend(store, iris.paper(paper).value, k=5)
    got = [iris.local_id(r.paper, "paper") for r in res]
    # the same concept (mask-c0) only for even i of the mask topic: p-mask-0 and p-mask-4
    same = sorted(p for p in _ids() if p != paper and _concepts(p) == _concepts(paper))
    assert sorted(got[: len(same)]) == same
    assert res[0].score == pytest.approx(1.0) and res[0].features["concepts"] == pytest.approx(1.0)
    reasons = {r.kind: r for r in res[0].reasons}
    assert reasons["concepts"].contribution == pytest.approx(1.0)
    assert [i.iri for i in reasons["concepts"].items] == [iris.concept("mask-c0").value]


def test_hybrid_citation_weights_and_reasons(rec, store, iris) -> None:  # type: ignore[no-untyped-def]
    rec.weights = FusionWeights({"citation": 1.0, "dense": 0.01})
    paper = "p-vaccine-3"
    res, _ = rec.recommend(store, iris.paper(paper).value, k=2)
    got = {iris.local_id(r.paper, "paper"): r for r in res}
    # direct citations of p-vaccine-3: it cites p-vaccine-4 and p-vaccine-2 cites it
    assert set(got) == {_cites(paper), "p-vaccine-2"}
    kinds = {p: {x.kind for x in r.reasons} for p, r in got.items()}
    assert "cites" in kinds["p-vaccine-4"] and "cited_by" in kinds["p-vaccine-2"]
    for r in res:
        shares = [x.contribution for x in r.reasons if x.contribution is not None]
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.005


def test_fused_score_is_the_weighted_sum(rec, store, iris) -> None:  # type: ignore[no-untyped-def]
    weights = {f: w for f, w in zip(FEATURES, (1, 2, 0, 3, 0, 0.5, 0.5, 1), strict=True)}
    rec.weights = FusionWeights(weights)
    res, _ = rec.recommend(store, iris.paper("p-virus-2").value, k=8)
    for r in res:
        # features are reported to 4 decimals
        assert r.score == pytest.approx(sum(weights[f] * r.features[f] for f in FEATURES), abs=1e-3)
    assert [r.score for r in res] == sorted((r.score for r in res), reverse=True)
    assert iris.paper("p-virus-2").value not in [r.paper for r in res]


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_answers_with_reasons(rec, store, iris, mode) -> None:  # type: ignore[no-untyped-def]
    if mode in ("kg", "combined"):
        pytest.skip("the fixture writes text vectors only")
    res, _ = rec.recommend(store, iris.paper("p-mask-1").value, k=4, mode=mode)
    assert len(res) == 4 and all(r.reasons for r in res)
    if mode != "hybrid":
        assert all(x.contribution is None for r in res for x in r.reasons)


def test_weights_file_is_valid() -> None:
    w = FusionWeights.load()
    assert set(w.weights) <= set(FEATURES) and w.vector().sum() > 0
