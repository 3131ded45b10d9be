"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

Query via GET ``?query=``, POST form, or POST ``application/sparql-query``;
results by content negotiation or ``?format=``. The query policy (SERVICE
allow-list, nesting limit) is checked by the task itself, so this route and
the query page cannot disagree. Updates are refused (403) unless the server
allows them, and then need the update token (``Authorization: Bearer``) and,
for a browser form, a same-origin request (no cross-site writes).

A large request body is parsed off the event loop (``parse_qsl`` in a thread),
and the client is watched while its query runs in a worker: a client that goes
away stops its query and frees its worker at once. Query requests take a short
path around the framework (:class:`SparqlFastPath`); the route below answers
the rest (and the same requests, for an app built without that middleware).
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ckg_rdf.service import conneg
from ckg_rdf.service.backends import SPARQL
from ckg_rdf.service.deps import State, client_gone, client_key, scope_client
from ckg_rdf.service.meta_docs import service_description
from ckg_rdf.service.middleware import ASGIApp, Message, Receive, Scope, Send
from ckg_rdf.service.responses import text_error
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import Failure, Payload, QueryTask, UpdateTask

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
VARY = {"Vary": "Accept"}


@dataclass
class ProtocolRequest:
    """The protocol parameters, wherever in the request they came from."""

    queries: list[str]
    updates: list[str]
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None
    form: bool = False


