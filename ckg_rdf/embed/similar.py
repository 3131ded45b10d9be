"""What ``ckg similar`` and ``GET /paper/{id}/similar`` share besides the index itself.

The CLI runs these against an open store; the service runs the same SPARQL in
a query worker (its store access always goes through the worker pool).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ckg_rdf.vocab import CKG

#: why there is nothing to search: the store holds no ckg:Embedding nodes
NO_EMBEDDINGS = (
    "this store has no paper embeddings, so there are no similar papers: build it with "
    "embeddings ('ckg build' without --no-embeddings, with the [embed] extra installed) "
    "or add them with 'ckg embed'"
)


def titles_query(iris: Iterable[str]) -> str | None:
    """A SELECT ?p ?t of the ``ckg:title`` of these papers (None when there are none)."""
    values = " ".join(f"<{i}>" for i in iris)
    if not values:
        return None
    return f"SELECT ?p ?t WHERE {{ VALUES ?p {{ {values} }} ?p <{CKG.title.value}> ?t }}"


def paper_titles(store: Any, iris: list[str]) -> dict[str, str]:
    """IRI -> title of these papers (papers without a title are left out)."""
    query = titles_query(iris)
    if query is None:
        return {}
    return {s["p"].value: s["t"].value for s in store.query(query)}
