"""`ckg build` on the bundled sample gives every paper a vector, in RDF and in the index."""

from __future__ import annotations

import base64

import numpy as np
import pytest

pytest.importorskip("faiss")

from ckg_rdf.datadir import DataDir  # noqa: E402
from ckg_rdf.embed.index import SimilarityIndex  # noqa: E402


def test_every_paper_has_a_text_vector_in_rdf(raw_paper_ids, sample_store) -> None:
    rows = list(
        sample_store.query(
            """SELECT ?p ?dim ?v WHERE {
                 ?p a ckg:Paper ; ckg:hasEmbedding ?e .
                 ?e a ckg:TextEmbedding ; ckg:dimension ?dim ; ckg:vector ?v }"""
        )
    )
    papers = {r["p"].value.rsplit("/", 1)[1] for r in rows}
    assert papers == raw_paper_ids
    for r in rows[:50]:
        vector = np.frombuffer(base64.b64decode(r["v"].value), dtype="<f4")
        assert vector.shape == (int(r["dim"].value),) and np.isfinite(vector).all()


def test_every_paper_is_in_the_combined_index(raw_paper_ids, sample_store, built_sample) -> None:
    index = SimilarityIndex.open(sample_store, DataDir(built_sample[0]).index_dir)
    combined = index.spaces["combined"].space
    assert {iri.rsplit("/", 1)[1] for iri in combined.iris} == raw_paper_ids


@pytest.fixture(scope="module")
def raw_paper_ids(sample_dir) -> set[str]:
    from tests.rawsample import read_sample

    return set(read_sample(sample_dir))
