"""The work behind every route that reads the graph: run SPARQL, describe a resource, count.

Tasks are plain picklable values; :func:`run` executes one against a store
(through the store interface, so the same code serves an embedded store in a
killable worker process and a remote SPARQL server from a thread) and
returns plain picklable values. The query policy (SERVICE allow-list, nesting
limit) is enforced here, so ``/sparql``, the query page and every other route
pass through the same check. Failures are :class:`Failure` values with a
``kind`` the routes map to HTTP statuses.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import weakref
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ckg_rdf.rank.ranking import RankingError
from ckg_rdf.rank.resolve import NameIndex, ResolveError
from ckg_rdf.rank.run import RankResult, RankSpec, run_ranking
from ckg_rdf.service import conneg
from ckg_rdf.service.conneg import RDF_FORMATS, RESULT_FORMATS, Format
from ckg_rdf.service.policy import PolicyError, QueryPolicy
from ckg_rdf.sparql_text import outer_limit, per_query_text
from ckg_rdf.store import GraphReader, GraphWriter, QueryError
from ckg_rdf.store.describe import MAX_INCOMING
from ckg_rdf.store.interface import as_triples
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
#: characters XML 1.0 cannot carry (replaced in XML outputs, so they always parse)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --- what goes in ------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    """What every task obeys: the row cap and the query policy."""

    max_rows: int = 100_000
    policy: QueryPolicy = field(default_factory=QueryPolicy)
    #: the store a task gets is a snapshot nothing writes (a served build, read-only), so
    #: what a task reads of it may be kept for the next task (the names /rank resolves)
    fixed_data: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["policy"]["service_allow"] = list(self.policy.service_allow)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        policy = dict(data.get("policy", {}))
        policy["service_allow"] = tuple(policy.get("service_allow", ()))
        return cls(
            int(data.get("max_rows", 100_000)),
            QueryPolicy(**policy),
            bool(data.get("fixed_data", False)),
        )


@dataclass(frozen=True)
class QueryTask:
    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: > 0: the first ``preview`` rows (SPARQL JSON, or N-Triples for a graph) and how many
    #: there are in all, whatever the row cap (the HTML query page)
    preview: int = 0


@dataclass(frozen=True)
class UpdateTask:
    update: str


@dataclass(frozen=True)
class DescribeTask:
    iri: str
    format: str  # a key of RDF_FORMATS


#: incoming links a page's description reads (its lists come from the page's own
#: queries; "Linked from" shows 50 per property): a hub's page then reads 500 of its
#: million links, not the 2,000 a dereferenced document carries
PAGE_INCOMING = 500


@dataclass(frozen=True)
class NamedSelect:
    """A service query (``service/sparql/NAME.rq``) with IRI bindings, answered as rows.

    ``limit``/``offset`` page it: they are appended to the query as ``LIMIT n OFFSET m``
    (integers, checked here, so nothing but digits reaches the query text); the named
    query then has no LIMIT of its own. ``key`` names its rows in :class:`PageData`
    (default: the query's name), so one query can run twice on a page.
    """

    name: str
    bindings: tuple[tuple[str, str], ...] = ()
    limit: int | None = None
    offset: int = 0
    key: str = ""

    def __post_init__(self) -> None:
        for what, value in (("limit", self.limit), ("offset", self.offset)):
            if value is None and what == "limit":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{what} of a named select must be an integer >= 0, not {value!r}")

    @property
    def result_key(self) -> str:
        return self.key or self.name

    def text(self) -> str:
        query = service_query(self.name)
        if self.limit is None:
            return query
        return f"{query.rstrip()}\nLIMIT {int(self.limit)} OFFSET {int(self.offset)}\n"


@dataclass(frozen=True)
class PageTask:
    """Everything a resource page needs in one round trip: the description, then selects."""

    iri: str
    selects: tuple[NamedSelect, ...] = ()
    #: False: only the selects' rows (the description is left empty)
    describe: bool = True
    #: links into the resource in its description (a page shows 50 per property)
    max_incoming: int = PAGE_INCOMING


@dataclass(frozen=True)
class VoidTask:
    pass


@dataclass(frozen=True)
class DescriptionTask:
    """The dataset description the build wrote (VoID + DCAT)."""


@dataclass(frozen=True)
class DumpTask:
    """The whole graph as gzipped N-Quads in ``directory``, made once per build served."""

    directory: str
    build_id: str


@dataclass(frozen=True)
class RankTask:
    """A ranking (``ckg_rdf.rank``): names resolved and the query run in one round trip."""

    spec: RankSpec


@dataclass(frozen=True)
class IndexTask:
    """Make sure the similar-papers index in ``directory`` matches the stored vectors.

    ``known`` is the fingerprint of the index the server holds: when the store
    still has it, nothing is loaded or built.
    """

    directory: str
    known: str | None = None
    #: where the BM25 index of the hybrid recommendations lives (None: no keyword index)
    lexical_directory: str | None = None


@dataclass(frozen=True)
class EvidenceTask:
    """Graph evidence for a paper's recommendation candidates (``ckg_rdf.recommend.graph``)."""

    paper: str
    candidates: tuple[str, ...] = ()


# --- what comes out ------------------------------------------------------------
@dataclass(frozen=True)
class Payload:
    media_type: str
    body: bytes
    kind: str = ""  # "select", "ask", "graph" for query results
    #: rows (or triples) in the whole result, when ``body`` holds only a preview
    total: int | None = None


@dataclass(frozen=True)
class Failure:
    """A task that cannot be answered; ``kind`` is one of the keys of ``STATUS``."""

    kind: str
    message: str


@dataclass(frozen=True)
class PageData:
    description: bytes  # N-Triples
    rows: dict[str, list[dict[str, str]]]  # select name -> rows of {var: value}


#: HTTP status for each failure kind (documented in docs/service.md)
STATUS: dict[str, int] = {
    "syntax": 400,
    "bad_request": 400,
    "forbidden": 403,
    "not_found": 404,
    "not_acceptable": 406,
    "unsupported_media_type": 415,
    "too_many_rows": 422,
    "too_many_requests": 429,
    "timeout": 503,
    "busy": 503,
    "internal": 500,
    "unavailable": 503,
}


@dataclass(frozen=True)
class IndexInfo:
    """Where the fresh index is (``directory``; None when ``known`` is still current)."""

    fingerprint: str
    directory: str | None = None
    empty: bool = False  # the store has no embeddings: nothing to search
    temporary: bool = False  # the data directory was not writable: a temp dir to delete
    lexical_directory: str | None = None  # the fresh BM25 index, when one was asked for
    lexical_temporary: bool = False  # ... in a temporary directory of its own, to delete


@dataclass
class VoidCounts:
    triples: int
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)


