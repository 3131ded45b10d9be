"""Fixtures: the bundled sample's papers and one seeded fit on them per session.

The fit uses few Gibbs iterations (the model is not the point, the plumbing
is) and the default seed file, so tests stay within a few seconds.
"""

from __future__ import annotations

import pytest

from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.topics import TopicModel, TopicSettings, fit
from tests.conftest import SAMPLE

#: enough for seed words to settle on the bundled sample, small enough to be quick
TEST_ITERATIONS = 100


@pytest.fixture(scope="session")
def sample_papers() -> list[PaperRecord]:
    return [r for r in read_corpus(CorpusLayout.discover(SAMPLE)) if isinstance(r, PaperRecord)]


@pytest.fixture(scope="session")
def test_settings() -> TopicSettings:
    return TopicSettings(iterations=TEST_ITERATIONS)


@pytest.fixture(scope="session")
def fitted(sample_papers: list[PaperRecord], test_settings: TopicSettings) -> TopicModel:
    return fit(iter(sample_papers), settings=test_settings)
