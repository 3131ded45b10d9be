"""The last stage of a build: describe the dataset (VoID + DCAT) in its own graph.

Counted here, once per build that changed something, so the service and ``ckg export``
carry sizes, licences, links out and examples without counting per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pyoxigraph import QuerySolutions

from ckg_rdf.config import BuildConfig
from ckg_rdf.pipeline.steps import StageContext, stage_inputs_of
from ckg_rdf.rdf.dataset import DatasetStats, dataset_triples
from ckg_rdf.rdf.graphs import in_graph
from ckg_rdf.stats import class_counts, property_counts
from ckg_rdf.store import GraphReader, count_rows
from ckg_rdf.vocab import CKG, CLOSE_MATCH_SCHEMES, EXTERNAL_IRI_PREFIXES, SKOS

GRAPH = "dataset"
_LICENCES = f"SELECT ?l (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p {CKG.license} ?l }} GROUP BY ?l"
_EXAMPLES = f"SELECT ?p WHERE {{ ?p {CKG.citationCount} ?n }} ORDER BY DESC(?n) ?p LIMIT 10"


def linkset_counts(store: GraphReader) -> dict[str, int]:
    """Concept links into each external vocabulary, by scheme."""
    out = {}
    for scheme, prefix in EXTERNAL_IRI_PREFIXES.items():
        predicate = SKOS.closeMatch if scheme in CLOSE_MATCH_SCHEMES else SKOS.exactMatch
        out[scheme] = count_rows(
            store,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c {predicate} ?t "
            f'FILTER(STRSTARTS(STR(?t), "{prefix}")) }}',
        )
    return out


def _release(corpus: str | None) -> tuple[str, str]:
    if not corpus:
        return "", ""
    root = Path(corpus)
    metadata = root / "metadata.csv"
    when = ""
    if metadata.exists():
        when = date.fromtimestamp(metadata.stat().st_mtime).isoformat()
    return root.resolve().name, when


@dataclass(frozen=True)
class DatasetStage:
    name: str = "dataset"
    #: 2: ten example resources (the home page's most cited papers); counts include itself
    version: str = "2"
    requires: tuple[str, ...] = ()
    graphs: tuple[str, ...] = (GRAPH,)
    describe_first: bool = True

    def inputs(self, ctx: StageContext) -> str:
        producers = sorted(
            g.value.rsplit("/", 1)[-1] for g in ctx.store.graphs() if g != ctx.iris.graph(GRAPH)
        )
        return stage_inputs_of(ctx, producers, self.version, producers)

    def run(self, ctx: StageContext) -> dict[str, int]:
        store, iris = ctx.store, ctx.iris
        own = iris.graph(GRAPH)
        graphs = {g.value: store.count(g) for g in store.graphs() if g != own}
        licences = {}
        rows = store.query(_LICENCES)
        if isinstance(rows, QuerySolutions):
            licences = {r["l"].value: int(r["n"].value) for r in rows}
        examples = [r["p"].value for r in store.query(_EXAMPLES)]  # type: ignore[union-attr]
        release, released = _release(ctx.config.corpus_dir)
        classes = class_counts(store)
        stats = DatasetStats(
            triples=sum(graphs.values()),
            graphs=graphs,
            classes=classes,
            properties=property_counts(store),
            linksets=linkset_counts(store),
            licences=licences,
            examples=examples,
            release=release,
            release_date=released,
            papers=classes.get(CKG.Paper.value, 0),
        )
        store.clear_graph(own)
        built, activity = datetime.now(UTC), iris.build(ctx.run_id, GRAPH)
        # the description is part of the dataset it counts: describe once to learn its own
        # size (a count is one literal whatever its value), then again with that size in
        stats.graphs[own.value] = 0
        size = len(dataset_triples(iris, stats, built=built, activity=activity))
        stats.graphs[own.value] = size
        stats.triples += size
        triples = dataset_triples(iris, stats, built=built, activity=activity)
        store.add(in_graph(triples, own))
        return {
            "described triples": stats.triples,
            "linksets": sum(1 for n in stats.linksets.values() if n),
            "licences": len(licences),
        }


def make_dataset_stage(config: BuildConfig) -> DatasetStage:
    return DatasetStage()