# --- running -------------------------------------------------------------------
class _RowCapExceeded(Exception):
    pass


class _Preview(io.RawIOBase):
    """A write target that keeps the first ``keep`` lines of a TSV stream and counts all."""

    def __init__(self, keep: int) -> None:
        self.buffer = io.BytesIO()
        self.keep = keep + 1  # the header line
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        data = bytes(b)
        if self.lines < self.keep:
            room = self.keep - self.lines
            parts = data.split(b"\n")
            kept = b"\n".join(parts[:room]) + (b"\n" if len(parts) > room else b"")
            self.buffer.write(kept)
        self.lines += data.count(b"\n")
        return len(data)


def _preview(result: object, rows: int) -> Payload:
    """The first ``rows`` of a result and its full size, for a page that shows a page."""
    if isinstance(result, ox.QuerySolutions):
        target = _Preview(rows)
        result.serialize(target, format=ox.QueryResultsFormat.TSV)
        table = ox.parse_query_results(target.buffer.getvalue(), format=ox.QueryResultsFormat.TSV)
        body = table.serialize(format=ox.QueryResultsFormat.JSON)
        return Payload(RESULT_FORMATS["json"].media_type, body, "select", max(0, target.lines - 1))
    triples: list[ox.Triple] = []
    total = 0
    for t in as_triples(result):
        total += 1
        if len(triples) < rows:
            triples.append(t)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Payload(RDF_FORMATS["nt"].media_type, body, "graph", total)


#: the fewest bytes one solution takes in each results format (JSON ``{}``, CSV and TSV
#: an empty line, XML ``<result/>``): a body shorter than this times (cap + 1) cannot
#: hold more rows than the cap
_MIN_ROW_BYTES = {"json": 2, "csv": 2, "tsv": 1, "xml": 9}


