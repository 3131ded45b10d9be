"""How authors and institutions are recognised across papers (docs/identity.md)."""

from __future__ import annotations

import pytest

from ckg_rdf.corpus.records import Affiliation, AuthorRecord
from ckg_rdf.extract.identity import author_identity, institution_id
from ckg_rdf.rdf.iris import BaseIriError, IriMinter


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
    minter = IriMinter("http://example.org/kg")
    iri = minter.author("chen-yu")
    assert iri.value == "http://example.org/kg/author/chen-yu"
    assert minter.parse(iri.value) == ("author", "chen-yu")
    assert minter.parse("http://example.org/kg/other/x") is None
    assert IriMinter("http://example.org/kg").paper("a b").value.endswith("/paper/a%20b")


@pytest.mark.parametrize("bad", ["example.org", "http://exa mple.org/", "ftp://x/"])
def test_bad_base_iris_are_refused(bad: str) -> None:
    with pytest.raises(BaseIriError):
        IriMinter(bad)
