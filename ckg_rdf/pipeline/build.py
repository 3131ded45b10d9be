"""``ckg build``: stream a corpus through the steps into the store.

Papers flow in batches: each step turns the batch into triples, the triples go
into Oxigraph with its bulk loader, and the build state records what was done,
so an interrupted build resumes where it stopped and a re-run on the same
corpus writes nothing new. Graph-wide stages (citations, embeddings) run last.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.metadata import count_rows
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import PaperRecord, Problem
from ckg_rdf.extract.citations import CitationIndex
from ckg_rdf.pipeline.citations_stage import CitationStage
from ckg_rdf.pipeline.papers_step import PapersStep
from ckg_rdf.pipeline.state import STATE_FILE, BuildState, ClaimedParses
from ckg_rdf.pipeline.steps import GraphStage, PaperStep
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, IriMinter
from ckg_rdf.store.oxigraph_store import OxigraphStore

BATCH_SIZE = 256
PROBLEMS_FILE = "problems.tsv"

#: progress callback: (papers done, estimated total)
Progress = Callable[[int, int], None]


class BuildError(RuntimeError):
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
    problems_file: Path | None = None

    @property
    def problem_counts(self) -> Counter[str]:
        return Counter(p.kind for p in self.problems)


def _batched(items: Iterable[PaperRecord], n: int) -> Iterator[list[PaperRecord]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


def build(
    corpus_dir: Path,
    store_path: Path,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    limit: int | None = None,
    steps: Sequence[PaperStep] = (),
    stages: Sequence[GraphStage] = (),
    include_papers: bool = True,
    progress: Progress | None = None,
) -> BuildReport:
    """Build (or update) the graph in ``store_path`` from the release in ``corpus_dir``.

    ``steps`` run after the papers step on every batch; ``stages`` run after
    citation resolution. ``include_papers=False`` runs only the given steps
    (``ckg concepts`` re-annotating an existing graph).
    """
    started = time.perf_counter()
    minter = IriMinter(base_iri)
    layout = CorpusLayout.discover(corpus_dir)
    state = BuildState(store_path / STATE_FILE)
    previous_base = state.get_meta("base_iri")
    if previous_base is not None and previous_base != minter.base:
        state.close()
        raise BuildError(
            f"the store at {store_path} was built with base IRI {previous_base}; "
            f"building with {minter.base} would mix two sets of IRIs. "
            "Use the same --base-iri, or a new --store."
        )
    store = OxigraphStore(store_path)
    report = BuildReport(triples_before=len(store))
    state.start_run()
    state.set_meta("base_iri", minter.base)
    state.set_meta("corpus_dir", str(corpus_dir.resolve()))
    citations = CitationIndex(state.db)
    papers_step = PapersStep()
    all_steps: list[PaperStep] = ([papers_step] if include_papers else []) + list(steps)
    total = count_rows(layout.metadata_csv) if layout.metadata_csv else 0
    total += sum(1 for _ in layout.iter_json_files())
    if limit is not None:
        total = min(total, limit)

    def records() -> Iterator[PaperRecord]:
        n = 0
        for item in read_corpus(layout, ClaimedParses(state.db)):
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            if limit is not None and n >= limit:
                return
            n += 1
            yield item

    try:
        for batch in _batched(records(), BATCH_SIZE):
            report.papers_read += len(batch)
            for step in all_steps:
                todo, stale = state.plan(batch, step.name, step.version)
                if not todo:
                    continue
                retract = getattr(step, "retract", None)
                if stale and callable(retract):
                    retract(stale, store, minter)
                store.add(step.triples(todo, minter))
                state.mark(todo, step.name, step.version)
                if step is papers_step:
                    citations.add_papers(todo)
                    report.papers_written += len(todo)
            state.commit()
            if progress is not None:
                progress(report.papers_read, max(total, report.papers_read))
        report.papers_unchanged = report.papers_read - report.papers_written
        for step in all_steps:
            if step is not papers_step:
                report.steps[step.name] = step.summary()
        for stage in [CitationStage(citations), *stages]:
            report.steps[stage.name] = stage.run(store, minter)
        store.flush()
        state.commit()
    finally:
        state.close()
    report.triples_after = len(store)
    report.seconds = time.perf_counter() - started
    report.problems_file = _write_problems(store_path / PROBLEMS_FILE, report.problems)
    return report


def _write_problems(path: Path, problems: list[Problem]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(["kind", "source", "reason"])
        for p in problems:
            writer.writerow([p.kind, p.source, p.reason])
    return path
