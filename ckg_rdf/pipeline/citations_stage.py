"""The stage that turns resolved bibliography entries into ``ckg:cites`` edges.

It owns the ``citations`` graph and writes only the difference from its last
run: the resolved edges are kept in the build state (SQLite), the new set is
computed there with one join, and only edges that appeared are added and
edges that disappeared deleted. Memory stays flat whatever the corpus size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from pyoxigraph import NamedNode, Quad

from ckg_rdf.config import BuildConfig
from ckg_rdf.extract.citations import CitationIndex, ResolutionCounts
from ckg_rdf.pipeline.steps import StageContext, stage_inputs_of
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.rdf.papers import cites_triple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cites_edges (citing TEXT, cited TEXT, PRIMARY KEY (citing, cited));
CREATE TEMP TABLE IF NOT EXISTS cites_new (citing TEXT, cited TEXT, PRIMARY KEY (citing, cited));
"""
CHUNK = 20_000


def _chunks(rows: Iterable[tuple[str, str]], n: int) -> Iterator[list[tuple[str, str]]]:
    it = iter(rows)
    while chunk := list(islice(it, n)):
        yield chunk


@dataclass(frozen=True)
class CitationStage:
    name: str = "citations"
    version: str = "1"
    requires: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ("citations",)
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        return stage_inputs_of(ctx, ["papers"], self.version)

    def run(self, ctx: StageContext) -> dict[str, int]:
        db = ctx.state.db
        db.executescript(_SCHEMA)
        graph = ctx.iris.graph(self.name)
        if ctx.store.count(graph) == 0:
            db.execute("DELETE FROM cites_edges")  # the graph was cleared: write everything
        db.execute("DELETE FROM cites_new")
        index = CitationIndex(db)
        counts = ResolutionCounts()

        def resolved() -> Iterator[tuple[str, str]]:
            # in process: scoring the fuzzy batches on Dask workers was measured slower
            # (shipping each batch's candidate titles costs as much as scoring them)
            for res in index.resolve():
                counts.add(res)
                yield res.citing, res.cited

        for chunk in _chunks(resolved(), CHUNK):
            db.executemany("INSERT OR IGNORE INTO cites_new VALUES (?, ?)", chunk)
        added = db.execute(
            "SELECT citing, cited FROM cites_new EXCEPT SELECT citing, cited FROM cites_edges"
        )
        for chunk in _chunks(added, CHUNK):
            ctx.store.add(_quads(chunk, ctx.iris, graph))
        removed = db.execute(
            "SELECT citing, cited FROM cites_edges EXCEPT SELECT citing, cited FROM cites_new"
        ).fetchall()
        for chunk in _chunks(removed, 2_000):
            body = " ".join(str(t) + " ." for t in (cites_triple(a, b, ctx.iris) for a, b in chunk))
            ctx.store.update(f"DELETE DATA {{ GRAPH {graph} {{ {body} }} }}")
        db.execute("DELETE FROM cites_edges")
        db.execute("INSERT INTO cites_edges SELECT citing, cited FROM cites_new")
        edges = int(db.execute("SELECT COUNT(*) FROM cites_edges").fetchone()[0])
        db.commit()
        report = {
            "bibliography entries": index.count_refs(),
            "entries resolved": counts.total,
            "cites edges": edges,
        }
        report.update(counts.report())
        return report


def _quads(edges: list[tuple[str, str]], iris: IriScheme, graph: NamedNode) -> Iterator[Quad]:
    for citing, cited in edges:
        t = cites_triple(citing, cited, iris)
        yield Quad(t.subject, t.predicate, t.object, graph)


def make_citation_stage(config: BuildConfig) -> CitationStage:
    return CitationStage()
