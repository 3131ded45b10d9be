"""Which paper -> topic links the graph keeps: the threshold rule and its summary.

**Rule.** A paper is linked to every topic whose probability in the paper's
distribution is at least ``threshold`` (default :data:`DEFAULT_THRESHOLD`),
strongest first. Nothing else: no "always keep the best topic", because a
paper whose distribution is flat is not *about* any topic, and the summary
says so rather than the graph pretending.

Why 0.1 by default: it is the uniform share with the default 10 topics, so a
paper with any modelled text has at least one topic at or above it (the
largest of k shares is never below 1/k), and with the default settings a
topic at 0.1 holds about one in ten of the paper's words, a visible part of
it. With extra topics 1/k drops below 0.1, and some mixed papers can end up
with no link: :class:`AssignmentSummary` counts them as ``below-threshold``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ckg_rdf.topics.records import BELOW_THRESHOLD, AssignmentSummary, DocTopics, TopicLink

DEFAULT_THRESHOLD = 0.1


def check_threshold(threshold: float) -> float:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"the topic threshold must be in (0, 1], got {threshold}")
    return threshold


def links_for(doc: DocTopics, topic_ids: Sequence[str], threshold: float) -> list[TopicLink]:
    """The links the rule keeps for one paper, strongest first (ties by topic order)."""
    kept = [(p, i) for i, p in enumerate(doc.distribution) if p >= threshold]
    kept.sort(key=lambda x: (-x[0], x[1]))
    return [TopicLink(doc.paper_id, topic_ids[i], float(p)) for p, i in kept]


class Assigner:
    """Applies the rule to a stream of distributions and keeps the summary.

    >>> assigner = Assigner(model.topic_ids, threshold=0.1)
    >>> for link in assigner.links(model.training_topics()): ...
    >>> assigner.summary.lines()
    """

    def __init__(self, topic_ids: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.topic_ids = list(topic_ids)
        self.threshold = check_threshold(threshold)
        self.summary = AssignmentSummary()

    def links(self, docs: Iterable[DocTopics]) -> Iterator[TopicLink]:
        for doc in docs:
            self.summary.papers += 1
            if doc.reason:
                self.summary.add_missing(doc.paper_id, doc.reason)
                continue
            found = links_for(doc, self.topic_ids, self.threshold)
            if not found:
                self.summary.add_missing(doc.paper_id, BELOW_THRESHOLD)
                continue
            self.summary.papers_with_topic += 1
            self.summary.links += len(found)
            yield from found
