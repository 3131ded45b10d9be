"""The embedded backend: a pyoxigraph store on disk (or in memory, for tests).

The one module besides the service's query workers' task runner that touches
``pyoxigraph.Store``; everything else goes through the
:mod:`~ckg_rdf.store.interface` methods.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from ckg_rdf.sparql_text import bind_inline, where_braces
from ckg_rdf.store.describe import MAX_INCOMING, describe_by_pattern
from ckg_rdf.store.formats import FORMATS, ExportFormat
from ckg_rdf.store.interface import (
    Bindings,
    QueryError,
    QueryResult,
    StoreError,
    StoreLockedError,
    as_triples,
)
from ckg_rdf.vocab import PREFIXES

BATCH = 100_000


class EmbeddedStore:
    """pyoxigraph's ``Store`` behind :class:`~ckg_rdf.store.interface.GraphWriter`.

    ``directory`` is the Oxigraph database folder (``None``: in memory).
    Opened for writing, it records who holds the write lock in ``holder_file``
    so a second writer is told which process to wait for.
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        read_only: bool = False,
        holder_file: Path | None = None,
        holder: str = "",
    ) -> None:
        self.directory = directory
        self.location = str(directory) if directory else ":memory:"
        self.read_only = read_only
        self._holder_file = None if read_only else holder_file
        try:
            if directory is None:
                self._store = Store()
            elif read_only:
                if not directory.exists():
                    raise StoreError(f"no graph at {directory.parent}: run 'ckg build' first")
                self._store = Store.read_only(str(directory))
            else:
                directory.parent.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(directory))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(_locked_message(directory, holder_file)) from None
            raise StoreError(f"cannot open the store at {directory}: {exc}") from None
        if self._holder_file is not None:
            _write_holder(self._holder_file, holder)

    # -- reading ------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Bindings | None = None,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
    ) -> QueryResult:
        kwargs: dict = {"prefixes": PREFIXES}
        if substitutions and len(where_braces(sparql)) > 1:
            # Oxigraph's substitution does not reach into subqueries: written in, it does
            sparql = bind_inline(sparql, substitutions)
        elif substitutions:
            kwargs["substitutions"] = dict(substitutions)
        if default_graph is not None:
            kwargs["default_graph"] = list(default_graph)
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = list(named_graphs)
        try:
            result = self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}") from None
        if isinstance(result, QuerySolutions | QueryBoolean):
            return result
        return iter(result)

    def count(self, graph: NamedNode | None = None) -> int:
        if graph is None:
            return len(self._store)
        # counted inside the engine: 25x faster than iterating quads into Python
        rows = self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(rows))[0].value)  # type: ignore[arg-type, union-attr]

    def describe(self, resource: NamedNode, max_incoming: int = MAX_INCOMING) -> list[Triple]:
        # index lookups: the same triples as describe_query() without a planner in the way
        return describe_by_pattern(self._store.quads_for_pattern, resource, max_incoming)

    def graphs(self) -> list[NamedNode]:
        return sorted(
            (g for g in self._store.named_graphs() if isinstance(g, NamedNode)),
            key=lambda g: g.value,
        )

    def export(
        self, output: Path | IO[bytes], fmt: str, *, graphs: Sequence[NamedNode] | None = None
    ) -> int:
        spec = FORMATS[fmt]
        chosen = list(graphs) if graphs is not None else self.graphs()
        try:
            with _opened(output) as fh:
                return self._export(fh, spec, chosen)
        except OSError as exc:
            raise StoreError(f"cannot write {output}: {exc.strerror or exc}") from None

    def _export(self, fh: IO[bytes], spec: ExportFormat, graphs: list[NamedNode]) -> int:
        if spec.whole:
            triples = list(
                as_triples(
                    self._store.query(
                        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                        default_graph=graphs,
                    )
                )
            )
            serialize(triples, fh, spec.rdf, prefixes=PREFIXES)
            return len(triples)
        n = 0
        for i, graph in enumerate(graphs):
            if spec.datasets:
                quads = self._store.quads_for_pattern(None, None, None, graph)
                serialize(quads, fh, spec.rdf, prefixes=PREFIXES if i == 0 else None)
            else:
                self._store.dump(
                    fh, spec.rdf, from_graph=graph, prefixes=PREFIXES if i == 0 else None
                )
            n += self.count(graph)
        return n

    # -- writing ------------------------------------------------------------
    def add(self, quads: Iterable[Quad]) -> int:
        n = 0
        it = iter(quads)
        while batch := list(islice(it, BATCH)):
            self._store.bulk_extend(batch)
            n += len(batch)
        return n

    def load(self, ntriples: bytes | Path, graph: NamedNode) -> None:
        # the bulk loader writes compressed sorted files straight to disk: 2.5x less CPU
        # than inserting term objects, and a store half the size (benchmarks/bench_scale.py).
        # ``lenient``: the N-Triples are pyoxigraph's own serialisation of terms it already
        # validated, so their IRIs are not checked again (9% less CPU per load).
        if isinstance(ntriples, Path):
            self._store.bulk_load(
                path=ntriples, format=RdfFormat.N_TRIPLES, to_graph=graph, lenient=True
            )
        elif ntriples:
            self._store.bulk_load(ntriples, RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"the update does not parse: {exc}") from None

    def clear_graph(self, graph: NamedNode) -> None:
        self._store.clear_graph(graph)

    def flush(self) -> None:
        if self.directory is not None and not self.read_only:
            self._store.flush()

    def optimize(self) -> None:
        if self.directory is not None and not self.read_only:
            self._store.optimize()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()
        if self._holder_file is not None:
            with contextlib.suppress(OSError):
                self._holder_file.unlink()
            self._holder_file = None
        self._store = None  # type: ignore[assignment]  # releases the lock

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _opened(output: Path | IO[bytes]):  # type: ignore[no-untyped-def]
    if isinstance(output, str | os.PathLike):
        with open(output, "wb") as fh:
            yield fh
    else:
        yield output


def _write_holder(path: Path, holder: str) -> None:
    with contextlib.suppress(OSError):
        path.write_text(
            json.dumps(
                {"pid": os.getpid(), "command": holder or "ckg", "since": time.time()},
            )
        )


def _locked_message(directory: Path | None, holder_file: Path | None) -> str:
    where = directory.parent if directory else "the store"
    info: dict = {}
    if holder_file is not None:
        with contextlib.suppress(OSError, ValueError):
            info = json.loads(holder_file.read_text())
    pid = info.get("pid")
    if isinstance(pid, int) and _alive(pid):
        since = time.strftime("%H:%M:%S", time.localtime(float(info.get("since", 0))))
        return (
            f"the graph at {where} is being written by process {pid} "
            f"({info.get('command', 'ckg')}, since {since}); wait for it to finish, "
            f"or stop it (kill {pid}), then run this again"
        )
    return (
        f"the graph at {where} is locked by another process that writes to it "
        "(a running 'ckg build', 'ckg concepts', 'ckg embed' or 'ckg serve --allow-update'); "
        "wait for it to finish or stop it, then run this again"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["EmbeddedStore"]
