"""Where triples live: an embedded Oxigraph store behind a small interface."""

from ckg_rdf.store.base import GraphStore, StoreError
from ckg_rdf.store.oxigraph_store import OxigraphStore, open_store

__all__ = ["GraphStore", "OxigraphStore", "StoreError", "open_store"]