def _decode(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _values(pairs: list[tuple[str, str]], *keys: str) -> list[str]:
    return [v for k, v in pairs if k in keys]


def parse_protocol(
    method: str, params: list[tuple[str, str]], content_type: str, body: bytes
) -> ProtocolRequest | Failure:
    """The protocol parameters of a request: from the URL's ``params`` and, for a POST,
    the body (form-encoded, or a bare query or update). The one reading of the protocol,
    for the route and for :class:`SparqlFastPath`."""
    default_graphs = _values(params, "default-graph-uri")
    named_graphs = _values(params, "named-graph-uri")
    fmt = next(iter(_values(params, "format")), None)
    queries, updates = _values(params, "query"), _values(params, "update")
    if method == "GET":
        if updates:
            return Failure("bad_request", "SPARQL Update must be sent with POST")
        return ProtocolRequest(queries, [], default_graphs, named_graphs, fmt)
    text = _decode(body)
    if text is None:
        return Failure("bad_request", "the request body is not UTF-8")
    if content_type == FORM:
        pairs = parse_qsl(text, keep_blank_values=True)
        queries, updates = _values(pairs, "query"), _values(pairs, "update")
        default_graphs += _values(pairs, "default-graph-uri", "using-graph-uri")
        named_graphs += _values(pairs, "named-graph-uri", "using-named-graph-uri")
        fmt = fmt or next(iter(_values(pairs, "format")), None)
        return ProtocolRequest(queries, updates, default_graphs, named_graphs, fmt, form=True)
    if content_type in (SPARQL_QUERY, SPARQL_UPDATE):
        queries, updates = ([text], []) if content_type == SPARQL_QUERY else ([], [text])
        return ProtocolRequest(queries, updates, default_graphs, named_graphs, fmt)
    return Failure(
        "unsupported_media_type",
        f"POST a query as {FORM} or {SPARQL_QUERY} (or an update as {SPARQL_UPDATE}), "
        f"not {content_type or 'no Content-Type'}",
    )


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


async def read_protocol(
    method: str, params: list[tuple[str, str]], content_type: str, body: bytes
) -> ProtocolRequest | Failure:
    """:func:`parse_protocol`, off the event loop for a large form or query."""
    content_type = _media_type(content_type)
    if len(body) > 65536:
        return await asyncio.to_thread(parse_protocol, method, params, content_type, body)
    return parse_protocol(method, params, content_type, body)


async def _read(request: Request) -> ProtocolRequest | Failure:
    body = b"" if request.method == "GET" else await request.body()
    return await read_protocol(
        request.method,
        list(request.query_params.multi_items()),
        request.headers.get("content-type", ""),
        body,
    )


def query_task(parsed: ProtocolRequest, accept: str | None) -> QueryTask:
    return QueryTask(
        parsed.queries[0],
        accept=accept,
        format=parsed.format,
        default_graphs=tuple(parsed.default_graphs),
        named_graphs=tuple(parsed.named_graphs),
    )


def payload_response(result: object) -> Response:
    if isinstance(result, Failure):
        return text_error(result, VARY if result.kind == "not_acceptable" else None)
    assert isinstance(result, Payload)
    return Response(result.body, media_type=result.media_type, headers=VARY)


def _update_refusal(request: Request, state: ServiceState, form: bool) -> Failure | None:
    settings = state.settings
    if not settings.allow_update:
        return Failure(
            "forbidden",
            "this endpoint is read-only: SPARQL Update is refused "
            "(start the server with --allow-update to accept updates)",
        )
    origin = request.headers.get("origin") or request.headers.get("referer")
    if form and origin:
        ours = {urlsplit(state.public_root).netloc, request.headers.get("host", "")}
        if urlsplit(origin).netloc not in ours:
            return Failure(
                "forbidden",
                f"a cross-origin form cannot update this endpoint (Origin {origin})",
            )
    token = settings.update_token.get_secret_value() if settings.update_token else ""
    given = request.headers.get("authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Failure(
            "forbidden",
            "SPARQL Update needs the server's update token: send 'Authorization: Bearer TOKEN' "
            "(ckg serve prints it, or set CKG_UPDATE_TOKEN)",
        )
    return None


async def answer_query(
    state: ServiceState, task: QueryTask, client: str, receive: Receive
) -> object:
    """Run a user's query on the SPARQL lane, stopped if the client goes away (its
    ``receive`` says so; call after the request body was read)."""
    federated = "service" in task.query.lower()
    timeout = state.settings.federation_timeout() if federated else None
    if state.backend.proven_light(task):  # no worker to free: nothing to watch
        return await state.backend.run(task, lane=SPARQL, timeout_s=timeout, client=client)
    async with client_gone(receive) as gone:
        return await state.backend.run(
            task, lane=SPARQL, timeout_s=timeout, cancel=gone, client=client
        )


async def run_user_query(request: Request, state: ServiceState, task: QueryTask) -> object:
    """Run a user's query on the SPARQL lane, stopped if the client goes away."""
    return await answer_query(state, task, client_key(request), request.receive)


@router.api_route("/sparql", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request, state: State) -> Response:
    """Answer a SPARQL query (or update); with no query, describe the service."""
    parsed = await _read(request)
    if isinstance(parsed, Failure):
        return text_error(parsed)
    if parsed.queries and parsed.updates:
        return text_error(Failure("bad_request", "send either a query or an update, not both"))
    if len(parsed.queries) > 1 or len(parsed.updates) > 1:
        return text_error(Failure("bad_request", "send exactly one query (or update) per request"))
    if parsed.updates:
        refusal = _update_refusal(request, state, parsed.form)
        if refusal is not None:
            return text_error(refusal)
        return payload_response(await state.backend.run(UpdateTask(parsed.updates[0])))
    if not parsed.queries:
        if request.method == "POST":
            return text_error(Failure("bad_request", "no query in the request"))
        return await service_description(request, state)
    task = query_task(parsed, request.headers.get("accept"))
    return payload_response(await run_user_query(request, state, task))


class SparqlFastPath:
    """ASGI middleware: a query to ``/sparql`` answered without the web framework.

    A 10-row SELECT costs the engine about 0.1 ms; routing, dependency injection and
    request objects cost several times that. This answers the protocol's query
    requests (GET, form POST, ``application/sparql-query``) straight from the ASGI
    messages, with the same parsing (:func:`parse_protocol`), task, backend and
    responses as the route; everything else (the service description, updates,
    other paths) goes on to the app. It sits inside the body-limit, HEAD and
    security-header middleware, so those apply to it unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        headers = {k: v for k, v in scope["headers"] if k in _WANTED}
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        body = b""
        if scope["method"] == "POST":
            body = await _body(receive)
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        parsed = await read_protocol(scope["method"], params, content_type, body)
        if (
            not isinstance(parsed, ProtocolRequest) or len(parsed.queries) != 1 or parsed.updates
        ):  # the route says what is wrong, or answers the update or description
            await self.app(scope, _replay(body, receive), send)
            return
        state: ServiceState = scope["app"].state.service
        accept = headers.get(b"accept")
        task = query_task(parsed, accept.decode("latin-1") if accept is not None else None)
        response = payload_response(await answer_query(state, task, scope_client(scope), receive))
        await response(scope, receive, send)


_WANTED = (b"accept", b"content-type")


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read handed out again first."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def result_offers() -> list[conneg.Format]:
    """Formats of SELECT/ASK results, for the service description and the query page."""
    return list(conneg.RESULT_FORMATS.values())
