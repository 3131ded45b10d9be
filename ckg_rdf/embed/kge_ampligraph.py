"""TransE with AmpliGraph, run in its isolated environment (see ``kge_env``)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ckg_rdf.embed.kge import KGEConfig, KGEError, KGEModel
from ckg_rdf.embed.kge_env import WORKER, default_env_dir, env_python


class AmpliGraphTransE:
    name = "ampligraph"

    def __init__(self, env_dir: Path | None = None, threads: int = 0) -> None:
        self.env_dir = env_dir or default_env_dir()
        self.threads = threads

    def available(self) -> bool:
        return env_python(self.env_dir) is not None

    def fit(self, triples: np.ndarray, config: KGEConfig) -> KGEModel:
        py = env_python(self.env_dir)
        if py is None:
            raise KGEError(
                f"the AmpliGraph environment is not at {self.env_dir}: run 'ckg kge-env create'"
                " (about 2 GB), or use --backend pykeen"
            )
        if len(triples) == 0:
            raise KGEError("the graph has no edges to learn from")
        # short labels keep the exchanged arrays small; mapped back below
        ents, inv = np.unique(np.concatenate([triples[:, 0], triples[:, 2]]), return_inverse=True)
        n = len(triples)
        coded = np.stack(
            [
                np.char.add("e", inv[:n].astype(str)),
                triples[:, 1].astype(str),
                np.char.add("e", inv[n:].astype(str)),
            ],
            axis=1,
        ).astype(str)
        with tempfile.TemporaryDirectory(prefix="ckg-ampligraph-") as tmp:
            in_dir, out_dir = Path(tmp, "in"), Path(tmp, "out")
            in_dir.mkdir()
            out_dir.mkdir()
            np.save(in_dir / "train.npy", coded)
            params = {
                "dim": config.dim,
                "epochs": config.epochs,
                "lr": config.lr,
                "batch_size": config.batch_size,
                "negatives": config.negatives,
                "seed": config.seed,
                "threads": self.threads,
            }
            (in_dir / "params.json").write_text(json.dumps(params))
            env = dict(
                os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_HOME=str(self.env_dir / "keras-home")
            )
            proc = subprocess.run(
                [str(py), str(WORKER), str(in_dir), str(out_dir)],
                capture_output=True,
                text=True,
                env=env,
            )
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
                raise KGEError(f"the AmpliGraph worker failed:\n{tail}")
            labels = np.load(out_dir / "entity_labels.npy")
            vecs = np.load(out_dir / "entities.npy")
            rel_labels = np.load(out_dir / "relation_labels.npy")
            rel_vecs = np.load(out_dir / "relations.npy")
            stats = json.loads((out_dir / "stats.json").read_text())
        entities = [str(ents[int(x[1:])]) for x in labels]
        return KGEModel(
            backend=self.name,
            entities=entities,
            entity_vectors=vecs.astype(np.float32),
            relations=[str(r) for r in rel_labels],
            relation_vectors=rel_vecs.astype(np.float32),
            norm=int(stats.get("norm", 1)),
            epoch_seconds=list(stats["epoch_seconds"]),
        )
