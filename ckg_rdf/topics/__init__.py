"""Seeded topic model of the papers: preparation, seeds, model, labels, links.

The light parts (records, seeds, labels, ids, the threshold rule) import no
modelling library; the model and text preparation (tomotopy, gensim,
simplemma) load on first use, so ``import ckg_rdf.topics`` stays cheap for
the service and the RDF writer.

Pipeline use: :func:`fit` (or :func:`prepare_corpus` then :func:`train`),
:meth:`TopicModel.save` beside the store, :meth:`TopicModel.load` and
:meth:`TopicModel.infer` for new papers, :class:`Assigner` for the links,
:mod:`ckg_rdf.rdf.topics` for the triples.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ckg_rdf.topics.assign import DEFAULT_THRESHOLD, Assigner, links_for
from ckg_rdf.topics.labels import LabelError, choose_labels, load_labels
from ckg_rdf.topics.records import (
    AssignmentSummary,
    DocTopics,
    ModelInfo,
    TopicInfo,
    TopicLink,
    TopicTerm,
    iter_texts,
    paper_text,
)
from ckg_rdf.topics.seeds import SeedError, SeedSet, SeedTopic, load_seeds, parse_seeds

if TYPE_CHECKING:
    from ckg_rdf.topics.corpus import PreparedCorpus, prepare_corpus
    from ckg_rdf.topics.model import TopicModel, TopicModelError, TopicSettings, fit, train
    from ckg_rdf.topics.prepare import PrepSettings, TextPreparer

_LAZY = {
    "PreparedCorpus": "ckg_rdf.topics.corpus",
    "prepare_corpus": "ckg_rdf.topics.corpus",
    "TopicModel": "ckg_rdf.topics.model",
    "TopicModelError": "ckg_rdf.topics.model",
    "TopicSettings": "ckg_rdf.topics.model",
    "fit": "ckg_rdf.topics.model",
    "train": "ckg_rdf.topics.model",
    "PrepSettings": "ckg_rdf.topics.prepare",
    "TextPreparer": "ckg_rdf.topics.prepare",
}

__all__ = [
    "DEFAULT_THRESHOLD",
    "Assigner",
    "AssignmentSummary",
    "DocTopics",
    "LabelError",
    "ModelInfo",
    "PrepSettings",
    "PreparedCorpus",
    "SeedError",
    "SeedSet",
    "SeedTopic",
    "TextPreparer",
    "TopicInfo",
    "TopicLink",
    "TopicModel",
    "TopicModelError",
    "TopicSettings",
    "TopicTerm",
    "choose_labels",
    "fit",
    "iter_texts",
    "links_for",
    "load_labels",
    "load_seeds",
    "paper_text",
    "parse_seeds",
    "prepare_corpus",
    "train",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ckg_rdf.topics' has no attribute {name!r}")
    return getattr(import_module(module), name)
