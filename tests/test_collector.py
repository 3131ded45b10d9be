"""A build runs with the garbage collector set for batch work, and gives the caller's back."""

from __future__ import annotations

import gc
import importlib
from pathlib import Path

import pytest

from ckg_rdf.pipeline.collector import BUILD_THRESHOLDS, build_collector
from ckg_rdf.pipeline.work import PartitionJob, PartitionResult, run_partition
from tests.building import build_spine
from tests.conftest import SAMPLE


def test_the_build_settings_hold_inside_and_the_callers_come_back_after() -> None:
    before = gc.get_threshold()
    with build_collector():
        assert gc.get_threshold() == BUILD_THRESHOLDS
    assert gc.get_threshold() == before


def test_a_build_leaves_the_callers_collector_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int, int]] = []

    def watched(job: PartitionJob) -> PartitionResult:
        """What a worker's collector is set to while it works."""
        result = run_partition(job)
        seen.append(gc.get_threshold())
        return result

    # the module, not the ``build`` function that ckg_rdf.pipeline re-exports under its name
    monkeypatch.setattr(importlib.import_module("ckg_rdf.pipeline.build"), "run_partition", watched)
    before = gc.get_threshold()
    build_spine(SAMPLE, tmp_path / "store", limit=300)
    assert seen and set(seen) == {BUILD_THRESHOLDS}
    assert gc.get_threshold() == before
