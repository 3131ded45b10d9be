"""``ckg build``: stream a corpus through the steps into the store, then run the stages.

The driver is the only writer. Papers flow in batches: for each step the
build state says which papers are new or changed; the step (run by the
executor) returns triples for its own named graph and side records; the
driver retracts a changed paper's old output from that graph, adds the new,
hands side records to their sinks and records what was done, so an
interrupted build resumes where it stopped and a re-run on the same corpus
writes nothing. Graph-wide stages run last, each only when what it reads
changed. Every producer graph is then described in the provenance graph.

Bad input never stops a build: a paper a step cannot process is reported as
a problem and the rest of its batch is kept.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, NamedTuple

from pyoxigraph import NamedNode

from ckg_rdf.config import BuildConfig
from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.partitions import CorpusPlan
from ckg_rdf.corpus.records import Problem
from ckg_rdf.datadir import DataDir
from ckg_rdf.errors import CkgError
from ckg_rdf.pipeline.collector import build_collector
from ckg_rdf.pipeline.executors import EXECUTORS, Executor
from ckg_rdf.pipeline.sinks import Sinks
from ckg_rdf.pipeline.state import BuildState
from ckg_rdf.pipeline.steps import (
    DEFAULT_STAGES,
    DEFAULT_STEPS,
    STAGES,
    STEPS,
    GraphStage,
    PaperStep,
    StageContext,
)
from ckg_rdf.pipeline.work import PartitionJob, PartitionResult, run_partition
from ckg_rdf.rdf.graphs import (
    PROVENANCE,
    forget_description_update,
    in_graph,
    provenance_triples,
    retract_papers_update,
)
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphWriter

#: progress callback: (papers done, estimated total)
Progress = Callable[[int, int], None]


class BuildError(CkgError):
    """The build cannot start; the message says why and what to do."""


@dataclass
class BuildReport:
    papers_read: int = 0
    papers_written: int = 0
    papers_unchanged: int = 0
    triples_before: int = 0
    triples_after: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped_stages: list[str] = field(default_factory=list)
    problems_file: Path | None = None
    build_id: str = ""
    notes: list[str] = field(default_factory=list)
    #: CPU seconds the workers spent on partitions (in this process for the local executor)
    worker_cpu_seconds: float = 0.0
    executor: str = ""
    #: phase -> (wall seconds, CPU seconds of this process): "steps", each stage, "optimize"
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)

    def timed(self, phase: str) -> _Timer:
        return _Timer(self.phases, phase)

    @property
    def problem_counts(self) -> Counter[str]:
        return Counter(p.kind for p in self.problems)


class _Timer:
    def __init__(self, phases: dict[str, tuple[float, float]], phase: str) -> None:
        self.phases, self.phase = phases, phase

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        wall, cpu = self.phases.get(self.phase, (0.0, 0.0))
        self.phases[self.phase] = (
            wall + time.perf_counter() - self.wall,
            cpu + time.process_time() - self.cpu,
        )


@dataclass
class _Producer:
    name: str
    version: str
    started: datetime
    wrote: bool = False


def _check_base(state: BuildState, iris: IriScheme, data: DataDir) -> None:
    previous = state.get_meta("base_iri")
    if previous is not None and previous != iris.base:
        raise BuildError(
            f"the graph in {data.root} was built with base IRI {previous}; building with "
            f"{iris.base} would mix two sets of IRIs. Use the same --base-iri, or a new --store."
        )


def resolve_steps(names: Iterable[str], config: BuildConfig) -> list[PaperStep]:
    """The enabled steps among ``names`` (a factory returns None for a disabled one)."""
    return [s for s in (STEPS.create(n, config=config) for n in names) if s is not None]


def resolve_stages(names: Iterable[str], config: BuildConfig) -> list[GraphStage]:
    stages = [s for s in (STAGES.create(n, config=config) for n in names) if s is not None]
    seen: set[str] = set()
    for stage in stages:
        missing = [r for r in stage.requires if r not in seen]
        if missing:
            raise BuildError(f"stage {stage.name!r} needs {', '.join(missing)} to run before it")
        seen.add(stage.name)
    return stages


@build_collector()
def build(
    config: BuildConfig,
    *,
    steps: Iterable[str] = DEFAULT_STEPS,
    stages: Iterable[str] = DEFAULT_STAGES,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> BuildReport:
    """Build (or update) the graph ``config`` describes from ``config.corpus_dir``.

    ``steps`` and ``stages`` are registry names; ``ckg concepts`` passes only
    ``["concepts"]`` to re-annotate an existing graph.
    """
    started = time.perf_counter()
    if not config.corpus_dir:
        raise BuildError("no corpus to read: give CORPUS_DIR")
    layout = CorpusLayout.discover(Path(config.corpus_dir))
    iris = IriScheme(config.base_iri)
    data = DataDir(config.store.data_path())
    data.create()
    paper_steps = resolve_steps(steps, config)
    graph_stages = resolve_stages(stages, config)
    state = BuildState(data.state_file)
    report = BuildReport()
    try:
        _check_base(state, iris, data)
        store = data.open_store(config.store, write=True, holder="ckg build")
        try:
            report.triples_before = store.count()
            run_id = str(state.start_run())
            state.set_meta("base_iri", iris.base)
            state.set_meta("corpus_dir", str(Path(config.corpus_dir).resolve()))
            state.set_meta("config", config.to_json())
            state.commit()
            runner = executor or EXECUTORS.create(config.executor.name, settings=config.executor)
            with runner, Sinks(data, state) as sinks:
                report.executor = runner.describe()
                with report.timed("steps"):
                    producers = _run_steps(
                        paper_steps, layout, config, iris, state, store, runner, sinks, report,
                        progress,
                    )  # fmt: skip
                _describe(producers, store, iris, run_id, config)
                ctx = StageContext(store, iris, data, state, config, run_id)
                _run_stages(graph_stages, ctx, report)
            # no store.optimize(): compaction rewrites the bulk-loaded files 1.7x larger
            store.flush()
            state.commit()
            report.triples_after = store.count()
            report.build_id = data.finish_build(
                papers=report.papers_read,
                triples=report.triples_after,
                executor=report.executor,
                worker_cpu_seconds=round(report.worker_cpu_seconds, 3),
                phases={k: [round(w, 3), round(c, 3)] for k, (w, c) in report.phases.items()},
            )
        finally:
            store.close()
    finally:
        state.close()
    report.seconds = time.perf_counter() - started
    report.problems_file = write_problems(data.problems_file, report.problems)
    return report


def _run_steps(
    steps: list[PaperStep],
    layout: CorpusLayout,
    config: BuildConfig,
    iris: IriScheme,
    state: BuildState,
    store: GraphWriter,
    runner: Executor,
    sinks: Sinks,
    report: BuildReport,
    progress: Progress | None,
) -> list[_Producer]:
    plan = CorpusPlan(layout, state.db, batch_size=config.executor.batch_size, limit=config.limit)
    plan.scan()
    report.problems.extend(plan.problems)
    if progress is not None:
        progress(0, plan.total)
    now = datetime.now(UTC)
    producers = {s.name: _Producer(s.name, s.version, now) for s in steps}
    for step in steps:
        store.add(in_graph(step.static_triples(iris), iris.graph(step.name)))
    writer = _Writer(
        store, state, sinks, steps, iris, report, producers,
        DataDir(config.store.data_path()).spool_dir, config.store.checkpoint_mb << 20,
    )  # fmt: skip
    jobs: dict[int, PartitionJob] = {}
    names = [s.name for s in steps]

    def make_jobs() -> Iterator[PartitionJob]:
        for partition in plan.partitions():
            known = state.known(partition.ids, names)
            job = PartitionJob(partition, layout, tuple(steps), iris, known)
            jobs[partition.index] = job
            yield job

    for result in runner.map(run_partition, make_jobs()):
        job = jobs.pop(result.index)
        if job.partition.parses:
            duplicates = plan.claim(pid for pid, _ in result.papers)
            if duplicates:  # parses naming a paper read elsewhere: redo without them, here
                partition = replace(job.partition, skip=job.partition.skip | duplicates)
                result = run_partition(replace(job, partition=partition))
        writer.take(result)
        if progress is not None:
            progress(report.papers_read, max(plan.total, report.papers_read))
    writer.flush()
    report.papers_written = len(writer.written)
    report.papers_unchanged = report.papers_read - report.papers_written
    for step in steps:
        if step.name != "papers":
            extra = step.report(store, iris) if producers[step.name].wrote else {}
            report.steps[step.name] = {**writer.counts[step.name], **extra}
    return [p for p in producers.values() if p.wrote]


class PaperKey(NamedTuple):
    paper_id: str
    fingerprint: str


class _Writer:
    """The driver's side of the steps: retract what changed, stage the new triples on
    disk, bulk-load them at each checkpoint, then record the papers as done.

    Staging keeps memory flat and makes each load one large bulk load. The load
    runs in a background thread (the store releases the GIL), so the driver keeps
    taking results and the workers never wait for the store; the papers of a
    load are marked done only when it has finished, so an interrupted build
    resumes from the last finished checkpoint.
    """

    def __init__(
        self,
        store: GraphWriter,
        state: BuildState,
        sinks: Sinks,
        steps: list[PaperStep],
        iris: IriScheme,
        report: BuildReport,
        producers: dict[str, _Producer],
        spool: Path,
        checkpoint_bytes: int,
    ) -> None:
        self.store, self.state, self.sinks, self.steps = store, state, sinks, steps
        self.iris, self.report, self.producers = iris, report, producers
        self.spool, self.checkpoint_bytes = spool, checkpoint_bytes
        self.counts: dict[str, Counter[str]] = {s.name: Counter() for s in steps}
        self.written: set[str] = set()
        self._files: dict[str, IO[bytes]] = {}
        self._staged = 0
        self._generation = 0
        self._done: list[tuple[PaperStep, list[PaperKey]]] = []
        #: papers staged or being loaded in this run, by step: never retracted again
        self._pending: dict[str, set[str]] = {s.name: set() for s in steps}
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ckg-load")
        self._loading: tuple[Future[None], list[tuple[PaperStep, list[PaperKey]]]] | None = None
        shutil.rmtree(spool, ignore_errors=True)  # left by an interrupted build: not marked

    def take(self, result: PartitionResult) -> None:
        self._finish_load(wait=False)
        self.report.papers_read += len(result.papers)
        self.report.problems.extend(result.problems)
        self.report.worker_cpu_seconds += result.cpu_seconds
        for step in self.steps:
            out = result.steps.get(step.name)
            if out is None:
                continue
            todo = [PaperKey(pid, fp) for pid, fp in out.todo]
            _, stale = self.state.plan(todo, step.name, step.version)
            pending = self._pending[step.name]
            stale = [p for p in stale if p.paper_id not in pending]
            if stale:
                graph = self.iris.graph(step.name)
                self.store.update(
                    retract_papers_update(graph, [self.iris.paper(p.paper_id) for p in stale])
                )
            for pid, reason in out.failed:
                self.report.problems.append(Problem(f"paper {pid}", f"{step.name}: {reason}"))
            if out.ntriples:
                self._stage(step.name).write(out.ntriples)
                self._staged += len(out.ntriples)
            self.sinks.take(out.side)
            failed = {pid for pid, _ in out.failed}
            done = [k for k in todo if k.paper_id not in failed]
            pending.update(k.paper_id for k in done)
            self._done.append((step, done))
            self.counts[step.name].update(out.counts)
            self.producers[step.name].wrote = True
            if step.name == "papers":
                self.written.update(k.paper_id for k in done)
        if self._staged >= self.checkpoint_bytes:
            self._start_load()

    def _stage(self, name: str) -> IO[bytes]:
        fh = self._files.get(name)
        if fh is None:
            self.spool.mkdir(parents=True, exist_ok=True)
            path = self.spool / f"{self._generation:06d}-{name}.nt"
            fh = self._files[name] = path.open("wb")
        return fh

    def _start_load(self) -> None:
        self._finish_load(wait=True)  # one load at a time: memory stays bounded
        files = [(Path(fh.name), self.iris.graph(name)) for name, fh in self._files.items()]
        for fh in self._files.values():
            fh.close()
        self._loading = (self._loader.submit(self._load, files), self._done)
        self._files, self._done = {}, []
        self._staged = 0
        self._generation += 1

    def _load(self, files: list[tuple[Path, NamedNode]]) -> None:
        for path, graph in files:
            self.store.load(path, graph)
            path.unlink()

    def _finish_load(self, *, wait: bool) -> None:
        """Record the papers of a finished load as done (a checkpoint)."""
        if self._loading is None or (not wait and not self._loading[0].done()):
            return
        future, done_steps = self._loading
        self._loading = None
        future.result()  # a failed load fails the build here, its papers unmarked
        for step, done in done_steps:
            self.state.mark(done, step.name, step.version)
            self._pending[step.name].difference_update(k.paper_id for k in done)
        for name in {step.name for step, _ in done_steps}:
            self.state.touch(name)
        self.state.commit()

    def flush(self) -> None:
        """Load everything staged and wait for it."""
        try:
            if self._files or self._done:
                self._start_load()
            self._finish_load(wait=True)
        finally:
            self._loader.shutdown(wait=True)


def _run_stages(
    stages: list[GraphStage], ctx: StageContext, report: BuildReport, *, force: bool = False
) -> None:
    """Run each stage whose inputs changed, and record what made its graphs right away
    (before it runs, for a stage that describes the store as a whole, so that its
    description includes its own provenance)."""
    for stage in stages:
        inputs = stage.inputs(ctx)
        if not force and inputs and ctx.state.stage_inputs(stage.name) == inputs:
            report.skipped_stages.append(stage.name)
            continue
        started = datetime.now(UTC)
        producers = [_Producer(g, stage.version, started, wrote=True) for g in stage.graphs]
        if stage.describe_first:
            _describe(producers, ctx.store, ctx.iris, ctx.run_id, ctx.config)
        with report.timed(stage.name):
            counts = stage.run(ctx)
        if not stage.describe_first:
            _describe(producers, ctx.store, ctx.iris, ctx.run_id, ctx.config)
        for graph in stage.graphs:
            ctx.state.touch(graph)
        ctx.state.set_stage_inputs(stage.name, inputs)
        ctx.state.commit()
        report.steps[stage.name] = counts
    report.notes.extend(ctx.notes)


def run_stages(config: BuildConfig, stages: list[GraphStage], *, holder: str) -> BuildReport:
    """Run ``stages`` now on an existing graph (``ckg embed``), whatever changed, and record
    their provenance like a build does."""
    started = time.perf_counter()
    iris = IriScheme(config.base_iri)
    data = DataDir(config.store.data_path())
    state = BuildState(data.state_file)
    report = BuildReport()
    try:
        _check_base(state, iris, data)
        store = data.open_store(config.store, write=True, holder=holder)
        try:
            report.triples_before = store.count()
            run_id = str(state.start_run())
            ctx = StageContext(store, iris, data, state, config, run_id)
            _run_stages(stages, ctx, report, force=True)
            store.flush()
            state.commit()
            report.triples_after = store.count()
            report.build_id = data.finish_build(command=holder)
        finally:
            store.close()
    finally:
        state.close()
    report.seconds = time.perf_counter() - started
    return report


def _describe(
    producers: list[_Producer],
    store: GraphWriter,
    iris: IriScheme,
    run_id: str,
    config: BuildConfig,
) -> None:
    """Say in the provenance graph what made each graph written in this run."""
    prov_graph = iris.graph(PROVENANCE)
    ended = datetime.now(UTC)
    configuration = config.to_json()
    for producer in producers:
        store.update(forget_description_update(iris, producer.name))
        triples = provenance_triples(
            iris,
            producer.name,
            run_id=run_id,
            started=producer.started,
            ended=ended,
            producer_version=producer.version,
            configuration=configuration,
        )
        store.add(in_graph(triples, prov_graph))


def write_problems(path: Path, problems: list[Problem]) -> Path:
    """``problems.tsv``; any text, even bytes that were not UTF-8, is written safely."""
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["kind", "source", "reason"])
        for p in problems:
            writer.writerow([p.kind, p.source, p.reason])
    return path
