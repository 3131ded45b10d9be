"""The work a query worker does: run SPARQL, describe a resource, count for VoID.

These functions run inside a worker process (see :mod:`ckg_rdf.service.pool`),
never in the web server's process, so a runaway query can be killed without
taking the server down. They return plain picklable values; failures are
:class:`Failure` values with a ``kind`` the routes map to HTTP statuses.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from ckg_rdf.service import conneg
from ckg_rdf.service.conneg import RDF_FORMATS, RESULT_FORMATS, Format
from ckg_rdf.vocab import PREFIXES

_RESULT_ENUM = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_ENUM = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


# --- what goes in ------------------------------------------------------------
@dataclass(frozen=True)
class QueryTask:
    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateTask:
    update: str


@dataclass(frozen=True)
class DescribeTask:
    iri: str
    format: str  # a key of RDF_FORMATS


@dataclass(frozen=True)
class VoidTask:
    pass


@dataclass(frozen=True)
class IndexTask:
    """Make sure the similar-papers index in ``<store>/index/`` matches the stored vectors.

    ``known`` is the fingerprint of the index the server holds: when the store
    still has it, nothing is loaded or built.
    """

    store_path: str
    known: str | None = None


# --- what comes out ------------------------------------------------------------
@dataclass(frozen=True)
class Payload:
    media_type: str
    body: bytes
    kind: str = ""  # "select", "ask", "graph" for query results


@dataclass(frozen=True)
class Failure:
    """A query that cannot be answered; ``kind`` is one of the keys of ``STATUS``."""

    kind: str
    message: str


#: HTTP status for each failure kind (documented in docs/service.md)
STATUS: dict[str, int] = {
    "syntax": 400,
    "bad_request": 400,
    "forbidden": 403,
    "not_found": 404,
    "not_acceptable": 406,
    "unsupported_media_type": 415,
    "too_many_rows": 422,
    "timeout": 503,
    "busy": 503,
    "internal": 500,
}


@dataclass(frozen=True)
class IndexInfo:
    """Where the fresh index is (``directory``; None when ``known`` is still current)."""

    fingerprint: str
    directory: str | None = None
    empty: bool = False  # the store has no embeddings: nothing to search
    temporary: bool = False  # the store's directory was not writable: a temp dir to delete


@dataclass
class VoidCounts:
    triples: int
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)


# --- running -------------------------------------------------------------------
class _RowCapExceeded(Exception):
    pass


class _LineCounter(io.RawIOBase):
    """A write target that stops a TSV serialisation after ``limit`` rows.

    TSV writes exactly one line per solution (newlines inside literals are
    escaped), so counting lines counts rows without holding them as objects.
    """

    def __init__(self, limit: int) -> None:
        self.buffer = io.BytesIO()
        self.limit = limit + 1  # the header line
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.lines += bytes(b).count(b"\n")
        if self.lines > self.limit:
            raise _RowCapExceeded
        return self.buffer.write(b)


def _too_many(max_rows: int, what: str) -> Failure:
    return Failure(
        "too_many_rows",
        f"the query gives more than {max_rows:,} {what}, the most this server returns; "
        "add LIMIT (and OFFSET to page) or aggregate",
    )


def _graph_names(iris: tuple[str, ...]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


def run_query(store: ox.Store, task: QueryTask, max_rows: int) -> Payload | Failure:
    """Run a SPARQL query and serialise the answer in the negotiated format."""
    kwargs: dict = {"prefixes": PREFIXES}
    try:
        if task.default_graphs:
            kwargs["default_graph"] = _graph_names(task.default_graphs)
        if task.named_graphs:
            kwargs["named_graphs"] = _graph_names(task.named_graphs)
    except ValueError as exc:
        return Failure("bad_request", f"a graph URI is not a valid IRI: {exc}")
    try:
        result = store.query(task.query, **kwargs)
    except SyntaxError as exc:
        return Failure("syntax", f"the query does not parse: {exc}")

    if isinstance(result, ox.QueryTriples):
        fmt, why = conneg.choose(task.accept, task.format, list(RDF_FORMATS.values()))
        if fmt is None:
            return Failure("not_acceptable", f"a CONSTRUCT/DESCRIBE result is a graph: {why}")
        triples: list[ox.Triple] = []
        for t in result:
            triples.append(t)
            if len(triples) > max_rows:
                return _too_many(max_rows, "triples")
        return Payload(fmt.media_type, serialize_graph(triples, fmt), "graph")

    kind = "ask" if isinstance(result, ox.QueryBoolean) else "select"
    offers = list(RESULT_FORMATS.values())
    fmt, why = conneg.choose(task.accept, task.format, offers)
    if fmt is None:
        return Failure("not_acceptable", f"a {kind.upper()} result is a table: {why}")
    if kind == "ask":
        return Payload(fmt.media_type, result.serialize(format=_RESULT_ENUM[fmt.key]), kind)
    counter = _LineCounter(max_rows)
    try:
        result.serialize(counter, format=ox.QueryResultsFormat.TSV)
    except _RowCapExceeded:
        return _too_many(max_rows, "rows")
    except OSError as exc:  # pyoxigraph wraps errors raised by the writer
        if counter.lines > counter.limit:
            return _too_many(max_rows, "rows")
        raise exc
    tsv = counter.buffer.getvalue()
    if fmt.key == "tsv":
        return Payload(fmt.media_type, tsv, kind)
    table = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Payload(fmt.media_type, table.serialize(format=_RESULT_ENUM[fmt.key]), kind)


def serialize_graph(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Triples in an RDF format; JSON-LD compacted with the ontology's context."""
    if fmt.key == "jsonld":
        from ckg_rdf.service.jsonld import compact

        return compact(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    prefixes = PREFIXES if fmt.key in ("ttl", "rdfxml") else None
    return ox.serialize(triples, format=_RDF_ENUM[fmt.key], prefixes=prefixes) or b""


def run_update(store: ox.Store, task: UpdateTask) -> Payload | Failure:
    """Apply a SPARQL Update (only reached when the server allows updates)."""
    try:
        store.update(task.update, prefixes=PREFIXES)
    except SyntaxError as exc:
        return Failure("syntax", f"the update does not parse: {exc}")
    store.flush()
    return Payload("text/plain", b"update applied\n")


@cache
def _service_query(name: str) -> str:
    from ckg_rdf.service.resources import service_query

    return service_query(name)


def describe(store: ox.Store, task: DescribeTask, max_rows: int) -> Payload | Failure:
    """Outgoing and incoming triples of one resource, with its neighbours' labels."""
    try:
        node = ox.NamedNode(task.iri)
    except ValueError:
        return Failure("not_found", f"{task.iri} is not a valid IRI")
    # NamedNode validated the IRI, so its <...> form cannot break out of the query.
    query = _service_query("describe").replace("?resource", str(node))
    triples = list(store.query(query))
    if not triples:
        return Failure("not_found", f"nothing is known about {task.iri}")
    if len(triples) > max_rows:
        return _too_many(max_rows, "triples")
    fmt = RDF_FORMATS[task.format]
    return Payload(fmt.media_type, serialize_graph(triples, fmt), "graph")


def void_counts(store: ox.Store) -> VoidCounts:
    """Triples per class and per property, for VoID and the home page."""
    counts = VoidCounts(triples=len(store))
    for row in store.query(_service_query("void-classes")):
        counts.classes[row["class"].value] = int(row["n"].value)
    for row in store.query(_service_query("void-properties")):
        counts.properties[row["property"].value] = int(row["n"].value)
    return counts


class _StoreAt:
    """The raw store with the ``path`` and ``query`` that :mod:`ckg_rdf.embed` expects."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self.raw = store
        self.path = path

    def query(self, sparql: str, **kwargs: object) -> object:
        kwargs.setdefault("prefixes", PREFIXES)
        return self.raw.query(sparql, **kwargs)  # type: ignore[arg-type]


def ensure_index(store: ox.Store, task: IndexTask) -> IndexInfo:
    """Check the index against the store; load it, or rebuild and save it, when it changed.

    ``SimilarityIndex.open`` (what ``ckg similar`` uses) does the work, so the
    server and the CLI agree on when an index is stale. When ``<store>/index``
    cannot be written, the rebuilt index goes to a temporary directory.
    """
    import tempfile

    from ckg_rdf.embed.index import SimilarityIndex, index_dir_for
    from ckg_rdf.embed.vectors import vectors_fingerprint

    view = _StoreAt(store, Path(task.store_path))
    if task.known is not None and vectors_fingerprint(view) == task.known:
        return IndexInfo(task.known)
    try:
        index = SimilarityIndex.open(view)  # type: ignore[arg-type]
        directory, temporary = index_dir_for(view.path), False
    except (OSError, RuntimeError):  # faiss raises RuntimeError for an unwritable file
        index = SimilarityIndex.build(view)  # type: ignore[arg-type]
        directory, temporary = Path(tempfile.mkdtemp(prefix="ckg-index-")), True
        index.save(directory)
    return IndexInfo(index.fingerprint, str(directory), not index.spaces, temporary)


def run(store: ox.Store, task: object, max_rows: int) -> object:
    """Dispatch one task (called in the worker loop)."""
    if isinstance(task, QueryTask):
        return run_query(store, task, max_rows)
    if isinstance(task, DescribeTask):
        return describe(store, task, max_rows)
    if isinstance(task, UpdateTask):
        return run_update(store, task)
    if isinstance(task, VoidTask):
        return void_counts(store)
    if isinstance(task, IndexTask):
        return ensure_index(store, task)
    return Failure("internal", f"unknown task {type(task).__name__}")
