"""Minting resource IRIs under a configurable base.

Resource IRIs look like ``{base}paper/{cord_uid}``; the same input always gives
the same IRI, so re-running the pipeline never mints a second node for a thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from pyoxigraph import NamedNode

DEFAULT_BASE_IRI = "http://localhost:8000/"

Kind = Literal["paper", "author", "institution", "concept", "topic"]
KINDS: tuple[Kind, ...] = ("paper", "author", "institution", "concept", "topic")


class BaseIriError(ValueError):
    """The base IRI cannot be used to mint resource IRIs."""


def normalise_base(base: str) -> str:
    """Check a base IRI and make it end with a slash."""
    if not base.startswith(("http://", "https://")):
        raise BaseIriError(f"base IRI must start with http:// or https://, got {base!r}")
    if any(c in base for c in ' <>"{}|\\^`'):
        raise BaseIriError(f"base IRI contains a character not allowed in an IRI: {base!r}")
    return base if base.endswith("/") else base + "/"


@dataclass(frozen=True)
class IriMinter:
    """Mints ``{base}{kind}/{id}`` IRIs and reads them back."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalise_base(self.base))

    def iri(self, kind: Kind, local_id: str) -> NamedNode:
        return NamedNode(f"{self.base}{kind}/{quote(local_id, safe='-._~')}")

    def paper(self, paper_id: str) -> NamedNode:
        return self.iri("paper", paper_id)

    def author(self, author_id: str) -> NamedNode:
        return self.iri("author", author_id)

    def institution(self, institution_id: str) -> NamedNode:
        return self.iri("institution", institution_id)

    def concept(self, concept_id: str) -> NamedNode:
        return self.iri("concept", concept_id)

    def topic(self, topic_id: str) -> NamedNode:
        return self.iri("topic", topic_id)

    def authorship(self, paper_id: str, position: int) -> NamedNode:
        """A paper's n-th (1-based) author entry: ``{paper IRI}#author-{n}``.

        A hash IRI, so it dereferences with its paper; derived from the pair, so
        a rebuild writes the same node again rather than a second one.
        """
        if position < 1:
            raise ValueError(f"author positions are 1-based, got {position}")
        return NamedNode(f"{self.paper(paper_id).value}#author-{position}")

    def embedding(self, paper_id: str, model_slug: str) -> NamedNode:
        """A paper's embedding node: stable per (paper, model), so a re-run replaces it."""
        return NamedNode(f"{self.paper(paper_id).value}/embedding/{quote(model_slug, safe='-._~')}")

    def model(self, model_slug: str) -> NamedNode:
        """An embedding model's IRI (``{base}model/{slug}``)."""
        return NamedNode(f"{self.base}model/{quote(model_slug, safe='-._~')}")

    def parse(self, iri: str) -> tuple[Kind, str] | None:
        """Split an IRI minted here into (kind, id); None for any other IRI."""
        if not iri.startswith(self.base):
            return None
        kind, _, local = iri[len(self.base) :].partition("/")
        if kind not in KINDS or not local or "/" in local:
            return None
        return kind, unquote(local)  # type: ignore[return-value]
