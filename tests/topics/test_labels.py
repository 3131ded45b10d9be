"""The automatic label rule, and the labels file that overrides it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.topics.labels import LabelError, choose_labels, load_labels, unknown_label_ids


def test_label_is_the_top_term_most_shared_by_the_topics_papers() -> None:
    labels = choose_labels(
        candidates=[["virus", "vaccine", "horse"], ["patient", "virus"]],
        topic_counts=[{"virus": 30, "vaccine": 24, "horse": 3}, {"patient": 100, "virus": 120}],
        topic_sizes=[40, 160],
        corpus_counts={"virus": 150, "vaccine": 30, "horse": 3, "patient": 110},
        corpus_size=200,
    )
    # topic 0: "virus" is in 75% of its papers and 75% of all papers (lift 1: not
    # characteristic); "horse" is concentrated (lift 5) but in 3 papers: 3 * log 5 = 4.8
    # loses to "vaccine", in 24 of the topic's 40 papers: 24 * log 4 = 33.3
    assert labels == ["vaccine", "patient"]


def test_labels_are_unique_and_the_stronger_topic_keeps_a_contested_term() -> None:
    labels = choose_labels(
        candidates=[["mask", "school"], ["mask", "policy"]],
        topic_counts=[{"mask": 10, "school": 9}, {"mask": 30, "policy": 5}],
        topic_sizes=[100, 100],
        corpus_counts={"mask": 40, "school": 10, "policy": 20},
        corpus_size=1000,
    )
    # topic 0's best is school (lift 9.0), topic 1's is mask (7.5): no conflict
    assert labels == ["school", "mask"]
    contested = choose_labels(
        candidates=[["mask"], ["mask", "policy"]],
        topic_counts=[{"mask": 10}, {"mask": 30, "policy": 5}],
        topic_sizes=[100, 100],
        corpus_counts={"mask": 40, "policy": 20},
        corpus_size=1000,
    )
    # topic 1 has the higher lift for "mask" (7.5 vs 2.5) and is served first; topic 0 has
    # no other term, so it gets a numbered name rather than a duplicate label
    assert contested == ["topic-1", "mask"]


def test_rare_terms_and_empty_topics_fall_back_to_the_top_term() -> None:
    labels = choose_labels(
        candidates=[["virus", "oddity"], ["cell"]],
        topic_counts=[{"virus": 50, "oddity": 2}, {}],
        topic_sizes=[100, 0],
        corpus_counts={"virus": 100, "oddity": 2, "cell": 10},
        corpus_size=300,
    )
    # "oddity" has a huge lift from 2 occurrences: below min_count, not a candidate
    assert labels == ["virus", "cell"]


def test_labels_file_flat_or_in_a_table(tmp_path: Path) -> None:
    flat = tmp_path / "labels.toml"
    flat.write_text('virology = "Virus biology"\nclinical-treatment = "Care"\n')
    assert load_labels(flat) == {"virology": "Virus biology", "clinical-treatment": "Care"}
    table = tmp_path / "config.toml"
    table.write_text('[labels]\nvirology = "Virus biology"\n')
    assert load_labels(table) == {"virology": "Virus biology"}
    assert unknown_label_ids({"virology": "x", "virolgy": "y"}, ["virology"]) == ["virolgy"]


@pytest.mark.parametrize("text", ['virology = ""', "virology = 3", "virology = "])
def test_bad_labels_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "labels.toml"
    path.write_text(text)
    with pytest.raises(LabelError, match="labels.toml"):
        load_labels(path)
