"""What every concept extractor returns, whatever its backend.

The pipeline step and the RDF layer depend only on these types, so the
vocabulary matcher and a transformers model are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ckg_rdf.errors import CkgError

#: Entity types in the style of medical-NER services; each one is declared as
#: a ckg:ConceptType individual in ontology/ckg.ttl (docs/concepts.md).
CONCEPT_TYPES: tuple[str, ...] = (
    "MEDICAL_CONDITION",
    "MEDICATION",
    "ANATOMY",
    "TEST_TREATMENT_PROCEDURE",
    "GENE_OR_PROTEIN",
    "ORGANISM",
    # issue 15: chemicals that are not medications (glucose, sodium, creatinine)
    "CHEMICAL",
)


class ExtractorError(CkgError):
    """An extractor cannot be built or run; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One typed span of a text that names a concept.

    ``start``/``end`` are character offsets into the text given to
    ``extract`` (``text[start:end] == mention.text``). ``negated`` is True
    when a negation cue governs the span ("no fever"); such mentions are kept
    so callers can choose, and the pipeline step does not count them.
    """

    start: int
    end: int
    text: str
    concept_id: str
    type: str
    score: float = 1.0
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ConceptInfo:
    """What the graph says about one preferred concept."""

    concept_id: str
    pref_label: str
    type: str
    source: str
    source_version: str
    alt_labels: tuple[str, ...] = ()
    #: (scheme, local id) pairs, scheme a key of vocab.EXTERNAL_IRI_PREFIXES
    xrefs: tuple[tuple[str, str], ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class ConceptExtractor(Protocol):
    """Text in, typed and scored spans out."""

    #: short backend name ("vocab", "model")
    name: str
    #: changes whenever the output for the same text could change; the
    #: pipeline's resumability is keyed on it
    version: str

    def extract(self, text: str) -> list[Mention]:
        """Mentions in ``text``, sorted by start; mentions of one type never overlap.

        Mentions of different types may nest (the learned backend finds
        "breast" ANATOMY inside "breast cancer" MEDICAL_CONDITION); the
        vocabulary matcher's never overlap at all.
        """
        ...

    def extract_batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        """``extract`` for many texts (a backend may batch them for speed)."""
        ...

    def concept(self, concept_id: str) -> ConceptInfo | None:
        """Labels, type, source and external ids of a concept it can return."""
        ...
