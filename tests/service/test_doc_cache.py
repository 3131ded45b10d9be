"""The document cache keeps what was rendered from the build being served, and nothing
from an earlier build; it holds at most its budget; it is off while updates are allowed."""

from __future__ import annotations

from ckg_rdf.service.doc_cache import Document, DocumentCache, etag, matches
from ckg_rdf.service.settings import ServiceSettings


def test_a_document_is_kept_for_its_build_only() -> None:
    cache = DocumentCache(1 << 20)
    doc = Document(b"<a> <b> <c> .", "text/turtle")
    cache.put("build-1", ("/paper/x", "ttl", ""), doc)
    assert cache.get("build-1", ("/paper/x", "ttl", "")) == doc
    assert cache.get("build-1", ("/paper/x", "nt", "")) is None
    assert cache.get("build-2", ("/paper/x", "ttl", "")) is None, "a new build renders anew"
    assert cache.get("build-1", ("/paper/x", "ttl", "")) is None, "and the old one is gone"


def test_the_least_recently_used_go_first_beyond_the_budget() -> None:
    cache = DocumentCache(8 * 100)
    for i in range(8):
        cache.put("b", i, Document(bytes(100), "text/html"))
    assert cache.get("b", 0) is not None  # now the most recently used
    cache.put("b", 8, Document(bytes(100), "text/html"))
    assert cache.get("b", 1) is None
    assert cache.get("b", 0) is not None and cache.get("b", 8) is not None
    cache.put("b", "huge", Document(bytes(200), "text/html"))  # over an eighth of the budget
    assert cache.get("b", "huge") is None


def test_tags_differ_by_build_and_document_and_match_weakly() -> None:
    tag = etag("b1", ("/paper/x", "ttl", ""))
    assert tag != etag("b2", ("/paper/x", "ttl", "")) != etag("b1", ("/paper/x", "nt", ""))
    assert matches(tag, tag) and matches(f'"z", W/{tag}', tag)
    assert not matches(None, tag) and not matches('"z"', tag) and not matches("*", tag)


def test_no_cache_while_the_data_can_change_in_place() -> None:
    assert ServiceSettings(allow_update=False).doc_cache_bytes() > 0
    assert ServiceSettings(allow_update=True).doc_cache_bytes() == 0
    assert ServiceSettings(doc_cache_mb=0).doc_cache_bytes() == 0
