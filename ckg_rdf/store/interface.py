"""The store interface: the only way any other package reads or writes the graph.

Two sides, so a caller states what it needs:

* :class:`GraphReader` runs SPARQL queries (SELECT, ASK, CONSTRUCT, DESCRIBE)
  and returns the same result objects whatever the backend: pyoxigraph's
  ``QuerySolutions`` / ``QueryBoolean`` for tables and booleans, an iterator
  of ``Triple`` for graphs. It also counts and exports.
* :class:`GraphWriter` adds quads in batches, runs SPARQL Update, clears a
  graph and makes writes durable.

Data lives in named graphs, one per producer (``{base}graph/papers``,
``.../concepts``, ...); queries see their union unless they name a dataset.
Every triple is asserted by exactly one producer, so the union holds no
duplicates and a producer retracts its own output by graph.

Backends: an embedded Oxigraph store on disk (:mod:`ckg_rdf.store.embedded`)
and any SPARQL 1.1 server (:mod:`ckg_rdf.store.remote`), chosen by location.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolution,
    QuerySolutions,
    Triple,
    Variable,
)

from ckg_rdf.errors import CkgError
from ckg_rdf.store.describe import MAX_INCOMING

Term = NamedNode | BlankNode | Literal | Triple
#: what ``query`` returns: a table, a boolean, or triples
QueryResult = QuerySolutions | QueryBoolean | Iterator[Triple]
Bindings = Mapping[Variable, Term]


class StoreError(CkgError):
    """The store could not be opened, read or written; the message says why and what to do."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""


class QueryError(StoreError):
    """A query or update was refused by the parser: the message is the parser's."""


@runtime_checkable
class GraphReader(Protocol):
    """The read side of a store."""

    #: where the store is, for messages (a path, or a URL without credentials)
    location: str

    def query(
        self,
        sparql: str,
        *,
        substitutions: Bindings | None = None,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
    ) -> QueryResult:
        """Run a query. The usual prefixes (``ckg:``, ``rdfs:``, ...) are predeclared;
        ``substitutions`` bind variables (SEP-0007), never by editing the text. Without a
        ``default_graph`` the default graph is the union of every named graph."""
        ...

    def count(self, graph: NamedNode | None = None) -> int:
        """Triples in ``graph``, or quads in the whole store."""
        ...

    def graphs(self) -> list[NamedNode]:
        """The named graphs that hold data."""
        ...

    def describe(self, resource: NamedNode, max_incoming: int = MAX_INCOMING) -> list[Triple]:
        """What the graph says about ``resource``, the document its IRI dereferences to
        (distinct triples, at most ``max_incoming`` links into it; the contents are
        defined in :mod:`ckg_rdf.store.describe`)."""
        ...

    def export(
        self, output: Path | IO[bytes], fmt: str, *, graphs: Sequence[NamedNode] | None = None
    ) -> int:
        """Write the data (``graphs`` or all) in ``fmt`` (a key of ``FORMATS``); returns the
        number of triples or quads written."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class GraphWriter(GraphReader, Protocol):
    """The write side: batches in, updates, graph-wide clears."""

    def add(self, quads: Iterable[Quad]) -> int:
        """Add quads (each in its named graph) in batches; returns how many were sent."""
        ...

    def load(self, ntriples: bytes | Path, graph: NamedNode) -> None:
        """Add N-Triples (bytes, or a file of them) to ``graph``: the build's bulk path,
        parsed natively with no term objects. They must be a serialisation of valid terms
        (the build's own output): a store may skip validating them again."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (the pipeline's retractions, ``--allow-update`` writes)."""
        ...

    def clear_graph(self, graph: NamedNode) -> None:
        """Remove every triple of ``graph`` (no error when it is empty or absent)."""
        ...

    def flush(self) -> None:
        """Make written data durable and visible to readers that open the store afterwards."""
        ...

    def optimize(self) -> None:
        """Compact the store after a large write (a no-op where the backend has none)."""
        ...


def select(store: GraphReader, sparql: str, **bindings: Term) -> list[QuerySolution]:
    """Rows of a SELECT query with ``bindings`` substituted (by variable name)."""
    result = store.query(sparql, substitutions={Variable(k): v for k, v in bindings.items()})
    if not isinstance(result, QuerySolutions):
        raise QueryError("expected a SELECT query")
    return list(result)


def count_rows(store: GraphReader, sparql: str, var: str = "n", **bindings: Term) -> int:
    """The integer in the first row's ``var`` of an aggregate SELECT (0 when empty)."""
    for row in select(store, sparql, **bindings):
        value = row[var]
        return int(value.value) if value is not None else 0
    return 0


def as_triples(result: Any) -> Iterator[Triple]:
    """The triples of a CONSTRUCT/DESCRIBE result, whatever the backend gave."""
    for item in result:
        if isinstance(item, Triple):
            yield item
        elif isinstance(item, Quad):
            yield item.triple
        else:
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
