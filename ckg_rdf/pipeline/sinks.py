"""Where the side records of steps go: the driver's local state, never the graph.

A step returns side records by name (``StepOutput.side``); the driver hands
each list to the sink of that name. Sinks own their storage in the data
directory, so steps stay pure and the driver stays the only writer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckg_rdf.datadir import DataDir
from ckg_rdf.errors import CkgError
from ckg_rdf.extract.citations import CitationIndex
from ckg_rdf.pipeline.state import BuildState


class Sinks:
    """The sinks of one build: citation keys into the build state, text vectors into the
    cache, topic texts and search documents into their files in the data directory."""

    def __init__(self, data: DataDir, state: BuildState) -> None:
        self.data = data
        self.state = state
        self._citations: CitationIndex | None = None
        self._cache: Any = None
        self._handlers: dict[str, Callable[[list[Any]], None]] = {
            "citation_keys": self._citation_keys,
            "text_vectors": self._text_vectors,
            "topic_texts": self._topic_texts,
            "search_docs": self._search_docs,
        }
        self._topic_texts_db: Any = None
        self._search: Any = None

    def take(self, side: dict[str, list[Any]]) -> None:
        for name, rows in side.items():
            handler = self._handlers.get(name)
            if handler is None:
                raise CkgError(f"a step returned side records {name!r} that no sink takes")
            if rows:
                handler(rows)

    def _citation_keys(self, rows: list[Any]) -> None:
        if self._citations is None:
            self._citations = CitationIndex(self.state.db)
        for batch in rows:  # CitationRows, one per step batch
            self._citations.add_rows(batch)

    def _text_vectors(self, rows: list[Any]) -> None:
        if self._cache is None:
            from ckg_rdf.embed.cache import VectorCache

            self._cache = VectorCache(self.data.embed_cache)
        self._cache.put_many(rows)

    def _topic_texts(self, rows: list[Any]) -> None:
        if self._topic_texts_db is None:
            from ckg_rdf.pipeline.topics_stage import TopicTexts

            self._topic_texts_db = TopicTexts(self.data.topics_dir / "texts.sqlite")
        self._topic_texts_db.put(rows)

    def _search_docs(self, rows: list[Any]) -> None:
        from ckg_rdf.pipeline.search_stage import index_paper_texts
        from ckg_rdf.search import SearchIndex

        if self._search is None:
            self._search = SearchIndex(self.data.search_file)
        index_paper_texts(self._search, rows)

    def __enter__(self) -> Sinks:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._cache is not None:
            self._cache.close()
        if self._topic_texts_db is not None:
            self._topic_texts_db.close()
        if self._search is not None:
            self._search.close()
