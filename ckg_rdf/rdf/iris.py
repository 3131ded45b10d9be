"""The IRI scheme: one object that mints, and reads back, every IRI the graph uses.

Resources: ``{base}{kind}/{id}`` for the kinds in :data:`KINDS` (papers,
authors, institutions, concepts, topics, embedding models, named graphs,
builds). Nodes that only exist to qualify one paper's statement are hash
IRIs of that paper (``{paper}#author-3``, ``{paper}#concept-ckg-fever``,
``{paper}#topic-virology``), so they dereference with their paper and a
producer can retract them with the paper. Embedding nodes are
``{paper}/embedding/{model}``. Ids are percent-encoded, so any id is safe in
an IRI, and deterministic, so a rebuild never mints a second node for a thing.

The pipeline and the service both use this object; nothing else builds an
IRI string for a minted resource or takes one apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from pyoxigraph import NamedNode

from ckg_rdf.errors import CkgError

DEFAULT_BASE_IRI = "http://localhost:8000/"

Kind = Literal[
    "paper", "author", "institution", "concept", "topic", "model", "graph", "build"
]  # fmt: skip
#: path segments of minted resources, each answering at ``/{kind}/{id}`` in the service
KINDS: tuple[Kind, ...] = (
    "paper", "author", "institution", "concept", "topic", "model", "graph", "build"
)  # fmt: skip
#: the hash-node kinds of a paper: ``{paper}#{prefix}-{id}``
HASH_KINDS = ("author", "concept", "topic")

_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


class BaseIriError(CkgError, ValueError):
    """The base IRI cannot be used to mint resource IRIs."""


def normalise_base(base: str) -> str:
    """Check a base IRI and make it end with a slash."""
    if not base.startswith(("http://", "https://")):
        raise BaseIriError(f"base IRI must start with http:// or https://, got {base!r}")
    if any(c in base for c in ' <>"{}|\\^`') or any(ord(c) < 0x21 for c in base):
        raise BaseIriError(f"base IRI contains a character not allowed in an IRI: {base!r}")
    return base if base.endswith("/") else base + "/"


def slug(name: str) -> str:
    """A short, IRI-safe name for a model or a label ("allenai/scibert_scivocab" ->
    "scibert_scivocab"): the last path segment, runs of other characters as '-'."""
    text = _SLUG.sub("-", name.strip().rstrip("/").split("/")[-1]).strip("-")
    return text.lower() or "x"


#: ids that percent-encoding leaves as they are (most of them): skipping ``quote`` for
#: these saves a tenth of the time spent minting a paper's triples
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


def _enc(local_id: str) -> str:
    if _UNRESERVED.fullmatch(local_id):
        return local_id
    return quote(local_id, safe="-._~")


@dataclass(frozen=True, slots=True)
class ParsedIri:
    """What :meth:`IriScheme.parse` reads out of a minted IRI."""

    kind: Kind
    id: str
    #: for a paper's hash node: ("author", "3"), ("concept", "ckg-fever"), ...
    hash: tuple[str, str] | None = None
    #: for an embedding node: the model slug
    embedding: str | None = None


@dataclass(frozen=True)
class IriScheme:
    """Mints ``{base}{kind}/{id}`` IRIs (and the hash and embedding nodes) and reads them back."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", normalise_base(self.base))

    # -- minting --------------------------------------------------------------
    def iri(self, kind: Kind, local_id: str) -> NamedNode:
        return NamedNode(f"{self.base}{kind}/{_enc(local_id)}")

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

    def model(self, model_slug: str) -> NamedNode:
        """An embedding or topic model's IRI (``{base}model/{slug}``)."""
        return self.iri("model", model_slug)

    def graph(self, name: str) -> NamedNode:
        """The named graph of one producer (``{base}graph/papers``, ``.../concepts``, ...)."""
        return self.iri("graph", name)

    def build(self, run_id: str, producer: str | None = None) -> NamedNode:
        """A build run (a ``prov:Activity``), or one producer's part of it."""
        node = self.iri("build", run_id)
        return node if producer is None else NamedNode(f"{node.value}#{_enc(producer)}")

    def _hash(self, paper_id: str, prefix: str, local: str) -> NamedNode:
        return NamedNode(f"{self.paper(paper_id).value}#{prefix}-{_enc(local)}")

    def authorship(self, paper_id: str, position: int) -> NamedNode:
        """A paper's n-th (1-based) author entry: ``{paper}#author-{n}``."""
        if position < 1:
            raise ValueError(f"author positions are 1-based, got {position}")
        return self._hash(paper_id, "author", str(position))

    def annotation(self, paper_id: str, concept_id: str) -> NamedNode:
        """A paper's qualified link to a concept: ``{paper}#concept-{id}``."""
        return self.annotation_of(self.paper(paper_id), concept_id)

    def annotation_of(self, paper: NamedNode, concept_id: str) -> NamedNode:
        """:meth:`annotation` from the paper's IRI, for a writer that already has it."""
        return NamedNode(f"{paper.value}#concept-{_enc(concept_id)}")

    def topic_assignment(self, paper_id: str, topic_id: str) -> NamedNode:
        """A paper's qualified link to a topic: ``{paper}#topic-{id}``."""
        return self._hash(paper_id, "topic", topic_id)

    def embedding(self, paper_id: str, model_slug: str) -> NamedNode:
        """A paper's embedding node: stable per (paper, model), so a re-run replaces it."""
        return NamedNode(f"{self.paper(paper_id).value}/embedding/{_enc(model_slug)}")

    # -- reading back -----------------------------------------------------------
    def parse(self, iri: str | NamedNode) -> ParsedIri | None:
        """Split an IRI minted here into its parts; None for any other IRI."""
        text = iri.value if isinstance(iri, NamedNode) else iri
        if not text.startswith(self.base):
            return None
        rest = text[len(self.base) :]
        rest, _, fragment = rest.partition("#")
        kind, _, local = rest.partition("/")
        if kind not in KINDS or not local:
            return None
        embedding = None
        if kind == "paper" and "/embedding/" in local:
            local, _, model = local.partition("/embedding/")
            embedding = unquote(model)
        if "/" in local:
            return None
        hash_part = None
        if fragment:
            prefix, dash, value = fragment.partition("-")
            if not dash:
                return None
            hash_part = (prefix, unquote(value))
        return ParsedIri(kind, unquote(local), hash_part, embedding)  # type: ignore[arg-type]

    def local_id(self, iri: str | NamedNode, kind: Kind) -> str | None:
        """The id of a resource IRI of ``kind`` (no hash, no embedding), else None."""
        parsed = self.parse(iri)
        if parsed is None or parsed.kind != kind or parsed.hash or parsed.embedding:
            return None
        return parsed.id

    def resource_id(self, text: str, kind: Kind) -> str:
        """What a user typed for a resource (its id, or its full IRI) as the id."""
        text = text.strip()
        if text.startswith(("http://", "https://")):
            found = self.local_id(text, kind)
            if found is None:
                raise CkgError(
                    f"{text} is not a {kind} IRI of this graph (its IRIs start with "
                    f"{self.base}{kind}/)"
                )
            return found
        return text
