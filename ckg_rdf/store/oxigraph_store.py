"""The embedded Oxigraph store (pyoxigraph), on disk by default."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    Triple,
)

from ckg_rdf.store.base import StoreError
from ckg_rdf.vocab import PREFIXES

#: export formats by the name users type
EXPORT_FORMATS: dict[str, RdfFormat] = {
    "nt": RdfFormat.N_TRIPLES,
    "ttl": RdfFormat.TURTLE,
    "nq": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}


Term = NamedNode | BlankNode | Literal | Triple


class OxigraphStore:
    """A pyoxigraph ``Store`` with the :class:`~ckg_rdf.store.base.GraphStore` methods.

    ``path`` is the data directory of a build: the Oxigraph database lives in
    ``path/oxigraph``, next to the build state (``state.sqlite``), the last
    build's problem list and the vector index.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        try:
            if path is None:
                self._store = Store()
            elif read_only:
                if not (path / "oxigraph").exists():
                    raise StoreError(
                        f"no store at {path}: run 'ckg build CORPUS_DIR --store {path}' first"
                    )
                self._store = Store.read_only(str(path / "oxigraph"))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(path / "oxigraph"))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    @property
    def raw(self) -> Store:
        """The underlying pyoxigraph store, for callers that need its full API."""
        return self._store

    def add(self, triples: Iterable[Triple]) -> None:
        self._store.bulk_extend(Quad(t.subject, t.predicate, t.object) for t in triples)

    def remove_subject(self, subject: NamedNode, *, keep: Collection[NamedNode] = ()) -> None:
        for quad in list(self._store.quads_for_pattern(subject, None, None, None)):
            if quad.predicate not in keep:
                self._store.remove(quad)

    def objects(self, subject: NamedNode, predicate: NamedNode) -> list[Term]:
        return [q.object for q in self._store.quads_for_pattern(subject, predicate, None, None)]

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Run SPARQL with the usual prefixes (ckg:, rdfs:, skos:, ...) predeclared."""
        kwargs.setdefault("prefixes", PREFIXES)
        return self._store.query(sparql, **kwargs)

    def __len__(self) -> int:
        return len(self._store)

    def export(self, path: Path, fmt: str) -> int:
        try:
            rdf_format = EXPORT_FORMATS[fmt]
        except KeyError:
            raise StoreError(
                f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
            ) from None
        try:
            if rdf_format is RdfFormat.N_QUADS:
                self._store.dump(str(path), format=rdf_format)
            else:
                self._store.dump(str(path), format=rdf_format, from_graph=DefaultGraph())
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return len(self._store)

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def optimize(self) -> None:
        if self.path is not None:
            self._store.optimize()


def open_store(path: Path | None, *, read_only: bool = False) -> OxigraphStore:
    """Open (or create) the store at ``path``; ``None`` gives an in-memory store."""
    return OxigraphStore(path, read_only=read_only)
