"""Plain records the topic model hands out: topics, per-paper distributions, links.

They import no modelling library, so the RDF writer (``ckg_rdf.rdf.topics``),
the service and tests can use them without loading tomotopy or gensim.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ckg_rdf.corpus.records import PaperRecord

#: why a paper got no topic (keys of :attr:`AssignmentSummary.without_topic`)
NO_TEXT = "no-text"
TOO_FEW_TOKENS = "too-few-tokens"
BELOW_THRESHOLD = "below-threshold"
DUPLICATE = "duplicate-id"

REASONS: dict[str, str] = {
    NO_TEXT: "the paper has no title, abstract or body text",
    TOO_FEW_TOKENS: "fewer content words than the model's minimum after preparation "
    "(usually a title-only record)",
    BELOW_THRESHOLD: "its topic distribution is flat: no topic reaches the threshold",
    DUPLICATE: "another document with the same paper id came first",
}


@dataclass(frozen=True, slots=True)
class TopicTerm:
    """One of a topic's top terms and its weight p(term | topic)."""

    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """Everything the graph says about one topic.

    ``id`` is stable across rebuilds (the seed id, or ``extra-{term}`` for an
    unseeded topic); ``index`` is the position in the fitted model and is
    never exposed as an identifier.
    """

    id: str
    index: int
    label: str
    auto_label: str
    top_terms: tuple[TopicTerm, ...]
    seeded: bool
    label_hint: str = ""
    #: seed terms that were in the vocabulary and set as priors
    seed_terms: tuple[str, ...] = ()
    #: seed words of the file that the corpus never produced (ignored)
    missing_seeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The model that made the topics: the node ``{base}model/{slug}``."""

    slug: str
    label: str
    description: str
    topic_count: int
    document_count: int


@dataclass(frozen=True, slots=True)
class DocTopics:
    """One paper's topic distribution, or why it has none.

    ``distribution`` is indexed like the model's topics (``TopicInfo.index``);
    it is empty when ``reason`` says why the paper was not modelled.
    """

    paper_id: str
    distribution: tuple[float, ...] = ()
    n_tokens: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TopicLink:
    """A paper -> topic link kept by the threshold rule, with the paper's probability."""

    paper_id: str
    topic_id: str
    probability: float


@dataclass
class AssignmentSummary:
    """How many papers got topics, how many did not, and why."""

    papers: int = 0
    papers_with_topic: int = 0
    links: int = 0
    without_topic: dict[str, int] = field(default_factory=dict)
    #: up to a few paper ids per reason, to look at
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add_missing(self, paper_id: str, reason: str, keep: int = 5) -> None:
        self.without_topic[reason] = self.without_topic.get(reason, 0) + 1
        kept = self.examples.setdefault(reason, [])
        if len(kept) < keep:
            kept.append(paper_id)

    def lines(self) -> list[str]:
        """The summary in words, for the build report."""
        out = [
            f"{self.papers_with_topic:,} of {self.papers:,} papers linked to at least one "
            f"topic ({self.links:,} links)"
        ]
        for reason, n in sorted(self.without_topic.items()):
            eg = ", ".join(self.examples.get(reason, [])[:3])
            out.append(f"{n:,} without a topic: {REASONS.get(reason, reason)} (e.g. {eg})")
        return out


Doc = tuple[str, str]


def paper_text(paper: PaperRecord) -> str:
    """The text a paper contributes: title, abstract and body paragraphs, one per line."""
    return "\n".join(t for t in (paper.title, paper.abstract, *paper.body) if t)


def iter_texts(docs: Iterable[PaperRecord | Doc]) -> Iterator[Doc]:
    """(paper_id, text) pairs from PaperRecords or pairs, one at a time."""
    for doc in docs:
        if isinstance(doc, PaperRecord):
            yield doc.paper_id, paper_text(doc)
        else:
            paper_id, text = doc
            yield paper_id, text
