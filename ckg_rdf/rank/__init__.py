"""Ranking papers: PageRank over the citation graph, and citation rankings filtered by topic
and concept (``ranking``), resolved from what a user types (``resolve``, ``run``)."""

from ckg_rdf.rank.pagerank import DAMPING, pagerank

__all__ = ["DAMPING", "pagerank"]
