"""Similar papers: text and knowledge-graph embeddings, stored as RDF, served from a vector index.

Flow: ``text`` / ``kge`` make vectors -> ``vectors`` writes them into the store as
``ckg:Embedding`` nodes -> ``index`` reads them back, combines them (``combine``)
and builds a faiss HNSW index next to the store -> ``similar()`` answers queries.
Heavy libraries (torch, transformers, faiss, pykeen) are imported lazily so that
the rest of ckg_rdf works without the ``[embed]`` extra.
"""
