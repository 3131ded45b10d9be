"""Similar papers with reasons: hybrid candidates, graph evidence, fused ranking.

Two halves, so that the service can run the store half in a query worker:

1. :meth:`Recommender.candidates` (in process, from the indexes): the BM25 top
   ``n`` for the paper's title+abstract, the dense top ``n`` from the faiss
   index (and the text+TransE top ``n`` when the TransE feature has a weight),
   with each candidate's raw BM25, text-cosine and TransE-cosine scores.
2. :func:`ckg_rdf.recommend.graph.graph_evidence` (through the store): citation
   neighbours (added as candidates), concepts, topics, labels.
3. :meth:`Recommender.rank` (in process): features, fusion with the weights
   chosen on the evaluation, the top ``k`` with their reasons.

Modes: ``hybrid`` (this fusion; the default, the best measured), ``bm25``
(keyword baseline), and the cosine modes of :class:`SimilarityIndex`
(``semantic``, ``kg``, ``combined``), which keep their exact cosine rankings
and get evidence-only reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ckg_rdf.embed.index import MAX_K, SimilarError, SimilarityIndex, UnknownPaperError
from ckg_rdf.recommend.fusion import FEATURES, FusionWeights, feature_matrix, fuse, order
from ckg_rdf.recommend.graph import Evidence, graph_evidence
from ckg_rdf.recommend.lexical import LexicalIndex, top_rows
from ckg_rdf.recommend.reasons import Reason, explain
from ckg_rdf.store import GraphReader

#: every mode, the default first
MODES = ("hybrid", "bm25", "semantic", "kg", "combined")
DEFAULT_MODE = "hybrid"
#: each text ranking contributes at least this many candidates
CANDIDATES = 100


@dataclass
class Candidates:
    """A paper's candidates and their raw text/graph-embedding scores (aligned lists)."""

    paper: str
    iris: list[str]
    bm25: dict[str, float] = field(default_factory=dict)
    dense: dict[str, float] = field(default_factory=dict)
    kg: dict[str, float] = field(default_factory=dict)
    #: the mode's own score, for the cosine modes and bm25
    base: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    paper: str
    score: float
    features: dict[str, float]
    reasons: list[Reason]


