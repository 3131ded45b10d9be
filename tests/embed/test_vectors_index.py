"""Vectors as RDF, and the index against brute force over the stored vectors."""

from __future__ import annotations

import numpy as np
import pyoxigraph as ox
import pytest
from pyoxigraph import RdfFormat

from ckg_rdf.embed.combine import combine, unit_rows
from ckg_rdf.embed.index import (
    IndexConfig,
    SimilarError,
    SimilarityIndex,
    UnknownPaperError,
    brute_force,
)
from ckg_rdf.embed.vectors import (
    ModelInfo,
    decode_vector,
    encode_vector,
    read_vectors,
    write_embeddings,
)
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store.embedded import EmbeddedStore
from tests.embed._data import fill, random_vectors
from tests.embed.conftest import BASE  # noqa: E402

SEM = ModelInfo("fake-text", "fake text model", "semantic")


def P(pid: str) -> str:
    """The IRI of paper ``pid`` in the test graph (the index is searched by IRI)."""
    return IriScheme(BASE).paper(pid).value


KG = ModelInfo("transe", "fake TransE", "kg")


def _ids(store) -> list[str]:  # type: ignore[no-untyped-def]
    from ckg_rdf.vocab import CKG

    return sorted(
        s["p"].value.rsplit("/", 1)[1]
        for s in store.query(f"SELECT ?p WHERE {{ ?p a <{CKG.Paper.value}> }}")
    )


def test_vector_literal_round_trip() -> None:
    v = np.array([0.5, -1.25, 3e-8, 7.0], np.float32)
    assert np.array_equal(decode_vector(encode_vector(v)), v)
    with pytest.raises(ValueError):
        decode_vector("AAA=")  # 2 bytes


def test_vectors_survive_export_and_reimport(store, iris, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vecs = random_vectors(_ids(store), 16)
    write_embeddings(store, iris, SEM, vecs)
    out = tmp_path / "dump.nq"
    store.export(out, "nq")
    again = EmbeddedStore(None)
    again.add(ox.parse(path=str(out), format=RdfFormat.N_QUADS))
    back = read_vectors(again, "semantic")
    assert back.model.endswith("/model/fake-text")
    got = dict(zip(back.paper_iris, back.vectors, strict=True))
    for pid, v in vecs:
        assert np.array_equal(got[iris.paper(pid).value], v)


def test_rewrite_replaces_instead_of_adding(store, iris) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(store)
    write_embeddings(store, iris, SEM, random_vectors(ids, 8, seed=1))
    write_embeddings(store, iris, SEM, random_vectors(ids, 8, seed=2))
    back = read_vectors(store, "semantic")
    assert len(back.paper_iris) == len(ids)
    assert np.allclose(back.vectors[0], random_vectors(ids, 8, seed=2)[0][1])


def test_index_top_k_equals_brute_force_and_never_self(store, iris) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(store)
    write_embeddings(store, iris, SEM, random_vectors(ids, 32, seed=3))
    write_embeddings(store, iris, KG, random_vectors(ids[:-3], 8, seed=4))
    idx = SimilarityIndex.open(store, None)
    sem, kg = read_vectors(store, "semantic"), read_vectors(store, "kg")
    spaces = {
        "semantic": combine([(sem.paper_iris, sem.vectors)], [1.0]),
        "kg": combine([(kg.paper_iris, kg.vectors)], [1.0]),
        "combined": combine(
            [(sem.paper_iris, sem.vectors), (kg.paper_iris, kg.vectors)], [1.0, 1.0]
        ),
    }
    for mode, space in spaces.items():
        for row, iri in enumerate(space.iris):
            pid = iri.rsplit("/paper/", 1)[1]
            got = idx.similar(P(pid), k=5, mode=mode)
            assert iri not in [g for g, _ in got]
            order, scores = brute_force(space.vectors, space.vectors[row], 6)
            expect = [space.iris[i] for i in order if i != row][:5]
            assert [g for g, _ in got] == expect
            pairs = zip(order, scores, strict=True)
            want = [s / space.query_scale[row] for i, s in pairs if i != row][:5]
            assert np.allclose([s for _, s in got], want, atol=1e-5)


def test_semantic_scores_are_cosines(store, iris) -> None:  # type: ignore[no-untyped-def]
    vecs = random_vectors(_ids(store), 12, seed=5)
    write_embeddings(store, iris, SEM, vecs)
    idx = SimilarityIndex.open(store, None)
    (best, score), *_ = idx.similar(P(vecs[0][0]), k=1, mode="semantic")
    table = dict(vecs)
    other = table[best.rsplit("/paper/", 1)[1]]
    u = unit_rows(np.vstack([vecs[0][1], other]))
    assert score == pytest.approx(float(u[0] @ u[1]), abs=1e-5)


def test_partial_paper_is_ranked_by_the_part_it_has(store, iris) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(store)
    write_embeddings(store, iris, SEM, random_vectors(ids, 16, seed=6))
    write_embeddings(store, iris, KG, random_vectors([i for i in ids if i != "p-no-edges"], 8))
    idx = SimilarityIndex.open(store, None)
    sem_only = [i for i, _ in idx.similar(P("p-no-edges"), k=5, mode="semantic")]
    comb = idx.similar(P("p-no-edges"), k=5, mode="combined")
    assert [i for i, _ in comb] == sem_only
    assert all(-1.0 <= s <= 1.0 + 1e-6 for _, s in comb)
    with pytest.raises(UnknownPaperError):
        idx.similar(P("p-no-edges"), k=5, mode="kg")


def test_bad_requests_are_clear(store, iris) -> None:  # type: ignore[no-untyped-def]
    write_embeddings(store, iris, SEM, random_vectors(_ids(store), 8))
    idx = SimilarityIndex.open(store, None)
    for k in (0, -1, 10_000):
        with pytest.raises(SimilarError, match="k must be"):
            idx.similar(P("p-virus-0"), k=k)
    with pytest.raises(SimilarError, match="mode must be"):
        idx.similar(P("p-virus-0"), mode="nearest")
    with pytest.raises(UnknownPaperError):
        idx.similar(P("no-such-paper"))
    assert len(idx.similar(P("p-virus-0"), k=1000, mode="semantic")) == len(_ids(store)) - 1


def test_index_saved_in_the_data_directory_and_rebuilt_when_stale(store, iris, data) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(store)
    write_embeddings(store, iris, SEM, random_vectors(ids, 8, seed=7))
    first = SimilarityIndex.open(store, data.index_dir)
    assert (data.index_dir / "manifest.json").exists()
    loaded = SimilarityIndex.open(store, data.index_dir)  # fresh: read from disk, same answers
    assert loaded.similar(P("p-mask-1"), 3, "semantic") == first.similar(
        P("p-mask-1"), 3, "semantic"
    )
    import time

    time.sleep(1.1)  # created times have second precision
    write_embeddings(store, iris, SEM, random_vectors(ids, 8, seed=8))
    assert first.is_stale(store)
    rebuilt = SimilarityIndex.open(store, data.index_dir)
    assert rebuilt.fingerprint != first.fingerprint
    changed = SimilarityIndex.open(store, data.index_dir, IndexConfig(weights=(1.0, 0.5)))
    assert changed.config.weights == (1.0, 0.5)


def test_in_memory_store_works(iris) -> None:  # type: ignore[no-untyped-def]
    s = EmbeddedStore(None)
    ids = fill(s, iris, per_topic=2)
    write_embeddings(s, iris, SEM, random_vectors(ids, 8))
    assert len(SimilarityIndex.open(s, None).similar(P(ids[0]), 3, "semantic")) == 3
