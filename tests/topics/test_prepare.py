"""Text preparation: library tokens and lemmas, stop words, learned phrases, persistence."""

from __future__ import annotations

from pathlib import Path

from ckg_rdf.topics.prepare import (
    ChunkStore,
    PrepSettings,
    TextPreparer,
    default_stopwords,
    tokenize_chunks,
)

STOP = default_stopwords()


def test_hyphenated_names_stay_one_token_with_underscores() -> None:
    prep = TextPreparer.without_phrases()
    tokens = prep.prepare("SARS-CoV-2 causes COVID-19; RT-PCR detects it.")
    assert tokens[:2] == ["sars_cov_2", "cause"]
    assert "covid_19" in tokens and "rt_pcr" in tokens


def test_lemmas_not_stems() -> None:
    tokens = TextPreparer.without_phrases().prepare("Viruses and infections; antibodies in mice.")
    assert tokens == ["virus", "infection", "antibody", "mouse"]


def test_stop_words_from_gensim_and_the_domain_list() -> None:
    tokens = TextPreparer.without_phrases().prepare(
        "The results of this study show that the preprint is available (et al., Fig. 2)."
    )
    # "the", "of", "that" are gensim's; result, study, show, preprint, available, et, al,
    # fig come from ckg_rdf/topics/data/stopwords.txt
    assert tokens == []


def test_boilerplate_compounds_of_stop_words_are_dropped() -> None:
    tokens = TextPreparer.without_phrases().prepare("CC-BY-NC-ND 4.0 licence, 95-CI of cough")
    assert tokens == ["cough"]


def test_chunks_cut_at_punctuation_and_numbers() -> None:
    chunks = tokenize_chunks("Fever, cough in 42 patients. Incubation period", STOP)
    assert chunks == [["fever"], ["cough", "in"], ["patient"], ["incubation", "period"]]


def _learned(texts: list[str]) -> TextPreparer:
    store = ChunkStore()
    base = TextPreparer.without_phrases(STOP)
    for text in texts:
        store.add(base.chunks(text))
    return TextPreparer.learn(
        store.sentences, STOP, PrepSettings(phrase_min_count=2, phrase_threshold=1.0)
    )


PHRASE_CORPUS = [
    "Public health measures slowed the incubation period estimates.",
    "The public health response and the incubation period.",
    "A public health emergency; incubation period of five days.",
    "Rate of infection and public health capacity.",
    "Viral load, fever and cough were recorded.",
] * 3


def test_phrases_are_learned_from_the_corpus() -> None:
    prep = _learned(PHRASE_CORPUS)
    tokens = prep.prepare("The public health impact of a long incubation period.")
    assert "public_health" in tokens and "incubation_period" in tokens
    # stop words are connectors: a phrase never starts or ends with one
    assert not any(t.startswith("the_") or t.endswith("_the") for t in tokens)


def test_preparation_is_deterministic_and_survives_save_and_load(tmp_path: Path) -> None:
    prep = _learned(PHRASE_CORPUS)
    text = "Public health and the incubation period of SARS-CoV-2 in patients with fever."
    again = _learned(PHRASE_CORPUS)
    assert prep.prepare(text) == again.prepare(text)
    prep.save(tmp_path / "prep")
    loaded = TextPreparer.load(tmp_path / "prep")
    assert loaded.prepare(text) == prep.prepare(text)
    assert loaded.stopwords == prep.stopwords


def test_seed_terms_are_normalised_like_the_corpus() -> None:
    prep = TextPreparer.without_phrases()
    assert prep.term("Viruses") == "virus"
    assert prep.term("SARS-CoV-2") == "sars_cov_2"
    assert prep.term("public health") == "public_health"
    assert prep.term("rate of infection") == "rate_of_infection"
    # underscores in a seed are word boundaries: each word is lemmatised like the corpus's
    assert prep.term("neutralizing_antibody") == "neutralize_antibody"
    assert prep.term("sars_cov_2") == "sars_cov_2" and prep.term("IL-6") == "il_6"
    assert prep.term("t_cell") == "t_cell"


def test_chunk_store_round_trips_and_releases() -> None:
    store = ChunkStore()
    i = store.add([["a", "b"], ["c"]])
    store.add([["b"]])
    assert store.doc(i) == [["a", "b"], ["c"]]
    assert list(store.sentences()) == [["a", "b"], ["c"], ["b"]]
    store.release(i)
    assert list(store.sentences()) == [["b"]]
