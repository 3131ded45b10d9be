"""TransE on a tiny graph: PyKEEN always, AmpliGraph when its environment exists."""

from __future__ import annotations

import numpy as np
import pytest

from ckg_rdf.embed.kge import (
    KGE_BACKENDS,
    KGEConfig,
    KGEError,
    KGEModel,
    graph_triples,
    link_prediction_metrics,
    split_triples,
)
from ckg_rdf.embed.kge_env import env_python
from ckg_rdf.errors import RegistryError


def _grid_graph() -> np.ndarray:
    """Papers in 4 groups; each paper cites and is written by its group: learnable."""
    rows = []
    for g in range(4):
        for i in range(8):
            rows.append((f"p{g}-{i}", "authored_by", f"a{g}-{i % 2}"))
            rows.append((f"p{g}-{i}", "associated_concept", f"c{g}"))
            rows.append((f"p{g}-{i}", "cites", f"p{g}-{(i + 1) % 8}"))
    return np.asarray(rows)


def test_graph_triples_reads_all_edge_types(store) -> None:  # type: ignore[no-untyped-def]
    t = graph_triples(store)
    assert set(t[:, 1]) == {"authored_by", "associated_concept", "cites"}
    assert len(t) == 18 * 4  # 2 authors + 1 concept + 1 citation per paper


def test_split_keeps_test_entities_in_training() -> None:
    t = _grid_graph()
    train, test = split_triples(t, 0.2, seed=1)
    assert len(train) + len(test) == len(t) and len(test) > 0
    seen = set(train[:, 0]) | set(train[:, 2])
    assert all(h in seen and x in seen for h, _, x in test)


def test_metrics_of_a_perfect_model_are_one() -> None:
    ents = ["a", "b", "c"]
    E = np.array([[0.0, 0], [10, 0], [0, 10]], np.float32)
    model = KGEModel("x", ents, E, ["r"], np.array([[10.0, 0]], np.float32))
    m = link_prediction_metrics(model, np.array([["a", "r", "b"]]), np.array([["a", "r", "b"]]))
    assert m["mrr"] == 1.0 and m["hits@1"] == 1.0


def _train(backend: str) -> tuple[KGEModel, float, float]:
    """Fit on the grid graph; return the model, its filtered MRR and random ranking's MRR."""
    t = _grid_graph()
    train, test = split_triples(t, 0.15, seed=0)
    model = KGE_BACKENDS.create(backend).fit(
        train, KGEConfig(dim=16, epochs=40, batch_size=64, lr=0.03)
    )
    m = link_prediction_metrics(model, test, t)
    return model, m["mrr"], 1.0 / (len(model.entities) / 2)


def test_pykeen_transe_learns_the_tiny_graph() -> None:
    pytest.importorskip("pykeen")
    model, mrr, random_mrr = _train("pykeen")
    assert model.entity_vectors.shape == (len(model.entities), 16)
    assert len(model.epoch_seconds) == 40
    assert mrr > 3 * random_mrr  # far better than random ranking


@pytest.mark.skipif(env_python() is None, reason="no AmpliGraph env (ckg kge-env create)")
def test_ampligraph_transe_learns_the_tiny_graph() -> None:
    model, mrr, random_mrr = _train("ampligraph")
    assert model.entity_vectors.shape == (len(model.entities), 16)
    assert len(model.epoch_seconds) == 40
    assert mrr > 3 * random_mrr


def test_unknown_backend_and_empty_graph() -> None:
    with pytest.raises(RegistryError, match="no knowledge-graph embedding backend named 'dglke'"):
        KGE_BACKENDS.create("dglke")
    pytest.importorskip("pykeen")
    with pytest.raises(KGEError, match="no edges"):
        KGE_BACKENDS.create("pykeen").fit(np.zeros((0, 3), str), KGEConfig())
