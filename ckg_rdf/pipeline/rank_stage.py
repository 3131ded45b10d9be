"""The stage that ranks papers: in-corpus citation counts and PageRank, stored in the graph.

Computed once per change of the citation graph (not per request), so the
home page, ``ckg rank`` and ``/rank`` read a property instead of counting
citations over the whole corpus. It owns the ``ranks`` graph and rewrites it
whole when the citations or the papers changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pyoxigraph import Literal, Triple

from ckg_rdf.config import BuildConfig
from ckg_rdf.pipeline.steps import StageContext, stage_inputs_of
from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.vocab import CKG, XSD

_PAPERS = f"SELECT ?p WHERE {{ ?p a {CKG.Paper} }}"
_CITES = f"SELECT ?a ?b WHERE {{ ?a {CKG.cites} ?b }}"


@dataclass(frozen=True)
class RankStage:
    name: str = "pagerank"
    version: str = "3"  # 2: places of the first papers; 3: of every paper (rank/positions.py)
    requires: tuple[str, ...] = ("citations",)
    graphs: tuple[str, ...] = ("ranks",)
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        return stage_inputs_of(ctx, ["papers", "citations"], self.version)

    def run(self, ctx: StageContext) -> dict[str, int]:
        from ckg_rdf.rank import pagerank
        from ckg_rdf.rank.positions import positions

        papers = [r["p"] for r in ctx.store.query(_PAPERS)]  # type: ignore[union-attr]
        edges = [(r["a"].value, r["b"].value) for r in ctx.store.query(_CITES)]  # type: ignore[union-attr]
        cited = Counter(b for a, b in set(edges) if a != b)
        scores = pagerank(edges, nodes=[p.value for p in papers])
        by_citations, by_pagerank = positions([p.value for p in papers], cited, scores)
        graph = ctx.iris.graph(self.graphs[0])
        ctx.store.clear_graph(graph)
        triples: list[Triple] = []
        for paper in papers:
            triples.append(
                Triple(
                    paper, CKG.citationCount, Literal(str(cited[paper.value]), datatype=XSD.integer)
                )
            )
            triples.append(
                Triple(
                    paper, CKG.pageRank, Literal(f"{scores[paper.value]:.9e}", datatype=XSD.double)
                )
            )
            for prop, places in (
                (CKG.citationPosition, by_citations),
                (CKG.pageRankPosition, by_pagerank),
            ):
                if paper.value in places:
                    triples.append(
                        Triple(paper, prop, Literal(str(places[paper.value]), datatype=XSD.integer))
                    )
            if len(triples) >= 100_000:
                ctx.store.add(in_graph(triples, graph))
                triples = []
        ctx.store.add(in_graph(triples, graph))
        return {"papers ranked": len(papers), "papers cited in the corpus": len(cited)}


def make_rank_stage(config: BuildConfig) -> RankStage:
    return RankStage()
