"""The store interface the pipeline and the service depend on.

Kept small on purpose so that a remote SPARQL 1.1 store can stand behind the
same methods later.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, Protocol

from pyoxigraph import NamedNode, Triple


class StoreError(RuntimeError):
    """The store could not be opened, read or written; the message says why."""


class GraphStore(Protocol):
    def add(self, triples: Iterable[Triple]) -> None:
        """Add triples to the default graph (duplicates are no-ops)."""

    def remove_subject(self, subject: NamedNode, *, keep: Collection[NamedNode] = ()) -> None:
        """Remove every triple whose subject is ``subject``, except those whose predicate is
        in ``keep``."""

    def objects(self, subject: NamedNode, predicate: NamedNode) -> list[Any]:
        """The objects of the triples ``subject predicate ?o``."""

    def query(self, sparql: str, **kwargs: Any) -> Any:
        """Run a SPARQL query; returns pyoxigraph's result objects."""

    def __len__(self) -> int:
        """Number of triples."""

    def export(self, path: Path, fmt: str) -> int:
        """Write the whole graph to ``path``; returns the number of triples."""

    def flush(self) -> None:
        """Make written data durable and visible to readers in other processes."""
