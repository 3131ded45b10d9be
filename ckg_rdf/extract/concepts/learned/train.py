"""Training the CRF taggers of the learned backend from the IOB corpora.

One tagger per entity group, each trained only on the corpora that annotate
that group (a disease in a gene corpus is unannotated, and a single model on
the union would learn it is "O"); the extractor runs them all and merges the
spans. Plain functions, no CLI framework: ``ckg`` wires a command to
:func:`train_models`, and ``python -m ckg_rdf.extract.concepts.learned.train
[--corpora DIR] [--out DIR]`` runs it directly.

Reproducible: the corpora are read in file order, L-BFGS is deterministic, and
the output folder's ``manifest.json`` records the corpora files' digests, the
training parameters and the vocabulary version the gazetteer features used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ckg_rdf.extract.concepts.learned.clusters import CLUSTERS_FILE, read_clusters
from ckg_rdf.extract.concepts.learned.corpora import (
    DEFAULT_CORPORA_DIR,
    Sentence,
    iob_spans,
    read_iob,
)
from ckg_rdf.extract.concepts.learned.features import gazetteer_tags, sentence_features

#: where the shipped models live (inside the package, so they are in the wheel)
SHIPPED_MODEL_DIR = Path(__file__).parent / "models"
MANIFEST = "manifest.json"
#: bump when features or the manifest change; part of the extractor version
FEATURES_VERSION = "2"


@dataclass(frozen=True)
class ModelSpec:
    """One tagger: its name, the type it outputs, and corpus -> gold tags it learns."""

    name: str
    type: str
    corpora: dict[str, tuple[str, ...]]
    params: dict[str, float | int | bool] = field(default_factory=dict)


DEFAULT_PARAMS: dict[str, float | int | bool] = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 200,
    "feature.possible_transitions": True,
}

#: measured on the devel splits (docs/concepts.md): BioNLP13CG's genes help its own
#: genes and leave BC2GM unchanged; its chemicals and organisms cost BC5CDR
#: chemicals and LINNAEUS a point or two, so they are left out
MODEL_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "disease",
        "MEDICAL_CONDITION",
        {"BC5CDR-IOB": ("Disease",), "NCBI-disease-IOB": ("Disease",)},
    ),
    ModelSpec("chemical", "CHEMICAL", {"BC5CDR-IOB": ("Chemical",)}),
    ModelSpec(
        "gene",
        "GENE_OR_PROTEIN",
        {"BC2GM-IOB": ("GENE",), "BioNLP13CG-IOB": ("Gene_or_gene_product",)},
    ),
    ModelSpec("species", "ORGANISM", {"linnaeus-IOB": ("Species",)}),
    ModelSpec("anatomy", "ANATOMY", {"AnatEM-IOB": ("Anatomy",)}),
)


def _say(message: str) -> None:
    print(message, flush=True)


def sentence_text(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The tokens joined by single spaces, and each token's (start, end) in that text."""
    spans = []
    pos = 0
    for t in tokens:
        spans.append((pos, pos + len(t)))
        pos += len(t) + 1
    return " ".join(tokens), spans


def bio_labels(sentence: Sentence, gold_tags: tuple[str, ...]) -> list[str]:
    """B/I/O for one entity group: entities whose tag is in ``gold_tags``, others O."""
    labels = ["O"] * len(sentence.tokens)
    for s, e, lab in iob_spans(sentence.tags):
        if lab in gold_tags:
            labels[s] = "B"
            for k in range(s + 1, e):
                labels[k] = "I"
    return labels


Gazetteer = Callable[[str], list[tuple[int, int, str]]]


def vocabulary_gazetteer() -> Gazetteer:
    """(start, end, type) of the vocabulary matcher's hits: the gazetteer feature's source."""
    from ckg_rdf.extract.concepts.matcher import VocabularyMatcher

    matcher = VocabularyMatcher()

    def hits(text: str) -> list[tuple[int, int, str]]:
        return [(s, e, t) for s, e, t in matcher.raw_hits(text)]

    hits.version = matcher.version  # type: ignore[attr-defined]
    hits.surfaces = matcher.index.surfaces_version  # type: ignore[attr-defined]
    return hits


