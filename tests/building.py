"""How tests build graphs: the same configuration objects and build function ``ckg build`` uses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ckg_rdf.config import load_config
from ckg_rdf.datadir import DataDir
from ckg_rdf.pipeline.build import BuildReport, build
from ckg_rdf.pipeline.steps import DEFAULT_STAGES, DEFAULT_STEPS
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI
from ckg_rdf.store import GraphWriter

#: the spine: papers, authors, institutions and citations (no concepts, no vectors)
SPINE_STEPS = ("papers",)
SPINE_STAGES = ("citations",)


def build_graph(
    corpus: Path,
    store: Path | str,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    steps: Sequence[str] = DEFAULT_STEPS,
    stages: Sequence[str] = DEFAULT_STAGES,
    **settings: Any,
) -> BuildReport:
    """Build ``corpus`` into ``store`` (a data directory, or a SPARQL endpoint URL);
    ``settings`` are dotted configuration keys (``"embeddings.kge_epochs": 10``)."""
    overrides: dict[str, Any] = {
        "corpus_dir": str(corpus),
        "store.location": str(store),
        "base_iri": base_iri,
        **settings,
    }
    return build(load_config(None, overrides), steps=steps, stages=stages)


def build_spine(corpus: Path, store: Path, **kwargs: Any) -> BuildReport:
    return build_graph(corpus, store, steps=SPINE_STEPS, stages=SPINE_STAGES, **kwargs)


def open_graph(store: Path, *, write: bool = False) -> GraphWriter:
    """The graph in a data directory, read-only unless ``write``."""
    return DataDir(Path(store)).open_store(write=write)
