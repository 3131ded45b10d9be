"""TransE with PyKEEN, in-process (torch): the backend that needs no second environment."""

from __future__ import annotations

import time
import warnings

import numpy as np

from ckg_rdf.embed.kge import KGEConfig, KGEError, KGEModel


class PyKEENTransE:
    name = "pykeen"

    def fit(self, triples: np.ndarray, config: KGEConfig) -> KGEModel:
        try:
            import torch
            from pykeen.losses import SoftplusLoss
            from pykeen.models import TransE
            from pykeen.training import SLCWATrainingLoop
            from pykeen.training.callbacks import TrainingCallback
            from pykeen.triples import TriplesFactory
        except ImportError as exc:
            raise KGEError("PyKEEN is not installed: pip install 'ckg-rdf[embed]'") from exc
        if len(triples) == 0:
            raise KGEError("the graph has no edges to learn from")
        torch.manual_seed(config.seed)
        tf = TriplesFactory.from_labeled_triples(np.asarray(triples, dtype=str))
        model = TransE(
            triples_factory=tf,
            embedding_dim=config.dim,
            scoring_fct_norm=1,
            # the default margin loss reached MRR 0.04 on the sample where softplus
            # (logistic, like AmpliGraph's NLL losses) reached 0.57: see docs/embeddings.md
            loss=SoftplusLoss(),
            random_seed=config.seed,
        )
        times: list[float] = []

        class _Timer(TrainingCallback):
            t0 = 0.0

            def post_epoch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                now = time.perf_counter()
                times.append(now - self.t0)
                self.t0 = now

        loop = SLCWATrainingLoop(
            model=model,
            triples_factory=tf,
            optimizer=torch.optim.Adam(model.parameters(), lr=config.lr),
            negative_sampler_kwargs={"num_negs_per_pos": config.negatives},
        )
        timer = _Timer()
        timer.t0 = time.perf_counter()
        with warnings.catch_warnings():
            # pykeen asks the DataLoader to pin memory, which means nothing on a CPU
            warnings.filterwarnings("ignore", message=".*pin_memory.*")
            warnings.filterwarnings("ignore", message=".*always shuffled.*")
            loop.train(
                triples_factory=tf,
                num_epochs=config.epochs,
                batch_size=min(config.batch_size, max(1, len(triples))),
                use_tqdm=False,
                callbacks=[timer],
            )
        with torch.no_grad():
            ent = model.entity_representations[0](indices=None).cpu().numpy()
            rel = model.relation_representations[0](indices=None).cpu().numpy()
        entities = [None] * len(tf.entity_to_id)
        for label, i in tf.entity_to_id.items():
            entities[i] = label
        relations = [None] * len(tf.relation_to_id)
        for label, i in tf.relation_to_id.items():
            relations[i] = label
        return KGEModel(
            backend=self.name,
            entities=entities,  # type: ignore[arg-type]
            entity_vectors=ent.astype(np.float32),
            relations=relations,  # type: ignore[arg-type]
            relation_vectors=rel.astype(np.float32),
            norm=1,
            epoch_seconds=times,
        )
