"""The seed file: the packaged default, and clear errors for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.topics.model import seed_terms
from ckg_rdf.topics.prepare import TextPreparer
from ckg_rdf.topics.seeds import SeedError, load_seeds, parse_seeds


def test_default_seed_file_has_ten_topics_with_stable_ids() -> None:
    seeds = load_seeds()
    assert len(seeds.topics) == 10
    assert seeds.ids[:3] == ("virology", "epidemiology", "genomics")
    assert all(t.seeds and t.label for t in seeds.topics)
    assert len(set(seeds.ids)) == 10
    # the file is prepared without collisions (a word seeds one topic only)
    seed_terms(seeds, TextPreparer.without_phrases())


def test_to_toml_round_trips() -> None:
    seeds = load_seeds()
    again = parse_seeds(seeds.to_toml())
    assert again.topics == seeds.topics
    assert again.digest() == seeds.digest()


GOOD = '[[topic]]\nid = "virology"\nlabel = "Virology"\nseeds = ["virus"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("this is = not toml [", "not valid TOML"),
        ('colour = "blue"\n' + GOOD, "unknown top-level key(s) colour"),
        ("", "no [[topic]] table"),
        (GOOD.replace('label = "Virology"', 'lable = "Virology"'), "unknown key(s) lable"),
        (GOOD.replace('["virus"]', "[]"), "'seeds' is empty"),
        (GOOD.replace('seeds = ["virus"]', 'seeds = "virus"'), "not a list"),
        (GOOD.replace('id = "virology"\n', ""), "'id' is missing"),
        (GOOD.replace('"virology"', '"Virology Topic"'), "lower-case letters"),
        (GOOD.replace('"virology"', '"extra-x"'), "unseeded topics"),
        (GOOD + GOOD.replace('["virus"]', '["cell"]'), "duplicate id"),
        (GOOD + GOOD.replace('"virology"', '"vir2"'), "already a seed of topic 'virology'"),
        (GOOD.replace('["virus"]', '["virus", ""]'), "not a non-empty string"),
    ],
)
def test_seed_file_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(SeedError) as err:
        parse_seeds(text, source="seeds.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("seeds.toml")


def test_missing_file_is_a_seed_error(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seeds(tmp_path / "nope.toml")


def test_seeds_that_prepare_to_the_same_term_in_two_topics_are_refused() -> None:
    seeds = parse_seeds(GOOD + GOOD.replace('"virology"', '"other"').replace("virus", "Viruses"))
    with pytest.raises(SeedError, match="'viruses' is the term 'virus'|'Viruses' is the term"):
        seed_terms(seeds, TextPreparer.without_phrases())
