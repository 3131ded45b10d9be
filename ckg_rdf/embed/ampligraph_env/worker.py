"""TransE with AmpliGraph 2, run by ckg_rdf inside the isolated AmpliGraph environment.

Deliberately standalone (imports nothing from ckg_rdf): that environment has
numpy < 2 and TensorFlow 2.15 and not the main package's dependencies.
Protocol: ``python worker.py IN_DIR OUT_DIR``; IN_DIR holds ``train.npy`` (an
(n, 3) unicode array, no pickles) and ``params.json``; OUT_DIR receives
``entities.npy`` / ``relations.npy`` (vectors in the order of the labels in
``entity_labels.npy`` / ``relation_labels.npy``) and ``stats.json``.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(in_dir: str, out_dir: str) -> None:
    import numpy as np
    import tensorflow as tf
    from ampligraph.latent_features import ScoringBasedEmbeddingModel
    from ampligraph.latent_features.loss_functions import get as get_loss

    params = json.load(open(os.path.join(in_dir, "params.json")))
    train = np.load(os.path.join(in_dir, "train.npy"), allow_pickle=False).astype(object)
    tf.random.set_seed(params["seed"])
    tf.config.threading.set_intra_op_parallelism_threads(params.get("threads", 0))
    model = ScoringBasedEmbeddingModel(
        eta=params["negatives"], k=params["dim"], scoring_type="TransE", seed=params["seed"]
    )
    model.compile(optimizer=tf.keras.optimizers.Adam(params["lr"]), loss=get_loss("multiclass_nll"))
    times = []

    class Timer(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)
            print(json.dumps({"epoch": epoch + 1, "of": params["epochs"]}), flush=True)

    model.fit(
        train,
        batch_size=params["batch_size"],
        epochs=params["epochs"],
        verbose=False,
        callbacks=[Timer()],
    )
    ents = np.unique(np.concatenate([train[:, 0], train[:, 2]])).astype(str)
    rels = np.unique(train[:, 1]).astype(str)
    np.save(os.path.join(out_dir, "entity_labels.npy"), ents)
    np.save(os.path.join(out_dir, "relation_labels.npy"), rels)
    np.save(os.path.join(out_dir, "entities.npy"), model.get_embeddings(ents, "e"))
    np.save(os.path.join(out_dir, "relations.npy"), model.get_embeddings(rels, "r"))
    with open(os.path.join(out_dir, "stats.json"), "w") as fh:
        json.dump({"epoch_seconds": times, "norm": 1}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
