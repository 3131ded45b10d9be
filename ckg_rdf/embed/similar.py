"""What ``ckg similar`` and ``GET /paper/{id}/similar`` say when there is nothing to search.

(The ranking and its reasons live in :mod:`ckg_rdf.recommend`.)
"""

from __future__ import annotations

#: why there is nothing to search: the store holds no ckg:Embedding nodes
NO_EMBEDDINGS = (
    "this store has no paper embeddings, so there are no similar papers: build it with "
    "embeddings ('ckg build' without --no-embeddings, with the [embed] extra installed) "
    "or add them with 'ckg embed'"
)
