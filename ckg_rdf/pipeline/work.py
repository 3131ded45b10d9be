"""What runs on a worker: one partition through every step, nothing written.

:func:`run_partition` is a pure function of its :class:`PartitionJob` (the
partition, the steps, the IRI scheme and what earlier builds already made of
the partition's papers), so an executor may run it in this process, in
another, or on another machine. It reads the partition, gives each step the
papers whose input or step version changed, and returns what each step adds:
its triples serialised as N-Triples (bytes pickle and travel ten times faster
than term objects, and the store parses them natively), its side records and
counts, and the papers it could not process. The driver alone writes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import RdfFormat, serialize

from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.partitions import Partition, read_partition
from ckg_rdf.corpus.records import PaperRecord, Problem
from ckg_rdf.errors import CkgError
from ckg_rdf.pipeline.collector import for_build_work
from ckg_rdf.pipeline.steps import PaperStep, StepOutput
from ckg_rdf.rdf.iris import IriScheme

#: what earlier builds recorded: step name -> paper id -> (input fingerprint, step version)
Known = dict[str, dict[str, tuple[str, str]]]


@dataclass(frozen=True)
class PartitionJob:
    partition: Partition
    layout: CorpusLayout
    steps: tuple[PaperStep, ...]
    iris: IriScheme
    known: Known = field(default_factory=dict)


@dataclass
class StepResult:
    """What one step made of a partition's papers that needed it."""

    #: (paper id, fingerprint) of every paper given to the step, failed ones included
    todo: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    ntriples: bytes = b""
    side: dict[str, list[Any]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class PartitionResult:
    index: int
    #: (paper id, fingerprint) of every paper read, in order
    papers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    steps: dict[str, StepResult] = field(default_factory=dict)
    #: CPU seconds the worker spent on it
    cpu_seconds: float = 0.0


def run_partition(job: PartitionJob) -> PartitionResult:
    """Read ``job.partition`` and run every step on the papers that need it."""
    started = time.process_time()
    for_build_work()  # once per worker would do; it costs nothing to repeat
    body = any(getattr(step, "reads_body", True) for step in job.steps)
    records, problems = read_partition(job.layout, job.partition, body=body)
    result = PartitionResult(
        job.partition.index, [(p.paper_id, p.fingerprint) for p in records], problems
    )
    for step in job.steps:
        known = job.known.get(step.name, {})
        version = step.version
        todo = [p for p in records if known.get(p.paper_id) != (p.fingerprint, version)]
        if not todo:
            continue
        out = run_isolated(step, todo, job.iris)
        result.steps[step.name] = StepResult(
            todo=[(p.paper_id, p.fingerprint) for p in todo],
            failed=out.failed,
            ntriples=serialize(out.triples, format=RdfFormat.N_TRIPLES) if out.triples else b"",
            side=out.side,
            counts=out.counts,
        )
    result.cpu_seconds = time.process_time() - started
    return result


def run_isolated(step: PaperStep, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
    """Run ``step`` on a batch; if the batch fails, paper by paper, so one bad paper
    costs only itself. A failure on every paper is the step's, not the data's: raised."""
    try:
        return step.run(papers, iris)
    except CkgError:
        raise
    except Exception as batch_error:
        if len(papers) == 1:
            out = StepOutput()
            out.failed.append((papers[0].paper_id, f"{type(batch_error).__name__}: {batch_error}"))
            return out
        merged = StepOutput()
        for paper in papers:
            try:
                one = step.run([paper], iris)
            except CkgError:
                raise
            except Exception as exc:
                merged.failed.append((paper.paper_id, f"{type(exc).__name__}: {exc}"))
                continue
            merged.triples.extend(one.triples)
            for key, rows in one.side.items():
                merged.side.setdefault(key, []).extend(rows)
            merged.counts.update(one.counts)
            merged.failed.extend(one.failed)
        if len(merged.failed) == len(papers):
            raise batch_error
        return merged
