"""Steps and stages: what a build runs, and the registries that find them by name.

A **step** turns a batch of papers into what it adds: triples for its own
named graph, side records for the driver (citation keys, text vectors for the
cache) and counts. It is a pure function of its input and its settings, holds
no store and no open files, and pickles: the executor may run it in another
process or on another machine. Heavy resources (a concept automaton, a
transformer) are set up once per process through :func:`shared`.

For every paper and step the build remembers the paper's input fingerprint
and the step's ``version``; a paper whose fingerprint and step version are
unchanged is not given to that step again. That is what makes builds
resumable and re-runs cheap, and why a step must change its ``version``
whenever its output for the same input would change.

A **stage** runs once over the whole graph after the steps (citation
resolution, embeddings, topics, ...), writes its own named graph through the
store interface, and declares the stages it ``requires``.

Adding a step is one module plus one ``STEPS.register`` line below: the build
loop, the CLI and the configuration need no edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pyoxigraph import Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.pipeline.collector import freeze_resources
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.registry import Registry

if TYPE_CHECKING:
    from ckg_rdf.config import BuildConfig
    from ckg_rdf.datadir import DataDir
    from ckg_rdf.pipeline.state import BuildState
    from ckg_rdf.store import GraphReader, GraphWriter


@dataclass
class StepOutput:
    """What a step adds for one batch."""

    triples: list[Triple] = field(default_factory=list)
    #: named side records for the driver's sinks ("citation_keys", "text_vectors", ...)
    side: dict[str, list[Any]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    #: papers the step could not process (with the reason), reported as problems
    failed: list[tuple[str, str]] = field(default_factory=list)


@runtime_checkable
class PaperStep(Protocol):
    #: short name, also its registry name and its named graph's name
    name: str
    #: changes whenever the step's output for the same input changes
    version: str

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        """What this step asserts about a batch of papers."""
        ...

    def static_triples(self, iris: IriScheme) -> list[Triple]:
        """Triples the step's graph holds whatever the papers (type individuals, ...)."""
        ...

    def report(self, store: GraphReader, iris: IriScheme) -> dict[str, int]:
        """Counts for the build summary that need the whole graph (after every batch)."""
        ...


class StepDefaults:
    """What most paper steps have: no triples of their own outside the papers, nothing to
    count over the whole graph. Inherit it and write only ``run``.

    ``reads_body`` says whether the step reads ``PaperRecord.body``; when no step of a
    build does, the body paragraphs are not cleaned and the records carry none. A step
    without the attribute is taken to read them.
    """

    reads_body: ClassVar[bool] = True

    def static_triples(self, iris: IriScheme) -> list[Triple]:
        return []

    def report(self, store: GraphReader, iris: IriScheme) -> dict[str, int]:
        return {}


@dataclass
class StageContext:
    """What a stage may use: the store (through its interface), IRIs, state and settings."""

    store: GraphWriter
    iris: IriScheme
    data: DataDir
    state: BuildState
    config: BuildConfig
    run_id: str
    progress: bool = True
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class GraphStage(Protocol):
    """Work that needs every paper first; writes its own named graph."""

    name: str
    version: str
    #: names of stages that must run before this one
    requires: tuple[str, ...]
    #: the named graphs it writes (their local names; usually just its own name)
    graphs: tuple[str, ...]
    #: record its provenance before it runs (a stage that describes the whole store)
    describe_first: bool

    def inputs(self, ctx: StageContext) -> str:
        """A fingerprint of what the stage reads: unchanged since its last run means skip."""
        ...

    def run(self, ctx: StageContext) -> dict[str, int]:
        """Do the work, write results into the stage's graph, return report counts."""
        ...


#: step factories take the build configuration: ``factory(config) -> PaperStep | None``
STEPS: Registry[PaperStep | None] = Registry("steps", "build step")
STEPS.register("papers", "ckg_rdf.pipeline.papers_step:make_papers_step", "papers, authors")
STEPS.register(
    "affiliations",
    "ckg_rdf.pipeline.affiliations_step:make_affiliations_step",
    "the institutions each author entry gives on its paper",
)
STEPS.register(
    "concepts", "ckg_rdf.pipeline.concepts_step:make_concept_step", "medical concepts in the text"
)
STEPS.register(
    "topic-texts",
    "ckg_rdf.pipeline.topics_stage:make_topic_text_step",
    "each paper's text, kept for the topic model",
)
STEPS.register(
    "search-texts",
    "ckg_rdf.pipeline.search_stage:make_search_text_step",
    "each paper's title, abstract and authors, into the full-text index",
)
STEPS.register(
    "text-embeddings",
    "ckg_rdf.pipeline.embedding_stage:make_text_step",
    "text vectors of title, abstract and body, into the vector cache",
)

#: stage factories likewise: ``factory(config) -> GraphStage | None``
STAGES: Registry[GraphStage | None] = Registry("stages", "graph stage")
STAGES.register(
    "citations", "ckg_rdf.pipeline.citations_stage:make_citation_stage", "ckg:cites edges"
)
STAGES.register(
    "topics", "ckg_rdf.pipeline.topics_stage:make_topic_stage", "seeded topic model and links"
)
STAGES.register(
    "pagerank",
    "ckg_rdf.pipeline.rank_stage:make_rank_stage",
    "in-corpus citation counts and PageRank of every paper",
)
STAGES.register(
    "summaries",
    "ckg_rdf.pipeline.summaries_stage:make_summaries_stage",
    "counts and ranked lists over the whole graph (top concepts, most cited from a topic...)",
)
STAGES.register(
    "dataset",
    "ckg_rdf.pipeline.dataset_stage:make_dataset_stage",
    "the VoID + DCAT description of the dataset (last)",
)
STAGES.register(
    "search", "ckg_rdf.pipeline.search_stage:make_search_stage", "the full-text search index"
)
STAGES.register(
    "embeddings",
    "ckg_rdf.pipeline.embedding_stage:make_embedding_stage",
    "text + TransE paper vectors and the similar-papers index",
)

#: the order a default build runs them in (a stage's ``requires`` is checked against it)
DEFAULT_STEPS = (
    "papers",
    "affiliations",
    "concepts",
    "topic-texts",
    "search-texts",
    "text-embeddings",
)
DEFAULT_STAGES = (
    "citations",
    "pagerank",
    "topics",
    "summaries",
    "search",
    "embeddings",
    "dataset",
)


def stage_inputs_of(ctx: StageContext, graphs: Sequence[str], *extra: Any) -> str:
    """A stage's input fingerprint: the generations of the graphs it reads, plus ``extra``
    (its version and settings)."""
    parts = [f"{g}={ctx.state.generation(g)}" for g in graphs]
    parts += [repr(e) for e in extra]
    return ";".join(parts)


_SHARED: dict[object, object] = {}
R = TypeVar("R")


def shared(key: object, factory: Callable[[], R]) -> R:
    """A resource set up once per process (per worker, under a distributed executor)."""
    if key not in _SHARED:
        _SHARED[key] = factory()
        # it lives as long as the process: keep the collector from re-scanning it
        freeze_resources()
    return _SHARED[key]  # type: ignore[return-value]
