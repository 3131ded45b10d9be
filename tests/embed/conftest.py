"""Fixtures: a tiny graph filled through vocab terms (see ``_data.py``), in a data directory
whose build state records its base IRI, as a real build's does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ckg_rdf.config import load_config
from ckg_rdf.datadir import DataDir
from ckg_rdf.pipeline.state import BuildState
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphWriter
from tests.embed._data import fill

BASE = "http://example.org/"


@pytest.fixture
def iris() -> IriScheme:
    return IriScheme(BASE)


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    data = DataDir(tmp_path / "store")
    data.create()
    state = BuildState(data.state_file)
    config = load_config(None, {"base_iri": BASE, "store.location": str(data.root)})
    state.set_meta("base_iri", BASE)
    state.set_meta("config", config.to_json())
    state.close()
    return data


@pytest.fixture
def store(data: DataDir, iris: IriScheme) -> Iterator[GraphWriter]:
    s = data.open_store(write=True)
    fill(s, iris)
    yield s
    s.close()
