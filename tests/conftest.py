"""Shared fixtures: the bundled sample corpus and a graph built from it once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.pipeline import BuildReport, build
from ckg_rdf.pipeline.defaults import BuildOptions, default_extensions
from ckg_rdf.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cord19-sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The bundled sample built into a fresh store, with what a default 'ckg build' runs."""
    store = tmp_path_factory.mktemp("sample-store")
    steps, stages = default_extensions(store, BuildOptions(progress=False))
    report = build(SAMPLE, store, steps=steps, stages=stages)
    return store, report


@pytest.fixture(scope="session")
def sample_store(built_sample: tuple[Path, BuildReport]) -> OxigraphStore:
    return OxigraphStore(built_sample[0], read_only=True)
