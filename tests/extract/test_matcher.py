"""The vocabulary matcher on hand-written sentences: boundaries, case, synonyms, negation."""

from __future__ import annotations

import random
import string

from ckg_rdf.extract.concepts.matcher import VocabularyMatcher
from ckg_rdf.extract.concepts.negation import is_negated
from ckg_rdf.extract.concepts.normalise import normalise_text, plural_forms


def _ids(matcher: VocabularyMatcher, text: str) -> list[str]:
    return [m.concept_id for m in matcher.extract(text)]


def test_normalised_text_keeps_offsets() -> None:
    for text in ["SARS-CoV-2 (COVID-19)", "TNF-α’s role", "İstanbul ﬁbrosis", ""]:
        assert len(normalise_text(text)) == len(text)


def _random_texts(alphabet: str, n: int = 3000) -> list[str]:
    rng = random.Random(15)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(n)]


def test_normalised_text_is_the_lower_case_letters_and_digits_with_spaces_elsewhere() -> None:
    ascii_only = string.ascii_letters + string.digits + string.punctuation + " \t\n"
    mixed = ascii_only + "αΣςé–’°µ²İﬁ_×"
    for text in _random_texts(ascii_only) + _random_texts(mixed):
        low = text.lower()
        if len(low) == len(text):
            expected = "".join(c if c.isalnum() else " " for c in low)
        else:  # a character whose lower case is longer ("İ") stays as it is
            expected = "".join(
                (c.lower() if len(c.lower()) == 1 else c) if c.isalnum() else " " for c in text
            )
        assert normalise_text(text) == expected, text


def test_plurals() -> None:
    assert plural_forms("virus") == ["viruses"]
    assert plural_forms("artery") == ["arteries"]
    assert plural_forms("metastasis") == ["metastases"]
    assert plural_forms("lung") == ["lungs"]


def test_offsets_and_types(matcher: VocabularyMatcher) -> None:
    text = "Remdesivir was given to patients with ARDS and fever."
    mentions = matcher.extract(text)
    assert [(m.text, m.type) for m in mentions] == [
        ("Remdesivir", "MEDICATION"),
        ("patients", "ORGANISM"),  # people are Homo sapiens since 2026.3 (issue 15)
        ("ARDS", "MEDICAL_CONDITION"),
        ("fever", "MEDICAL_CONDITION"),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert 0 < m.score <= 1


def test_whole_words_only(matcher: VocabularyMatcher) -> None:
    # "lung" inside "lunge", "ace" inside "surface": no match
    assert _ids(matcher, "The lunge hit the surface.") == []


def test_synonyms_map_to_one_preferred_concept(matcher: VocabularyMatcher) -> None:
    forms = ["SARS-CoV-2", "2019-nCoV", "severe acute respiratory syndrome coronavirus 2"]
    ids = {cid for f in forms for cid in _ids(matcher, f"We studied {f} in cells.")}
    assert ids == {"ckg-sars-cov-2"}
    assert _ids(matcher, "acute respiratory distress syndrome") == _ids(matcher, "ARDS")


def test_longest_match_wins(matcher: VocabularyMatcher) -> None:
    mentions = matcher.extract("acute respiratory distress syndrome")
    assert len(mentions) == 1 and mentions[0].end == len("acute respiratory distress syndrome")


def test_case_sensitive_abbreviations_and_stoplist(matcher: VocabularyMatcher) -> None:
    assert _ids(matcher, "ACE2 binds the spike protein")[0] == "ckg-ace2"
    assert _ids(matcher, "the ards value") == []  # lower-case word is not the abbreviation
    # stop-list; only the patients (Homo sapiens, since 2026.3) are found
    assert _ids(matcher, "A CAT scan of MS patients and the ACE gene") == ["ckg-human"]
    # an all-caps title says nothing about case: no gene symbols there
    assert "ncbigene-920" not in _ids(matcher, "CD4 COUNTS IN HIV")
    assert "ncbigene-920" in _ids(matcher, "CD4 counts in HIV")


def test_plural_and_case_normalisation(matcher: VocabularyMatcher) -> None:
    assert _ids(matcher, "Both Lungs") == _ids(matcher, "the lung")
    assert _ids(matcher, "Coronaviruses") == ["ckg-coronavirus"]


def test_negation_flags_conditions_only(matcher: VocabularyMatcher) -> None:
    text = "She had fever but no cough, and was treated without remdesivir."
    flags = {m.text: m.negated for m in matcher.extract(text)}
    assert flags == {"fever": False, "cough": True, "remdesivir": False}
    t = "Pneumonia was ruled out."
    assert is_negated(t, 0, len("Pneumonia"))
    t = "not only pneumonia"
    assert not is_negated(t, t.index("pneumonia"), len(t))


def test_batch_equals_single(matcher: VocabularyMatcher) -> None:
    texts = ["COVID-19 and ARDS", "", "influenza A virus H1N1"]
    assert matcher.extract_batch(texts) == [matcher.extract(t) for t in texts]


def test_curated_2026_2_additions(matcher: VocabularyMatcher) -> None:
    # infectious diseases HPO lacks, and their pathogens (longest match decides)
    text = "Smallpox (variola major) and rabies; the rabies virus; Bacillus anthracis."
    assert [(m.text, m.type) for m in matcher.extract(text)] == [
        ("Smallpox", "MEDICAL_CONDITION"),
        ("variola major", "MEDICAL_CONDITION"),
        ("rabies", "MEDICAL_CONDITION"),
        ("rabies virus", "ORGANISM"),
        ("Bacillus anthracis", "ORGANISM"),
    ]
    # foot-and-mouth disease is not hand-foot-and-mouth disease (known gap: with a
    # comma, "hand, foot and mouth disease", the keys' single spaces do not match)
    assert _ids(matcher, "foot and mouth disease") == ["ckg-foot-and-mouth-disease"]
    assert _ids(matcher, "hand-foot-and-mouth disease") == ["ckg-hand-foot-and-mouth-disease"]
    # the drug dictionary's allergen extracts do not type an organism as a medication
    assert [m.type for m in matcher.extract("Candida albicans")] == ["ORGANISM"]
    # nucleic acids are GENE_OR_PROTEIN and their short forms are case-sensitive
    assert [(m.concept_id, m.type) for m in matcher.extract("mRNA and tRNA")] == [
        ("ckg-mrna", "GENE_OR_PROTEIN"),
        ("ckg-trna", "GENE_OR_PROTEIN"),
    ]
    assert _ids(matcher, "the rna was") == []
    # an infertility synonym merges into the bundled HPO concept
    assert _ids(matcher, "people with fertility problems") == ["ckg-human", "hp-0000789"]
