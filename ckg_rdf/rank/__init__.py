"""Ranking papers by the citation graph (PageRank)."""

from ckg_rdf.rank.pagerank import DAMPING, pagerank

__all__ = ["DAMPING", "pagerank"]