class _Capped(io.RawIOBase):
    """A write target that stops a serialisation once it passes ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.buffer = io.BytesIO()
        self.limit = limit
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        n = self.buffer.write(b)
        if self.buffer.tell() >= self.limit:
            self.full = True
            raise _RowCapExceeded
        return n


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


def _policy_failure(exc: PolicyError) -> Failure:
    kind = {400: "bad_request", 403: "forbidden"}.get(exc.status, "forbidden")
    return Failure(kind, exc.message)


def xml_safe(body: bytes) -> bytes:
    """An XML document with the characters XML cannot carry replaced by U+FFFD."""
    text = body.decode("utf-8", "surrogatepass")
    if not _XML_INVALID.search(text):
        return body
    return _XML_INVALID.sub("\ufffd", text).encode("utf-8")


#: :func:`outer_limit`, worked out once per query text
_outer_limit = per_query_text(outer_limit)


def run_query(store: GraphReader, task: QueryTask, limits: Limits) -> Payload | Failure:
    """Check the query against the policy, run it, serialise the answer as negotiated."""
    try:
        limits.policy.check_query(task.query)
    except PolicyError as exc:
        return _policy_failure(exc)
    kwargs: dict[str, Any] = {}
    try:
        if task.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(i) for i in task.default_graphs]
        if task.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(i) for i in task.named_graphs]
    except ValueError as exc:
        return Failure("bad_request", f"a graph URI is not a valid IRI: {exc}")
    try:
        result = store.query(task.query, **kwargs)
    except QueryError as exc:
        return Failure("syntax", str(exc))
    if task.preview and not isinstance(result, ox.QueryBoolean):
        return _preview(result, task.preview)
    if isinstance(result, ox.QueryBoolean):
        fmt, why = conneg.choose(task.accept, task.format, list(RESULT_FORMATS.values()))
        if fmt is None:
            return Failure("not_acceptable", f"an ASK result is a boolean: {why}")
        body = result.serialize(format=_RESULT_ENUM[fmt.key])
        return Payload(fmt.media_type, body, "ask")
    if not isinstance(result, ox.QuerySolutions):
        fmt, why = conneg.choose(task.accept, task.format, list(RDF_FORMATS.values()))
        if fmt is None:
            return Failure("not_acceptable", f"a CONSTRUCT/DESCRIBE result is a graph: {why}")
        triples: list[ox.Triple] = []
        for t in as_triples(result):
            triples.append(t)
            if len(triples) > limits.max_rows:
                return _too_many(limits.max_rows, "triples")
        return Payload(fmt.media_type, serialize_graph(triples, fmt), "graph")
    fmt, why = conneg.choose(task.accept, task.format, list(RESULT_FORMATS.values()))
    if fmt is None:
        return Failure("not_acceptable", f"a SELECT result is a table: {why}")
    if (limit := _outer_limit(task.query)) is not None and limit <= limits.max_rows:
        # within the cap by its own LIMIT: serialised in the engine, no writer to watch
        body = result.serialize(format=_RESULT_ENUM[fmt.key])
        return Payload(fmt.media_type, xml_safe(body) if fmt.key == "xml" else body, "select")
    # Serialised straight to the format asked for while it stays too small to hold more
    # rows than the cap (every row takes at least _MIN_ROW_BYTES of it); only a larger
    # result is run again and its rows counted exactly.
    direct = _Capped(_MIN_ROW_BYTES[fmt.key] * (limits.max_rows + 1))
    try:
        result.serialize(direct, format=_RESULT_ENUM[fmt.key])
    except (_RowCapExceeded, OSError):  # pyoxigraph wraps errors raised by the writer
        if not direct.full:
            raise
    else:
        body = direct.buffer.getvalue()
        return Payload(fmt.media_type, xml_safe(body) if fmt.key == "xml" else body, "select")
    return _counted_select(store.query(task.query, **kwargs), fmt, limits.max_rows)


def _counted_select(result: object, fmt: Format, max_rows: int) -> Payload | Failure:
    """A large SELECT result, its rows counted on the way (TSV: one line per row)."""
    assert isinstance(result, ox.QuerySolutions)
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
        return Payload(fmt.media_type, tsv, "select")
    table = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = table.serialize(format=_RESULT_ENUM[fmt.key])
    if fmt.key == "xml":
        body = xml_safe(body)
    return Payload(fmt.media_type, body, "select")


def serialize_graph(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Triples in an RDF format; JSON-LD compacted with the ontology's context."""
    if fmt.key == "jsonld":
        from ckg_rdf.service.jsonld import compact

        return compact(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    prefixes = PREFIXES if fmt.key in ("ttl", "rdfxml") else None
    body = ox.serialize(triples, format=_RDF_ENUM[fmt.key], prefixes=prefixes) or b""
    return xml_safe(body) if fmt.key == "rdfxml" else body


def run_update(store: GraphWriter, task: UpdateTask, limits: Limits) -> Payload | Failure:
    """Apply a SPARQL Update (only reached when the server allows updates)."""
    try:
        limits.policy.check_update(task.update)
    except PolicyError as exc:
        return _policy_failure(exc)
    try:
        store.update(task.update)
    except QueryError as exc:
        return Failure("syntax", str(exc))
    store.flush()
    return Payload("text/plain", b"update applied\n")


@cache
def service_query(name: str) -> str:
    from ckg_rdf.service.resources import service_query as read

    return read(name)


def _describe_triples(
    store: GraphReader, iri: str, max_incoming: int = MAX_INCOMING
) -> list[ox.Triple] | Failure:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return Failure("not_found", f"{iri} is not a valid IRI")
    triples = store.describe(node, max_incoming)
    if not triples:
        return Failure("not_found", f"nothing is known about {iri}")
    return triples


def describe(store: GraphReader, task: DescribeTask, limits: Limits) -> Payload | Failure:
    """Outgoing and incoming triples of one resource, with its neighbours' labels."""
    triples = _describe_triples(store, task.iri)
    if isinstance(triples, Failure):
        return triples
    if len(triples) > limits.max_rows:
        return _too_many(limits.max_rows, "triples")
    fmt = RDF_FORMATS[task.format]
    return Payload(fmt.media_type, serialize_graph(triples, fmt), "graph")


def _rows(store: GraphReader, select: NamedSelect) -> list[dict[str, str]]:
    subs = {ox.Variable(k): ox.NamedNode(v) for k, v in select.bindings}
    result = store.query(select.text(), substitutions=subs or None)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for n in names:
            term = solution[n]
            if term is not None:
                row[n] = term.value
        rows.append(row)
    return rows


def page_data(store: GraphReader, task: PageTask, limits: Limits) -> PageData | Failure:
    """A resource's description and the rows of the page's extra queries, in one task."""
    description = b""
    if task.describe:
        triples = _describe_triples(store, task.iri, task.max_incoming)
        if isinstance(triples, Failure):
            return triples
        description = ox.serialize(triples[: limits.max_rows], format=ox.RdfFormat.N_TRIPLES) or b""
    rows = {s.result_key: _rows(store, s) for s in task.selects}
    return PageData(description, rows)


_DESCRIBED = """
SELECT ?kind ?key ?n WHERE {
  GRAPH ?g {
    { ?ds a void:Dataset ; void:triples ?n ; void:uriSpace ?space . BIND("triples" AS ?kind) }
    UNION { ?ds void:classPartition ?c . ?c void:class ?key ; void:entities ?n .
            BIND("class" AS ?kind) }
    UNION { ?ds void:propertyPartition ?c . ?c void:property ?key ; void:triples ?n .
            BIND("property" AS ?kind) }
    UNION { ?ds void:subset ?key . ?key a void:Dataset ; void:triples ?n .
            BIND("graph" AS ?kind) }
  }
}"""


def void_counts(store: GraphReader) -> VoidCounts:
    """Triples per class, per property and per named graph, for VoID and the home page:
    from the description the build wrote (``graph/dataset``), else counted now."""
    from ckg_rdf.stats import class_counts, property_counts

    described = [g for g in store.graphs() if g.value.endswith("/graph/dataset")]
    if described:
        counts = VoidCounts(triples=0)
        rows = store.query(_DESCRIBED, default_graph=[], named_graphs=described)
        for row in rows:  # type: ignore[union-attr]
            kind, n = row["kind"].value, int(row["n"].value)
            if kind == "triples":
                counts.triples = n
            else:
                key = row["key"].value
                {"class": counts.classes, "property": counts.properties, "graph": counts.graphs}[
                    kind
                ][key] = n
        return counts
    graphs = {g.value: store.count(g) for g in store.graphs()}
    return VoidCounts(sum(graphs.values()), class_counts(store), property_counts(store), graphs)


def description(store: GraphReader) -> bytes | None:
    """The dataset description the build wrote, as N-Triples (None for an older build)."""
    described = [g for g in store.graphs() if g.value.endswith("/graph/dataset")]
    if not described:
        return None
    triples = list(
        as_triples(
            store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=described)
        )
    )
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def dump(store: GraphReader, task: DumpTask) -> str:
    """The path of the dump of this build, written (atomically) if it is not there yet."""
    import gzip
    import shutil

    directory = Path(task.directory)
    target = directory / f"ckg-{task.build_id}.nq.gz"
    if target.exists():
        return str(target)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{target.name}.tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as fh:
        store.export(fh, "nq")  # type: ignore[arg-type]
    tmp.replace(target)
    for old in directory.glob("ckg-*.nq.gz"):
        if old != target:
            old.unlink(missing_ok=True)
    shutil.rmtree(directory / "tmp", ignore_errors=True)
    return str(target)


