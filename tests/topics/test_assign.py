"""The threshold rule for paper -> topic links and the summary of papers left without one."""

from __future__ import annotations

import pytest

from ckg_rdf.topics.assign import DEFAULT_THRESHOLD, Assigner, links_for
from ckg_rdf.topics.records import (
    BELOW_THRESHOLD,
    NO_TEXT,
    TOO_FEW_TOKENS,
    DocTopics,
    TopicLink,
)

IDS = ["virology", "epidemiology", "vaccines"]


def test_links_keep_every_topic_at_or_above_the_threshold_strongest_first() -> None:
    doc = DocTopics("p1", (0.25, 0.05, 0.7), 120)
    assert links_for(doc, IDS, 0.25) == [
        TopicLink("p1", "vaccines", 0.7),
        TopicLink("p1", "virology", 0.25),
    ]


def test_default_threshold_is_the_uniform_share_of_ten_topics() -> None:
    # with 10 topics the largest share is never below 0.1: every modelled paper has a link
    assert DEFAULT_THRESHOLD == pytest.approx(1 / 10)


def test_summary_counts_papers_without_a_topic_by_reason() -> None:
    assigner = Assigner(IDS, threshold=0.5)
    docs = [
        DocTopics("a", (0.6, 0.2, 0.2), 50),
        DocTopics("b", (0.4, 0.3, 0.3), 50),
        DocTopics("c", reason=NO_TEXT),
        DocTopics("d", n_tokens=3, reason=TOO_FEW_TOKENS),
    ]
    links = list(assigner.links(docs))
    assert links == [TopicLink("a", "virology", 0.6)]
    s = assigner.summary
    assert (s.papers, s.papers_with_topic, s.links) == (4, 1, 1)
    assert s.without_topic == {BELOW_THRESHOLD: 1, NO_TEXT: 1, TOO_FEW_TOKENS: 1}
    text = "\n".join(s.lines())
    assert "1 of 4 papers linked" in text
    assert "no title, abstract or body" in text and "(e.g. c)" in text


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_threshold_must_be_a_probability(bad: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        Assigner(IDS, threshold=bad)
