"""Shared fixtures: the bundled sample corpus and a graph built from it once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.pipeline.build import BuildReport
from ckg_rdf.store import GraphReader
from tests.building import build_graph, open_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cord19-sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The bundled sample built into a fresh store, with what a default 'ckg build' runs."""
    store = tmp_path_factory.mktemp("sample-store")
    report = build_graph(SAMPLE, store)
    return store, report


@pytest.fixture(scope="session")
def sample_store(built_sample: tuple[Path, BuildReport]) -> GraphReader:
    return open_graph(built_sample[0])
