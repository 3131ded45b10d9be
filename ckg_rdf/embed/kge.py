"""Knowledge-graph embeddings: TransE behind a ``KGEmbedder`` interface.

Two backends train the same model on the same triples: AmpliGraph (what the
original system used; it runs in its own environment, see ``kge_ampligraph``)
and PyKEEN (in-process). Link-prediction metrics are computed here, in numpy,
from the vectors each backend returns, so both are scored by one protocol:
filtered ranks of the true head and tail against every entity, ties counted
half (the "realistic" rank), MRR and Hits@1/3/10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ckg_rdf.errors import CkgError
from ckg_rdf.registry import Registry
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG

#: the edge types TransE learns from, by the short relation name used in triples
EDGE_PREDICATES = {
    "authored_by": CKG.authoredBy,
    "affiliated_with": CKG.affiliatedWith,
    "cites": CKG.cites,
    "associated_concept": CKG.associatedConcept,
    "associated_topic": CKG.associatedTopic,
}


class KGEError(CkgError):
    """Training cannot run (no edges, backend missing); the message says what to do."""


@dataclass(frozen=True)
class KGEConfig:
    dim: int = 64
    epochs: int = 100
    lr: float = 0.01
    batch_size: int = 4096
    negatives: int = 5  # corruptions of head or tail per positive
    seed: int = 0


@dataclass
class KGEModel:
    """What a backend returns: vectors by label, and how long an epoch took."""

    backend: str
    entities: list[str]
    entity_vectors: np.ndarray
    relations: list[str]
    relation_vectors: np.ndarray
    norm: int = 1  # TransE's distance: L1 in both backends' defaults
    epoch_seconds: list[float] = field(default_factory=list)

    def vectors_for(self, labels: list[str]) -> dict[str, np.ndarray]:
        pos = {e: i for i, e in enumerate(self.entities)}
        return {x: self.entity_vectors[pos[x]] for x in labels if x in pos}


class KGEmbedder(Protocol):
    name: str

    def fit(self, triples: np.ndarray, config: KGEConfig) -> KGEModel:
        """Train TransE on (head, relation, tail) string triples, shape (n, 3)."""
        ...


def graph_triples(store: GraphReader) -> np.ndarray:
    """Every edge of the five types, as (head IRI, relation name, tail IRI) strings."""
    rows: list[tuple[str, str, str]] = []
    for name, pred in EDGE_PREDICATES.items():
        q = f"SELECT ?s ?o WHERE {{ ?s <{pred.value}> ?o . FILTER(isIRI(?o)) }}"
        rows.extend((s["s"].value, name, s["o"].value) for s in store.query(q))
    return np.asarray(rows, dtype=str).reshape(-1, 3)


def split_triples(
    triples: np.ndarray, test_fraction: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out edges whose head, relation and tail all stay in the training part.

    An entity seen only in the test part has no vector to rank, so such edges
    stay in training: the held-out set is what link prediction can answer.
    """
    rng = np.random.default_rng(seed)
    triples = np.unique(triples, axis=0)
    order = rng.permutation(len(triples))
    want = int(round(len(triples) * test_fraction))
    ent_count: dict[str, int] = {}
    rel_count: dict[str, int] = {}
    for h, r, t in triples:
        ent_count[h] = ent_count.get(h, 0) + 1
        ent_count[t] = ent_count.get(t, 0) + 1
        rel_count[r] = rel_count.get(r, 0) + 1
    test_idx: list[int] = []
    for i in order:
        if len(test_idx) >= want:
            break
        h, r, t = triples[i]
        if ent_count[h] > 1 and ent_count[t] > 1 and rel_count[r] > 1:
            ent_count[h] -= 1
            ent_count[t] -= 1
            rel_count[r] -= 1
            test_idx.append(int(i))
    mask = np.zeros(len(triples), bool)
    mask[test_idx] = True
    return triples[~mask], triples[mask]


def link_prediction_metrics(
    model: KGEModel, test: np.ndarray, known: np.ndarray, *, chunk: int = 256
) -> dict[str, float]:
    """Filtered MRR and Hits@1/3/10 over head and tail prediction of ``test``.

    ``known`` (train and test) gives the other true answers that are removed
    from each ranking ("filtered" setting).
    """
    ent = {e: i for i, e in enumerate(model.entities)}
    rel = {r: i for i, r in enumerate(model.relations)}
    E, R = model.entity_vectors.astype(np.float32), model.relation_vectors.astype(np.float32)
    heads_of: dict[tuple[int, int], set[int]] = {}
    tails_of: dict[tuple[int, int], set[int]] = {}
    for h, r, t in known:
        if h in ent and t in ent and r in rel:
            tails_of.setdefault((ent[h], rel[r]), set()).add(ent[t])
            heads_of.setdefault((rel[r], ent[t]), set()).add(ent[h])
    rows = [(ent[h], rel[r], ent[t]) for h, r, t in test if h in ent and t in ent and r in rel]
    if not rows:
        raise KGEError("no held-out edge has both ends in the trained model")
    ranks: list[float] = []
    for start in range(0, len(rows), chunk):
        part = np.asarray(rows[start : start + chunk])
        h, r, t = part[:, 0], part[:, 1], part[:, 2]
        for side in ("tail", "head"):
            # distance of every candidate: ||h + r - t||_p, smaller is better
            if side == "tail":
                q = E[h] + R[r]
                dist = _dist(q, E, model.norm)
                target = t
            else:
                q = E[t] - R[r]
                dist = _dist(q, E, model.norm)
                target = h
            true_d = dist[np.arange(len(part)), target]
            for i in range(len(part)):
                others = (tails_of if side == "tail" else heads_of)[
                    (int(h[i]), int(r[i])) if side == "tail" else (int(r[i]), int(t[i]))
                ]
                row = dist[i].copy()
                filt = [x for x in others if x != target[i]]
                row[filt] = np.inf
                better = float((row < true_d[i]).sum())
                ties = float((row == true_d[i]).sum()) - 1.0
                ranks.append(1.0 + better + ties / 2.0)
    a = np.asarray(ranks)
    return {
        "mrr": float((1.0 / a).mean()),
        "hits@1": float((a <= 1).mean()),
        "hits@3": float((a <= 3).mean()),
        "hits@10": float((a <= 10).mean()),
        "n_test": float(len(rows)),
    }


def _dist(q: np.ndarray, E: np.ndarray, norm: int) -> np.ndarray:
    if norm == 2:
        d2 = (q**2).sum(1)[:, None] - 2 * q @ E.T + (E**2).sum(1)[None, :]
        return np.sqrt(np.maximum(d2, 0))
    out = np.empty((q.shape[0], E.shape[0]), np.float32)
    for i in range(q.shape[0]):
        out[i] = np.abs(E - q[i]).sum(1)
    return out


#: TransE backends: ``KGE_BACKENDS.create(name) -> KGEmbedder``
KGE_BACKENDS: Registry[KGEmbedder] = Registry("kge", "knowledge-graph embedding backend")
KGE_BACKENDS.register(
    "pykeen", "ckg_rdf.embed.kge_pykeen:PyKEENTransE", "PyKEEN TransE, in this process (default)"
)
KGE_BACKENDS.register(
    "ampligraph",
    "ckg_rdf.embed.kge_ampligraph:AmpliGraphTransE",
    "AmpliGraph 2 TransE, in its own environment (ckg kge-env create)",
)