def ensure_index(store: GraphReader, task: IndexTask) -> IndexInfo:
    """Check the index against the store; load it, or rebuild and save it, when it changed.

    ``SimilarityIndex.open`` (what ``ckg similar`` uses) does the work, so the
    server and the CLI agree on when an index is stale. When the index directory
    cannot be written, the rebuilt index goes to a temporary directory.
    """
    from ckg_rdf.embed.index import SimilarityIndex
    from ckg_rdf.embed.vectors import vectors_fingerprint

    if task.known is not None and vectors_fingerprint(store) == task.known:
        return IndexInfo(task.known)
    directory, temporary = Path(task.directory), False
    try:
        index = SimilarityIndex.open(store, directory)
    except (OSError, RuntimeError):  # faiss raises RuntimeError for an unwritable file
        index = SimilarityIndex.build(store)
        directory, temporary = Path(tempfile.mkdtemp(prefix="ckg-index-")), True
        index.save(directory)
    lexical, lexical_temporary = None, False
    if task.lexical_directory is not None and index.spaces:
        lexical, lexical_temporary = _ensure_lexical(store, Path(task.lexical_directory))
    return IndexInfo(
        index.fingerprint,
        str(directory),
        not index.spaces,
        temporary,
        lexical,
        lexical_temporary,
    )


