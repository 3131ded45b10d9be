"""Similar-paper recommendations with reasons (issue 16).

``lexical`` (BM25 over title + abstract), ``graph`` (citation neighbours,
concepts and topics read through the store), ``fusion`` (features and their
weighted sum, weights chosen on the evaluation), ``reasons`` (why each paper is
recommended), ``recommender`` (the modes, the default ``hybrid`` first) and
``evaluation`` (P@10, nDCG@10, recall@100, bootstrap intervals).

Heavy libraries (bm25s, faiss) are imported lazily, like ``ckg_rdf.embed``.
"""

from ckg_rdf.recommend.recommender import DEFAULT_MODE, MODES

__all__ = ["DEFAULT_MODE", "MODES"]
