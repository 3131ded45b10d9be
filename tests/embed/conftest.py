"""Fixtures: a tiny store filled through vocab terms (see ``_data.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.store import OxigraphStore
from tests.embed._data import fill


@pytest.fixture
def minter() -> IriMinter:
    return IriMinter("http://example.org/")


@pytest.fixture
def store(tmp_path: Path, minter: IriMinter) -> OxigraphStore:
    s = OxigraphStore(tmp_path / "store")
    fill(s, minter)
    return s