def _ensure_lexical(store: GraphReader, wanted: Path) -> tuple[str, bool]:
    """The BM25 index's directory (rebuilt when the store's texts changed), and whether it
    is a temporary one (the data directory could not be written).

    Checked whenever the vector index is: texts change only with vectors (the
    embedding stage rewrites both).
    """
    from ckg_rdf.recommend.lexical import LexicalIndex

    try:
        LexicalIndex.open(store, wanted)
        return str(wanted), False
    except OSError:
        target = Path(tempfile.mkdtemp(prefix="ckg-bm25-"))
        LexicalIndex.open(store, None).save(target)
        return str(target), True


def evidence(store: GraphReader, task: EvidenceTask) -> object:
    """Citation neighbours, concepts, topics and labels for a paper's candidates."""
    from ckg_rdf.recommend.graph import graph_evidence

    return graph_evidence(store, task.paper, list(task.candidates))


#: the names of each unchanging store a task was given (see Limits.fixed_data)
_NAMES: weakref.WeakKeyDictionary[Any, NameIndex] = weakref.WeakKeyDictionary()


def rank(store: GraphReader, task: RankTask, limits: Limits) -> RankResult | Failure:
    names = _NAMES.setdefault(store, NameIndex()) if limits.fixed_data else None
    try:
        return run_ranking(store, task.spec, names)
    except ResolveError as exc:
        return Failure("not_found", str(exc))
    except RankingError as exc:
        return Failure("bad_request", str(exc))


def run(store: Any, task: object, limits: Limits) -> object:
    """Dispatch one task (in a worker process, or a thread for a remote store)."""
    if isinstance(task, QueryTask):
        return run_query(store, task, limits)
    if isinstance(task, DescribeTask):
        return describe(store, task, limits)
    if isinstance(task, PageTask):
        return page_data(store, task, limits)
    if isinstance(task, UpdateTask):
        return run_update(store, task, limits)
    if isinstance(task, VoidTask):
        return void_counts(store)
    if isinstance(task, DescriptionTask):
        return description(store)
    if isinstance(task, DumpTask):
        return dump(store, task)
    if isinstance(task, RankTask):
        return rank(store, task, limits)
    if isinstance(task, IndexTask):
        return ensure_index(store, task)
    if isinstance(task, EvidenceTask):
        return evidence(store, task)
    return Failure("internal", f"unknown task {type(task).__name__}")


def rows_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows)
