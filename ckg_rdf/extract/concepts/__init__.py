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

__all__ = ["CONCEPT_TYPES", "ConceptExtractor", "ConceptInfo", "ExtractorError", "Mention"]
