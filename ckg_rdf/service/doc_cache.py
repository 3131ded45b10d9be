"""Documents already rendered from the snapshot being served, answered again for free.

A read-only server's dereferenced documents and entity pages are pure functions of
the request (path, format, paging parameters) and of the build being served: the
same paper's Turtle is the same bytes until the next build is swapped in. So the
service keeps what it rendered, keyed by the build id and the request, in a
byte-bounded LRU (``doc_cache_mb``), and clients get an ``ETag`` naming the
build and the document, so a client that already has it gets ``304 Not
Modified`` with no body at all.

Never used while the server accepts SPARQL Update (the data could change under a
cached document without a new build id), and only complete documents are kept
(a page rendered while a part of it was unavailable is not).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One rendered answer: its body and media type."""

    body: bytes
    media_type: str


def etag(build_id: str | None, key: Hashable) -> str:
    """A strong validator for ``key``'s document in build ``build_id``."""
    digest = hashlib.blake2b(repr((build_id, key)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison, RFC 9110 13.1.2).

    ``*`` is not honoured: it asks whether the resource exists, which a GET answers."""
    if not if_none_match:
        return False
    return any(c.strip().removeprefix("W/") == tag for c in if_none_match.split(","))


class DocumentCache:
    """Rendered documents of one build, least recently used dropped beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._build: str | None = None
        self._docs: OrderedDict[Hashable, Document] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    def _same_build(self, build_id: str | None) -> None:
        if build_id != self._build:  # a new snapshot: nothing rendered before holds
            self._docs.clear()
            self._bytes = 0
            self._build = build_id

    def get(self, build_id: str | None, key: Hashable) -> Document | None:
        if self.max_bytes <= 0:
            return None
        self._same_build(build_id)
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            self.hits += 1
        return doc

    def put(self, build_id: str | None, key: Hashable, doc: Document) -> None:
        size = len(doc.body)
        if self.max_bytes <= 0 or size > self.max_bytes // 8:
            return  # one document may not push out most of the others
        self._same_build(build_id)
        old = self._docs.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._docs[key] = doc
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._docs.popitem(last=False)
            self._bytes -= len(dropped.body)
