"""Full-text search over the graph's papers, authors, institutions, concepts and topics.

A local derived file (``DATA/search.sqlite``, SQLite FTS5), like the vector
index: the build keeps it in step with the graph (``ckg_rdf.pipeline.search_stage``),
the service reads it directly (``ckg_rdf.service.search``). Nothing here reads
the store.
"""

from ckg_rdf.search.index import KINDS, Enrichment, SearchDoc, SearchIndex
from ckg_rdf.search.query import (
    FacetValue,
    Searcher,
    SearchHit,
    SearchRequest,
    SearchResult,
    SearchTimeout,
    SearchUnavailable,
)

__all__ = [
    "KINDS",
    "Enrichment",
    "FacetValue",
    "SearchDoc",
    "SearchHit",
    "SearchIndex",
    "SearchRequest",
    "SearchResult",
    "SearchTimeout",
    "SearchUnavailable",
    "Searcher",
]
