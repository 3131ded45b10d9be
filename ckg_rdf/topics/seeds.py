"""The seed file: which topics the model is pulled toward, and by which words.

Seeds are data users edit (``ckg_rdf/topics/data/seeds.toml`` is the
default), so a mistake in the file is reported with the file, the topic and
the key at fault instead of surfacing later as a strange model. The ``id`` of
a seeded topic is what its IRI is minted from: topic IRIs come from the seed
set, never from the topic numbers a fit happens to produce.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

#: what a topic id may look like: it becomes the last segment of an IRI
ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
#: ids of unseeded topics start with this; seeded ids may not
EXTRA_PREFIX = "extra-"

_TOPIC_KEYS = {"id", "label", "seeds"}
_TOP_KEYS = {"topic"}


class SeedError(ValueError):
    """The seed file is not usable; the message says where and why."""


@dataclass(frozen=True, slots=True)
class SeedTopic:
    """One seeded topic: a stable id, a label hint for people, and its seed words."""

    id: str
    label: str
    seeds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SeedSet:
    """The seeded topics in file order, and where they were read from."""

    topics: tuple[SeedTopic, ...]
    source: str = "<memory>"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def digest(self) -> str:
        """A digest of the content (not the path): part of the model's identity."""
        data = [[t.id, t.label, list(t.seeds)] for t in self.topics]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def to_toml(self) -> str:
        """The seed set as a seed file (saved with the model, so the model is self-contained)."""
        out = []
        for t in self.topics:
            words = ", ".join(json.dumps(s, ensure_ascii=False) for s in t.seeds)
            out.append(
                f"[[topic]]\nid = {json.dumps(t.id)}\n"
                f"label = {json.dumps(t.label, ensure_ascii=False)}\nseeds = [{words}]\n"
            )
        return "\n".join(out)


def default_seeds_path() -> Path:
    """The packaged seed file."""
    return Path(str(files("ckg_rdf.topics").joinpath("data/seeds.toml")))


def load_seeds(path: Path | None = None) -> SeedSet:
    """Read and validate a seed file (the packaged default when ``path`` is None)."""
    path = default_seeds_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from exc
    return parse_seeds(text, source=str(path))


def parse_seeds(text: str, source: str = "<string>") -> SeedSet:
    """Validate seed-file text: unknown keys, empty lists, bad or duplicate ids and words."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{source}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise SeedError(
            f"{source}: unknown top-level key(s) {', '.join(unknown)}; "
            "the file holds only [[topic]] tables"
        )
    tables = data.get("topic", [])
    if not isinstance(tables, list) or not tables:
        raise SeedError(f"{source}: no [[topic]] table: give at least one seeded topic")
    topics: list[SeedTopic] = []
    seen_ids: dict[str, int] = {}
    seen_words: dict[str, str] = {}
    for n, table in enumerate(tables, start=1):
        where = f"{source}: topic #{n}"
        if not isinstance(table, dict):
            raise SeedError(f"{where}: must be a table ([[topic]])")
        unknown = sorted(set(table) - _TOPIC_KEYS)
        if unknown:
            raise SeedError(
                f"{where}: unknown key(s) {', '.join(unknown)}; allowed: id, label, seeds"
            )
        topic_id = table.get("id")
        if not isinstance(topic_id, str) or not topic_id:
            raise SeedError(f"{where}: 'id' is missing or not a string")
        where = f"{source}: topic {topic_id!r}"
        if not ID_PATTERN.match(topic_id):
            raise SeedError(
                f"{where}: id must be lower-case letters, digits and '-', starting with a "
                "letter, at most 40 characters (it becomes part of the topic's IRI)"
            )
        if topic_id.startswith(EXTRA_PREFIX):
            raise SeedError(f"{where}: ids starting with {EXTRA_PREFIX!r} name unseeded topics")
        if topic_id in seen_ids:
            raise SeedError(f"{where}: duplicate id (also topic #{seen_ids[topic_id]})")
        seen_ids[topic_id] = n
        label = table.get("label", topic_id)
        if not isinstance(label, str) or not label.strip():
            raise SeedError(f"{where}: 'label' must be a non-empty string")
        seeds = table.get("seeds")
        if not isinstance(seeds, list):
            raise SeedError(f"{where}: 'seeds' is missing or not a list of words")
        if not seeds:
            raise SeedError(f"{where}: 'seeds' is empty: give at least one seed word")
        words: list[str] = []
        for word in seeds:
            if not isinstance(word, str) or not word.strip():
                raise SeedError(f"{where}: seed {word!r} is not a non-empty string")
            key = " ".join(word.lower().split())
            if key in seen_words:
                other = seen_words[key]
                raise SeedError(
                    f"{where}: seed {word!r} is already a seed of topic {other!r}; "
                    "a word may seed one topic only"
                )
            seen_words[key] = topic_id
            words.append(word.strip())
        topics.append(SeedTopic(topic_id, label.strip(), tuple(words)))
    return SeedSet(tuple(topics), source)
