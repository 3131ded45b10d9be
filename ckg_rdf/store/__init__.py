"""Where triples live: one interface (:mod:`~ckg_rdf.store.interface`), backends by location.

A path is an embedded Oxigraph store on disk; an ``http(s)://`` URL is the
query endpoint of any SPARQL 1.1 server. Backends are registered by name in
:data:`STORES`; nothing outside this package touches a backend's internals.
"""

from ckg_rdf.registry import Registry
from ckg_rdf.store.interface import (
    GraphReader,
    GraphWriter,
    QueryError,
    StoreError,
    StoreLockedError,
    count_rows,
    select,
)

STORES: Registry[GraphWriter] = Registry("stores", "store backend")
STORES.register(
    "oxigraph", "ckg_rdf.store.embedded:EmbeddedStore", "embedded Oxigraph on disk (a path)"
)
STORES.register(
    "sparql", "ckg_rdf.store.remote:RemoteStore", "any SPARQL 1.1 server (an http(s) query URL)"
)


def backend_for(location: str) -> str:
    """The registered backend for a location: a URL is a SPARQL server, anything else a path."""
    return "sparql" if location.startswith(("http://", "https://")) else "oxigraph"


__all__ = [
    "STORES",
    "GraphReader",
    "GraphWriter",
    "QueryError",
    "StoreError",
    "StoreLockedError",
    "backend_for",
    "count_rows",
    "select",
]
