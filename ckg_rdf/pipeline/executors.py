"""Executors: where a step runs on a batch of papers.

The driver plans and writes; an executor only computes ``step.run(batch)``.
``local`` runs it in this process (the default for small corpora, no start-up
cost). Steps are pure and pickle, so a distributed executor can run the same
step on another process or machine and hand back the same ``StepOutput``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ckg_rdf.config import ExecutorSettings
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.pipeline.steps import PaperStep, StepOutput
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.registry import Registry


class Executor(Protocol):
    name: str

    def run(self, step: PaperStep, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        """``step.run(papers, iris)``, wherever this executor runs things."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class LocalExecutor:
    """Runs every step in this process, one batch at a time."""

    name = "local"

    def __init__(self, settings: ExecutorSettings | None = None) -> None:
        self.settings = settings or ExecutorSettings()

    def run(self, step: PaperStep, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        return step.run(papers, iris)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


#: ``EXECUTORS.create(name, settings=ExecutorSettings) -> Executor``
EXECUTORS: Registry[Executor] = Registry("executors", "executor")
EXECUTORS.register("local", "ckg_rdf.pipeline.executors:LocalExecutor", "in this process")
