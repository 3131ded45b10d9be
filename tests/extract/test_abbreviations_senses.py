"""Abbreviations defined in the text, and the sense rules for ambiguous short forms."""

from __future__ import annotations

import random

from ckg_rdf.extract.concepts.abbreviations import (
    _best_long_form_by_char,
    best_long_form,
    find_abbreviations,
    short_form_uses,
)
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher
from ckg_rdf.extract.concepts.senses import gene_symbol_supported, resolve_abbreviations


def _pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for a in find_abbreviations(text):
        assert text[a.short_start : a.short_end] == a.short
        assert text[a.long_start : a.long_end] == a.long
        out.append((a.short, a.long))
    return out


def test_schwartz_hearst_pairs() -> None:
    text = (
        "Patients with Parkinson's disease (PD) received doxorubicin (DOX; 10 mg/kg) "
        "or 5-fluorouracil (5-FU). Streptozotocin (STZ)-induced diabetes; "
        "torsade de pointes (TdP)."
    )
    assert _pairs(text) == [
        ("PD", "Parkinson's disease"),
        ("DOX", "doxorubicin"),
        ("5-FU", "5-fluorouracil"),
        ("STZ", "Streptozotocin"),
        ("TdP", "torsade de pointes"),
    ]
    # text re-joined from corpus tokens spaces out hyphens
    assert _pairs("5 - fluorouracil ( 5 - FU ) was") == [("5 - FU", "5 - fluorouracil")]


def test_the_ascii_long_form_search_agrees_with_the_character_loop() -> None:
    """The fast path (one ``rfind`` a character) finds what Schwartz-Hearst's loop finds."""
    rng = random.Random(16)
    for _ in range(20000):
        short = "".join(rng.choices("abcAB1-x ", k=rng.randint(0, 6)))
        long = "".join(rng.choices("abcABx1 -y(", k=rng.randint(0, 30)))
        assert best_long_form(short, long) == _best_long_form_by_char(short, long), (short, long)


def test_not_abbreviations() -> None:
    assert _pairs("in the CHAT trial (n = 30) and (p < 0.05)") == []
    assert _pairs("a value (see below) was") == []
    assert best_long_form("PD", "the patients") is None


def test_short_form_uses_are_whole_words_same_case() -> None:
    text = "PD, PDs, pd and (PD) but not SPD"
    assert short_form_uses(text, "PD") == [(0, 2), (17, 19)]


def test_resolution_gives_uses_the_long_form_key() -> None:
    text = "doxorubicin (DOX) and DOX again, and DOX."
    spans = [(0, 11, "drug", 0.9), (22, 25, "gene", 0.7)]
    out = resolve_abbreviations(text, spans)
    assert [(text[s:e], k) for s, e, k, _ in out] == [
        ("doxorubicin", "drug"),
        ("DOX", "drug"),
        ("DOX", "drug"),
        ("DOX", "drug"),
    ]
    # a long form without a span: the dictionary's own sense of the short form is dropped
    text = "the caudate putamen (CP) and CP"
    assert resolve_abbreviations(text, [(21, 23, "palsy", 0.8), (29, 31, "palsy", 0.8)]) == []
    # ... unless the caller judged the short form in context (the learned backend)
    kept = resolve_abbreviations(text, [(29, 31, "x", 0.8)], suppress_undefined=False)
    assert kept == [(29, 31, "x", 0.8)]


def _found(matcher: VocabularyMatcher, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.concept_id) for m in matcher.extract(text)]


def test_matcher_short_forms_inherit_long_forms(matcher: VocabularyMatcher) -> None:
    text = "Cerebral palsy (CP) is common; CP affects movement."
    assert _found(matcher, text) == [
        ("Cerebral palsy", "hp-0100021"),
        ("CP", "hp-0100021"),
        ("CP", "hp-0100021"),
    ]
    text = "Parkinson's disease (PD) patients; PD progressed."
    ids = [cid for t, cid in _found(matcher, text) if t == "PD"]
    assert ids == ["ckg-parkinsons-disease", "ckg-parkinsons-disease"]


def test_matcher_sense_rules(matcher: VocabularyMatcher) -> None:
    # "CP" is cerebral palsy in HPO, but here it is defined as caudate putamen
    assert _found(matcher, "The caudate putamen (CP) was lesioned; CP neurons died.") == []
    # an undefined HPO abbreviation with no full name in the text: no link
    assert "hp-0100021" not in dict(_found(matcher, "Children with CP.")).values()
    # the CHAT trial is not the CHAT gene; CHAT expression is
    assert _found(matcher, "In the CHAT trial, mortality fell.") == []
    assert _found(matcher, "CHAT expression in neurons") == [("CHAT", "ncbigene-1103")]
    assert gene_symbol_supported("the CHAT gene", 4, 8)
    # a condition name inside a virus name is not the condition
    assert "hp-0010280" not in dict(_found(matcher, "vesicular stomatitis virus")).values()
    assert _found(matcher, "oral stomatitis") == [("stomatitis", "hp-0010280")]


def test_issue_15_vocabulary_misses(matcher: VocabularyMatcher) -> None:
    text = "Patients and women with epilepsy had high glucose, sodium and creatinine."
    assert [(m.text, m.type) for m in matcher.extract(text)] == [
        ("Patients", "ORGANISM"),
        ("women", "ORGANISM"),
        ("epilepsy", "MEDICAL_CONDITION"),
        ("glucose", "CHEMICAL"),
        ("sodium", "CHEMICAL"),
        ("creatinine", "CHEMICAL"),
    ]
    assert _found(matcher, "hypertensive rats")[0] == ("hypertensive", "hp-0000822")
    assert _found(matcher, "during pregnancy") == []
