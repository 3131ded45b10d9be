"""Offline biomedical concept extraction (issue 5).

``base`` defines what an extractor returns, ``vocabulary`` compiles open
vocabularies into one index, ``matcher`` is the default Aho-Corasick backend,
``model`` the optional transformers backend, ``step`` the pipeline step.
"""

from ckg_rdf.extract.concepts.base import (
    CONCEPT_TYPES,
    ConceptExtractor,
    ConceptInfo,
    ExtractorError,
    Mention,
)
from ckg_rdf.registry import Registry

#: concept extractors by name: ``EXTRACTORS.create(name, **options) -> ConceptExtractor``
EXTRACTORS: Registry[ConceptExtractor] = Registry("extractors", "concept extractor")
EXTRACTORS.register(
    "vocab",
    "ckg_rdf.extract.concepts.matcher:make_vocab_extractor",
    "vocabulary matcher (default; fast)",
)
EXTRACTORS.register(
    "learned",
    "ckg_rdf.extract.concepts.learned:make_learned_extractor",
    "CRF taggers trained on public NER corpora, shipped with the package (slower, better)",
)
EXTRACTORS.register(
    "model",
    "ckg_rdf.extract.concepts.model:make_model_extractor",
    "a local transformers token-classification model (model_dir)",
)

__all__ = [
    "CONCEPT_TYPES",
    "EXTRACTORS",
    "ConceptExtractor",
    "ConceptInfo",
    "ExtractorError",
    "Mention",
]
