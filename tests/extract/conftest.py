"""One compiled vocabulary per test session (compiling takes a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.extract.concepts.matcher import VocabularyMatcher
from ckg_rdf.extract.concepts.vocabulary import compile_index


@pytest.fixture(scope="session")
def matcher() -> VocabularyMatcher:
    return VocabularyMatcher(compile_index())


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return Path(__file__).resolve().parents[2] / "examples" / "cord19-sample" / "metadata.csv"