class Recommender:
    """Answers "papers similar to this one" in every mode, with reasons."""

    def __init__(
        self,
        similarity: SimilarityIndex,
        lexical: LexicalIndex | None,
        weights: FusionWeights | None = None,
    ) -> None:
        self.similarity = similarity
        self.lexical = lexical
        self.weights = weights or FusionWeights.load()

    # -- scores from the indexes --------------------------------------------------------
    def _bm25(self, paper: str) -> np.ndarray | None:
        return self.lexical.scores(paper) if self.lexical is not None else None

    def _cosines(self, mode: str, paper: str, others: list[str]) -> dict[str, float]:
        sp = self.similarity.spaces.get(mode)
        row = sp.row_of.get(paper) if sp else None
        if sp is None or row is None:
            return {}
        q = sp.space.vectors[row]
        rows = [(o, sp.row_of[o]) for o in others if o in sp.row_of]
        if not rows:
            return {}
        sims = sp.space.vectors[[r for _, r in rows]] @ q
        return {o: float(s) for (o, _), s in zip(rows, sims, strict=True)}

    def known(self, paper: str) -> bool:
        if any(paper in sp.row_of for sp in self.similarity.spaces.values()):
            return True
        return self.lexical is not None and paper in self.lexical.row_of

    def candidates(self, paper: str, k: int = 10, mode: str = DEFAULT_MODE) -> Candidates:
        """The candidates of ``paper`` in ``mode`` with their raw scores.

        Raises :class:`UnknownPaperError` when the paper is in no index (or has no
        vector in a cosine mode) and :class:`SimilarError` for a bad ``k`` or mode.
        """
        if mode not in MODES:
            raise SimilarError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            raise SimilarError(f"k must be an integer from 1 to {MAX_K}, got {k!r}")
        base: dict[str, float] = {}
        if mode in ("semantic", "kg", "combined"):
            hits = self.similarity.similar(paper, k=k, mode=mode)
            base = dict(hits)
            iris = [i for i, _ in hits]
        elif mode == "bm25":
            scores = self._bm25(paper)
            if scores is None:
                raise UnknownPaperError(f"paper <{paper}> has no bm25 entry")
            assert self.lexical is not None
            rows = top_rows(scores, k)
            iris = [self.lexical.iris[r] for r in rows]
            base = {self.lexical.iris[r]: float(scores[r]) for r in rows}
        else:
            if not self.known(paper):
                raise UnknownPaperError(f"paper <{paper}> is in no index")
            n = max(CANDIDATES, k)
            found: dict[str, None] = {}
            scores = self._bm25(paper)
            if scores is not None:
                assert self.lexical is not None
                for r in top_rows(scores, n):
                    found[self.lexical.iris[r]] = None
            # the dense top n, and the text+graph-embedding top n when the graph embedding
            # weighs (papers close in TransE that neither text ranking has)
            spaces = ["semantic", "combined"] if self.weights.uses("kg") else ["semantic"]
            for space in spaces:
                sp = self.similarity.spaces.get(space)
                if sp is not None and paper in sp.row_of:
                    for iri, _ in self.similarity.similar(paper, k=n, mode=space):
                        found[iri] = None
            iris = list(found)
        cands = Candidates(paper, iris, base=base)
        self.score(cands, iris)
        return cands

    def score(self, cands: Candidates, iris: list[str]) -> None:
        """Fill in the raw text and graph-embedding scores of ``iris`` (new candidates too)."""
        new = [i for i in iris if i not in cands.dense and i != cands.paper]
        if not new:
            return
        scores = self._bm25(cands.paper)
        if scores is not None and self.lexical is not None:
            for i in new:
                r = self.lexical.row_of.get(i)
                cands.bm25[i] = float(scores[r]) if r is not None else float("-inf")
        cands.dense.update(self._cosines("semantic", cands.paper, new))
        cands.kg.update(self._cosines("kg", cands.paper, new))
        for i in new:
            cands.dense.setdefault(i, float("nan"))

    # -- the ranking ---------------------------------------------------------------
    def rank(
        self, cands: Candidates, evidence: Evidence, k: int = 10, mode: str = DEFAULT_MODE
    ) -> list[Recommendation]:
        """The top ``k`` with their reasons; hybrid fuses, the other modes keep their order."""
        if mode == DEFAULT_MODE:
            extra = [n for n in sorted(evidence.neighbours()) if n not in cands.iris]
            cands.iris.extend(i for i in extra if i != cands.paper)
        iris = [i for i in cands.iris if i != cands.paper]
        self.score(cands, iris)
        X = feature_matrix(
            iris,
            np.array([cands.bm25.get(i, float("-inf")) for i in iris]),
            np.array([cands.dense.get(i, float("nan")) for i in iris]),
            np.array([cands.kg.get(i, float("nan")) for i in iris]),
            evidence,
        )
        if mode == DEFAULT_MODE:
            w = self.weights.vector()
            contrib = X * w
            scores = fuse(X, self.weights)
            rows = order(scores, iris)[:k]
        else:
            contrib = None
            scores = np.array([cands.base.get(i, 0.0) for i in iris])
            rows = list(range(len(iris)))[:k]  # the mode's own order
        out = []
        show_kg = mode in ("kg", "combined") or (mode == DEFAULT_MODE and self.weights.uses("kg"))
        for r in rows:
            iri = iris[r]
            terms = self.lexical.shared_terms(cands.paper, iri) if self.lexical else []
            reasons = explain(
                iri,
                X[r],
                contrib[r] if contrib is not None else None,
                evidence,
                dense_cosine=cands.dense.get(iri),
                kg_cosine=cands.kg.get(iri) if show_kg else None,
                shared_terms=terms,
            )
            feats = {f: round(float(X[r, j]), 4) for j, f in enumerate(FEATURES)}
            out.append(Recommendation(iri, float(scores[r]), feats, reasons))
        return out

    # -- both halves against a store (the CLI, the benchmark) -------------------------
    def recommend(
        self, store: GraphReader, paper: str, k: int = 10, mode: str = DEFAULT_MODE
    ) -> tuple[list[Recommendation], Evidence]:
        cands = self.candidates(paper, k, mode)
        evidence = graph_evidence(store, paper, cands.iris, with_labels=True)
        return self.rank(cands, evidence, k, mode), evidence
