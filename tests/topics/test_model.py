"""A seeded fit on the bundled sample: seeds land, ids are stable, save/load/infer work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.topics import (
    Assigner,
    TopicModel,
    TopicModelError,
    TopicSettings,
    fit,
    load_seeds,
    prepare_corpus,
    train,
)
from ckg_rdf.topics.model import model_digest
from ckg_rdf.topics.records import NO_TEXT, TOO_FEW_TOKENS, paper_text

NEW_PAPER = (
    "new-1",
    "Vaccine candidates and adjuvants: immunogenicity and efficacy of a two-dose vaccination "
    "schedule; neutralizing antibodies after immunization of mice with the spike vaccine.",
)


def test_every_topic_has_a_label_and_weighted_top_terms(fitted: TopicModel) -> None:
    assert fitted.topic_ids == list(load_seeds().ids)
    for topic in fitted.topics:
        assert topic.label and topic.label == topic.auto_label
        assert len(topic.top_terms) == 10
        weights = [t.weight for t in topic.top_terms]
        assert weights == sorted(weights, reverse=True) and 0 < weights[0] < 1
        # the label is one of the topic's own top terms
        assert topic.label in [t.term for t in topic.top_terms]
    assert len({t.label for t in fitted.topics}) == fitted.k


def test_seed_words_land_in_their_topics(fitted: TopicModel) -> None:
    vocab = {w: i for i, w in enumerate(fitted.lda.used_vocabs)}
    phi = np.array([fitted.lda.get_topic_word_dist(t) for t in range(fitted.k)])
    hits = total = showing = 0
    for topic in fitted.topics:
        own = 0
        for term in topic.seed_terms:
            total += 1
            if int(np.argmax(phi[:, vocab[term]])) == topic.index:
                hits += 1
                own += 1
        assert own >= 1, f"no seed of {topic.id} has its highest weight there"
        showing += bool(set(topic.seed_terms) & {t.term for t in topic.top_terms})
    assert hits / total >= 0.7, (hits, total)
    # and most topics show one of their seeds among their top 10 terms
    assert showing >= 8, showing


def test_summary_says_which_papers_have_no_topic_and_why(
    fitted: TopicModel, sample_papers: list[PaperRecord]
) -> None:
    docs = list(fitted.training_topics())
    assert [d.paper_id for d in docs] == [p.paper_id for p in sample_papers]
    assigner = Assigner(fitted.topic_ids)
    links = list(assigner.links(docs))
    summary = assigner.summary
    # with 10 topics and the default threshold, every modelled paper has a topic
    assert summary.papers_with_topic == len(fitted.modelled_ids)
    assert set(summary.without_topic) <= {NO_TEXT, TOO_FEW_TOKENS}
    short = [p for p in sample_papers if fitted.reasons.get(p.paper_id) == TOO_FEW_TOKENS]
    assert short and all(
        len(fitted.preparer.prepare(paper_text(p))) < fitted.settings.min_tokens for p in short
    )
    assert sum(not p.abstract and not p.body for p in short) >= len(short) // 2  # mostly titles
    assert summary.papers_with_topic + sum(summary.without_topic.values()) == len(sample_papers)
    assert {link.topic_id for link in links} == set(fitted.topic_ids)


def test_two_fits_of_the_same_input_give_the_same_topics(
    fitted: TopicModel, sample_papers: list[PaperRecord], test_settings: TopicSettings
) -> None:
    corpus = prepare_corpus(iter(sample_papers), min_tokens=test_settings.min_tokens)
    # the digest is known before training: a stage can skip retraining an unchanged corpus
    assert model_digest(corpus.digest, load_seeds(), test_settings) == fitted.digest
    again = train(corpus, load_seeds(), test_settings)
    assert again.digest == fitted.digest
    assert again.topics == fitted.topics
    assert np.array_equal(again.doc_topics, fitted.doc_topics)
    assert again.info == fitted.info


def test_extra_topics_get_ids_from_their_terms_stable_for_the_same_input(
    sample_papers: list[PaperRecord],
) -> None:
    corpus = prepare_corpus(p for p in sample_papers[:200])
    settings = TopicSettings(iterations=30, extra_topics=2)
    one = train(corpus, load_seeds(), settings)
    two = train(corpus, load_seeds(), settings)
    extras = [t for t in one.topics if not t.seeded]
    assert len(extras) == 2 and one.k == 12
    assert all(t.id.startswith("extra-") for t in extras)
    assert [t.id for t in extras] == [f"extra-{t.auto_label.replace('_', '-')}" for t in extras]
    assert one.topic_ids == two.topic_ids


def test_save_load_and_infer_a_new_paper_without_retraining(
    fitted: TopicModel, tmp_path: Path
) -> None:
    before = list(fitted.infer([NEW_PAPER]))
    fitted.save(tmp_path / "topics")
    loaded = TopicModel.load(tmp_path / "topics")
    after = list(loaded.infer([NEW_PAPER, ("empty", "  "), ("short", "Vaccine trial.")]))
    dist = after[0].distribution
    assert len(dist) == fitted.k and sum(dist) == pytest.approx(1.0, abs=1e-4)
    assert dist == before[0].distribution  # same preparation, same inference
    assert loaded.topic_ids[int(np.argmax(dist))] == "vaccines"
    assert [d.reason for d in after[1:]] == [NO_TEXT, TOO_FEW_TOKENS]
    # the loaded model carries the topics and training distributions too
    assert loaded.topics == fitted.topics and loaded.digest == fitted.digest
    assert list(loaded.training_topics()) == list(fitted.training_topics())
    # saving over an existing model replaces it whole
    loaded.save(tmp_path / "topics")
    assert TopicModel.load(tmp_path / "topics").topics == fitted.topics


def test_inference_does_not_depend_on_batching(fitted: TopicModel) -> None:
    texts = [(f"p{i}", NEW_PAPER[1] + " cough fever patient" * i) for i in range(4)]
    one_by_one = [next(iter(fitted.infer([t]))) for t in texts]
    batched = list(fitted.infer(texts, batch=3))
    assert one_by_one == batched


def test_labels_file_overrides_and_removing_a_line_restores(fitted: TopicModel) -> None:
    try:
        unknown = fitted.apply_labels({"virology": "Virus biology", "nope": "x"})
        assert unknown == ["nope"]
        assert fitted.topic("virology").label == "Virus biology"
        assert fitted.topic("virology").auto_label != "Virus biology"
        fitted.apply_labels({})
        assert fitted.topic("virology").label == fitted.topic("virology").auto_label
    finally:
        fitted.apply_labels({})


def test_load_refuses_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(TopicModelError, match="not a saved topic model"):
        TopicModel.load(tmp_path)


def test_nothing_to_model_is_a_clear_error() -> None:
    with pytest.raises(TopicModelError, match="nothing to model"):
        fit([("a", "Short title"), ("b", "")], settings=TopicSettings(iterations=1))
