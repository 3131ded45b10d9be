"""How authors and institutions are recognised across papers (docs/identity.md)."""

from __future__ import annotations

import pytest

from ckg_rdf.corpus.records import Affiliation, AuthorRecord
from ckg_rdf.extract.identity import author_identity, institution_id
from ckg_rdf.rdf.iris import BaseIriError, IriScheme, ParsedIri


def key(last: str, first: str = "", *middle: str) -> str | None:
    ident = author_identity(AuthorRecord(first=first, last=last, middle=middle))
    return None if ident is None else ident.author_id


def test_accents_case_and_punctuation_do_not_split_an_author() -> None:
    assert key("Müller", "Hans-Peter", "J") == key("MULLER", "Hans Peter", "J.")


def test_an_initial_is_not_the_same_as_a_full_given_name() -> None:
    assert key("Chen", "Y") != key("Chen", "Yu")


def test_middle_initials_distinguish_authors() -> None:
    assert key("Smith", "John", "A") != key("Smith", "John", "B")
    assert key("Smith", "John", "Allen") == key("Smith", "John", "A")


def test_entries_without_a_family_name_are_skipped() -> None:
    assert key("", "Ann") is None
    assert key("•", "Ann") is None


def test_parse_debris_is_dropped_from_names() -> None:
    ident = author_identity(AuthorRecord(first=";", last="Caramelo", middle=("F",)))
    assert ident is not None
    assert ident.display_name == "F Caramelo"
    assert ident.author_id == "caramelo-f"


def test_institutions_merge_by_normalised_name_only() -> None:
    a = Affiliation("Macquarie University")
    b = Affiliation("MACQUARIE  UNIVERSITY,")
    assert institution_id(a) == institution_id(b) == "macquarie-university"
    assert institution_id(Affiliation("Univ. of Hong Kong")) != institution_id(
        Affiliation("University of Hong Kong")
    )
    assert institution_id(Affiliation("1234")) is None


def test_very_long_names_give_bounded_unique_ids() -> None:
    long_a = institution_id(Affiliation("Department of " + "Medicine " * 30 + "A"))
    long_b = institution_id(Affiliation("Department of " + "Medicine " * 30 + "B"))
    assert long_a and long_b and long_a != long_b and len(long_a) <= 100


def test_minted_iris_are_stable_and_parse_back() -> None:
    iris = IriScheme("http://example.org/kg")
    iri = iris.author("chen-yu")
    assert iri.value == "http://example.org/kg/author/chen-yu"
    assert iris.parse(iri.value) == ParsedIri("author", "chen-yu")
    assert iris.parse("http://example.org/kg/other/x") is None
    assert iris.parse("http://elsewhere.org/kg/author/x") is None
    assert IriScheme("http://example.org/kg").paper("a b").value.endswith("/paper/a%20b")


def test_every_kind_of_minted_iri_parses_back_to_its_parts() -> None:
    iris = IriScheme("http://example.org/kg/")
    cases = {
        iris.paper("a/b c"): ParsedIri("paper", "a/b c"),
        iris.concept("ckg-covid-19"): ParsedIri("concept", "ckg-covid-19"),
        iris.topic("virology"): ParsedIri("topic", "virology"),
        iris.graph("papers"): ParsedIri("graph", "papers"),
        iris.model("transe"): ParsedIri("model", "transe"),
        iris.authorship("p1", 3): ParsedIri("paper", "p1", ("author", "3")),
        iris.annotation("p1", "ckg-fever"): ParsedIri("paper", "p1", ("concept", "ckg-fever")),
        iris.topic_assignment("p1", "virology"): ParsedIri("paper", "p1", ("topic", "virology")),
        iris.embedding("p1", "transe"): ParsedIri("paper", "p1", embedding="transe"),
    }
    for iri, parsed in cases.items():
        assert iris.parse(iri) == parsed, iri
    assert iris.local_id(iris.paper("p1"), "paper") == "p1"
    assert iris.local_id(iris.annotation("p1", "x"), "paper") is None
    assert iris.resource_id("http://example.org/kg/paper/p1", "paper") == "p1"
    assert iris.resource_id("p1", "paper") == "p1"


@pytest.mark.parametrize("bad", ["example.org", "http://exa mple.org/", "ftp://x/"])
def test_bad_base_iris_are_refused(bad: str) -> None:
    with pytest.raises(BaseIriError):
        IriScheme(bad)
