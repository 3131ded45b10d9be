"""Any SPARQL 1.1 server as a store: Oxigraph server, Fuseki, Virtuoso, GraphDB, QLever, Neptune.

Reads go to the query endpoint (SPARQL 1.1 Protocol); writes go to the Graph
Store Protocol endpoint when there is one (N-Triples bodies POSTed into each
named graph, the fastest path on every server that has it) and otherwise to
the update endpoint as ``INSERT DATA``. Endpoints default to the Oxigraph
server's layout beside the query URL (``.../query`` -> ``.../update``,
``.../store``); other servers name theirs with ``--update-url`` / ``--gsp-url``.

The default graph of our queries is the union of our named graphs, given as
the protocol's dataset (``default-graph-uri`` and ``named-graph-uri``), which
every conformant server honours whatever its own default-graph setting.

Credentials come from the environment only (``CKG_STORE_USER`` and
``CKG_STORE_PASSWORD`` for HTTP Basic, or ``CKG_STORE_TOKEN`` for a bearer
token): a URL that carries them is refused, and no message prints them.
Transient failures (connection errors, 429, 502-504) are retried with
exponential backoff; a permanent one raises :class:`StoreError` naming the
endpoint, the status and what the server said.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from pyoxigraph import (
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from ckg_rdf.sparql_text import bind_inline
from ckg_rdf.store.describe import MAX_INCOMING, describe_query
from ckg_rdf.store.formats import FORMATS
from ckg_rdf.store.interface import Bindings, QueryError, QueryResult, StoreError, as_triples
from ckg_rdf.vocab import PREFIXES

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.7"
)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: triples per write request
WRITE_BATCH = 20_000


def prologue() -> str:
    """The predeclared prefixes as a SPARQL prologue (a remote server does not know ours)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def redact(url: str) -> str:
    """``url`` without user info, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def sibling(query_url: str, name: str) -> str | None:
    """The Oxigraph server layout: ``.../query`` -> ``.../{name}``; None for other layouts."""
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if not path.endswith("/query"):
        return None
    return urlunsplit(parts._replace(path=path[: -len("query")] + name, query=""))


def _auth() -> httpx.Auth | None:
    token = os.environ.get("CKG_STORE_TOKEN")
    if token:
        return _Bearer(token)
    user = os.environ.get("CKG_STORE_USER")
    if user:
        return httpx.BasicAuth(user, os.environ.get("CKG_STORE_PASSWORD", ""))
    return None


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class RemoteStore:
    """A SPARQL 1.1 server behind :class:`~ckg_rdf.store.interface.GraphWriter`."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        graph_prefix: str | None = None,
        timeout_s: float = 60.0,
        retries: int = 4,
    ) -> None:
        parts = urlsplit(query_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"{query_url!r} is not an http(s) URL of a SPARQL query endpoint")
        if parts.username or parts.password:
            raise StoreError(
                "the store URL carries credentials: give them in the environment instead "
                "(CKG_STORE_USER and CKG_STORE_PASSWORD, or CKG_STORE_TOKEN), never on the "
                "command line"
            )
        self.query_url = query_url
        self.update_url = update_url or sibling(query_url, "update")
        self.gsp_url = gsp_url if gsp_url is not None else sibling(query_url, "store")
        self.location = redact(query_url)
        #: only named graphs under this prefix form the default graph of our queries
        self.graph_prefix = graph_prefix
        self.retries = retries
        self._client = httpx.Client(timeout=timeout_s, auth=_auth(), follow_redirects=False)
        self._graphs: list[NamedNode] | None = None

    # -- HTTP -----------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        delay = 0.5
        for attempt in range(self.retries + 1):
            try:
                response = self._client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    why = str(exc) or type(exc).__name__
                    raise StoreError(
                        f"cannot reach the SPARQL store at {redact(url)}: {why}"
                    ) from None
            else:
                if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                    return self._check(response, url)
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _post_form(
        self, url: str, form: list[tuple[str, str]], accept: str | None = None
    ) -> httpx.Response:
        """POST an ``application/x-www-form-urlencoded`` body (repeated keys kept)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept:
            headers["Accept"] = accept
        return self._request("POST", url, content=urlencode(form).encode(), headers=headers)

    @staticmethod
    def _check(response: httpx.Response, url: str) -> httpx.Response:
        if response.status_code < 400:
            return response
        said = " ".join(response.text.split())[:300]
        if response.status_code == 400:
            raise QueryError(f"the SPARQL store at {redact(url)} refused the request: {said}")
        raise StoreError(
            f"the SPARQL store at {redact(url)} answered {response.status_code} "
            f"{response.reason_phrase}: {said or '(no message)'}"
        )

    def _dataset(
        self,
        default_graph: Sequence[NamedNode] | None,
        named_graphs: Sequence[NamedNode] | None,
    ) -> list[tuple[str, str]]:
        if default_graph is None:
            default_graph = self.graphs()
            if named_graphs is None:
                named_graphs = default_graph
        params = [("default-graph-uri", g.value) for g in default_graph]
        params += [("named-graph-uri", g.value) for g in named_graphs or ()]
        return params

    # -- reading ------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Bindings | None = None,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
    ) -> QueryResult:
        text = prologue() + bind_inline(sparql, substitutions)
        form = [("query", text), *self._dataset(default_graph, named_graphs)]
        response = self._post_form(self.query_url, form, accept=RESULTS_ACCEPT)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        results_format = QueryResultsFormat.from_media_type(media) if media else None
        if results_format is not None:
            return parse_query_results(response.content, format=results_format)
        rdf_format = RdfFormat.from_media_type(media) if media else None
        if rdf_format is None:
            raise StoreError(
                f"the SPARQL store at {self.location} answered in {media or 'no media type'}, "
                "which is neither SPARQL results nor RDF"
            )
        return as_triples(parse(response.content, format=rdf_format))

    def describe(self, resource: NamedNode, max_incoming: int = MAX_INCOMING) -> list[Triple]:
        query = describe_query(max_incoming)
        found = self.query(query, substitutions={Variable("resource"): resource})
        return list(dict.fromkeys(as_triples(found)))

    def count(self, graph: NamedNode | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        for row in self.query(q, default_graph=[], named_graphs=self.graphs()):  # type: ignore[union-attr]
            return int(row["n"].value)
        return 0

    def graphs(self) -> list[NamedNode]:
        if self._graphs is None:
            q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
            response = self._post_form(
                self.query_url, [("query", q)], accept="application/sparql-results+json"
            )
            rows = parse_query_results(response.content, format=QueryResultsFormat.JSON)
            found = [r["g"] for r in rows if isinstance(r["g"], NamedNode)]  # type: ignore[index]
            if self.graph_prefix:
                found = [g for g in found if g.value.startswith(self.graph_prefix)]
            self._graphs = sorted(found, key=lambda g: g.value)
        return list(self._graphs)

    def export(
        self, output: Path | IO[bytes], fmt: str, *, graphs: Sequence[NamedNode] | None = None
    ) -> int:
        spec = FORMATS[fmt]
        chosen = list(graphs) if graphs is not None else self.graphs()
        fh: IO[bytes] = open(output, "wb") if isinstance(output, str | Path) else output  # noqa: SIM115
        try:
            if spec.whole:
                triples = list(self._graph_triples(chosen))
                serialize(triples, fh, spec.rdf, prefixes=PREFIXES)
                return len(triples)
            n = 0
            for i, graph in enumerate(chosen):
                triples = list(self._graph_triples([graph]))
                items: list = (
                    [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
                    if spec.datasets
                    else triples
                )
                serialize(items, fh, spec.rdf, prefixes=PREFIXES if i == 0 else None)
                n += len(triples)
            return n
        except OSError as exc:
            raise StoreError(f"cannot write {output}: {exc.strerror or exc}") from None
        finally:
            if fh is not output:
                fh.close()

    def _graph_triples(self, graphs: Sequence[NamedNode]) -> Iterator[Triple]:
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=graphs)
        yield from as_triples(result)

    # -- writing ------------------------------------------------------------
    def _need_update(self) -> str:
        if not self.update_url:
            raise StoreError(
                f"no SPARQL Update endpoint for {self.location}: give --update-url "
                "(the query URL does not end in /query, so it cannot be guessed)"
            )
        return self.update_url

    def add(self, quads: Iterable[Quad]) -> int:
        by_graph: dict[NamedNode, list[Triple]] = defaultdict(list)
        n = 0
        it = iter(quads)
        while batch := list(islice(it, WRITE_BATCH)):
            by_graph.clear()
            for q in batch:
                if not isinstance(q.graph_name, NamedNode):
                    raise StoreError("ckg-rdf writes only into named graphs")
                by_graph[q.graph_name].append(q.triple)
            for graph, triples in by_graph.items():
                self._post_triples(graph, triples)
            n += len(batch)
        self._graphs = None
        return n

    def load(self, ntriples: bytes | Path, graph: NamedNode) -> None:
        lines: Iterator[bytes] = (
            ntriples.open("rb") if isinstance(ntriples, Path) else iter(ntriples.splitlines(True))
        )
        try:
            while batch := list(islice(lines, WRITE_BATCH)):
                self._post_ntriples(graph, b"".join(batch))
        finally:
            if isinstance(ntriples, Path):
                lines.close()  # type: ignore[union-attr]
        self._graphs = None

    def _post_triples(self, graph: NamedNode, triples: list[Triple]) -> None:
        self._post_ntriples(graph, serialize(triples, format=RdfFormat.N_TRIPLES) or b"")

    def _post_ntriples(self, graph: NamedNode, body: bytes) -> None:
        if not body:
            return
        if self.gsp_url:
            self._request(
                "POST",
                self.gsp_url,
                params={"graph": graph.value},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
            return
        text = body.decode("utf-8")
        self.update(f"INSERT DATA {{ GRAPH {graph} {{\n{text}}} }}")

    def update(self, sparql: str) -> None:
        url = self._need_update()
        self._post_form(url, [("update", prologue() + sparql)])
        self._graphs = None

    def clear_graph(self, graph: NamedNode) -> None:
        self.update(f"CLEAR SILENT GRAPH {graph}")

    def flush(self) -> None:
        """Each request is durable when the server answers: nothing to do."""

    def optimize(self) -> None:
        """Compaction is the server's business."""

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