def featurise(
    sentences: Iterable[Sentence],
    gazetteer: Gazetteer,
    clusters: dict[str, tuple[str, str]] | None = None,
) -> list[list[list[str]]]:
    """Feature sequences of corpus sentences (their text is the tokens joined by spaces)."""
    out = []
    for sent in sentences:
        text, spans = sentence_text(sent.tokens)
        tags = gazetteer_tags(spans, gazetteer(text))
        out.append(sentence_features(sent.tokens, tags, clusters))
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train_model(
    spec: ModelSpec,
    corpora_dir: Path,
    out_dir: Path,
    gazetteer: Gazetteer,
    *,
    splits: tuple[str, ...] = ("train",),
    cache: dict[Path, tuple[list[Sentence], list[list[list[str]]]]] | None = None,
    clusters: dict[str, tuple[str, str]] | None = None,
    log: Callable[[str], None] = _say,
) -> dict:
    """Train one tagger and write ``{out_dir}/{spec.name}.crfsuite``; returns its manifest entry."""
    import pycrfsuite

    cache = {} if cache is None else cache
    trainer = pycrfsuite.Trainer(verbose=False)
    params = {**DEFAULT_PARAMS, **spec.params}
    trainer.set_params(params)
    files = {}
    n = 0
    for corpus, tags in spec.corpora.items():
        for split in splits:
            path = corpora_dir / corpus / f"{split}.tsv"
            if path not in cache:
                sents = read_iob(path)
                cache[path] = (sents, featurise(sents, gazetteer, clusters))
            sents, feats = cache[path]
            files[f"{corpus}/{split}.tsv"] = _digest(path)
            for sent, xseq in zip(sents, feats, strict=True):
                trainer.append(xseq, bio_labels(sent, tags))
                n += 1
    t0 = time.perf_counter()
    model_path = out_dir / f"{spec.name}.crfsuite"
    trainer.train(str(model_path))
    seconds = time.perf_counter() - t0
    log(f"{spec.name}: {n} sentences, {seconds:.0f} s, {model_path.stat().st_size / 1e6:.1f} MB")
    return {
        "name": spec.name,
        "type": spec.type,
        "file": model_path.name,
        "corpora": {k: list(v) for k, v in spec.corpora.items()},
        "files": files,
        "sentences": n,
        "params": params,
    }


def train_models(
    corpora_dir: Path = DEFAULT_CORPORA_DIR,
    out_dir: Path = SHIPPED_MODEL_DIR,
    *,
    specs: Iterable[ModelSpec] = MODEL_SPECS,
    splits: tuple[str, ...] = ("train",),
    clusters_file: Path | None = None,
    log: Callable[[str], None] = _say,
) -> Path:
    """Train every tagger into ``out_dir`` (the shipped models by default); returns the manifest.

    ``splits`` is ("train",) for the shipped models, so the devel scores in the
    README describe exactly what ships; ("train", "devel") trains on both.
    ``clusters_file`` (``clusters.build_clusters``'s output) is copied next to
    the models; by default the one already in ``out_dir`` is used, if any.
    Models of ``out_dir``'s manifest not in ``specs`` are kept.
    """
    if not corpora_dir.is_dir():
        raise FileNotFoundError(f"{corpora_dir}: no such corpora folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / CLUSTERS_FILE
    if clusters_file is not None and clusters_file.resolve() != target.resolve():
        shutil.copyfile(clusters_file, target)
    clusters = read_clusters(target) if target.exists() else None
    gazetteer = vocabulary_gazetteer()
    cache: dict = {}
    entries = [
        train_model(
            s,
            corpora_dir,
            out_dir,
            gazetteer,
            splits=splits,
            cache=cache,
            clusters=clusters,
            log=log,
        )
        for s in specs
    ]
    path = out_dir / MANIFEST
    names = {e["name"] for e in entries}
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("features_version") == FEATURES_VERSION:
            entries = [e for e in old.get("models", []) if e["name"] not in names] + entries
    order = [s.name for s in MODEL_SPECS]
    entries.sort(key=lambda e: order.index(e["name"]) if e["name"] in order else len(order))
    manifest = {
        "features_version": FEATURES_VERSION,
        "gazetteer_version": getattr(gazetteer, "version", "none"),
        "gazetteer_surfaces": getattr(gazetteer, "surfaces", "none"),
        "clusters": CLUSTERS_FILE if clusters is not None else None,
        "splits": list(splits),
        "models": entries,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Train the learned concept taggers (CRF).")
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA_DIR)
    ap.add_argument("--out", type=Path, default=SHIPPED_MODEL_DIR)
    ap.add_argument("--only", action="append", help="train only this model (repeatable)")
    ap.add_argument("--with-devel", action="store_true", help="train on train + devel")
    ap.add_argument("--clusters", type=Path, help="word-cluster file to use (clusters.py)")
    args = ap.parse_args(argv)
    specs = [s for s in MODEL_SPECS if not args.only or s.name in args.only]
    splits = ("train", "devel") if args.with_devel else ("train",)
    print(
        train_models(
            args.corpora, args.out, specs=specs, splits=splits, clusters_file=args.clusters
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
