"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

Query via GET ``?query=``, POST form, or POST ``application/sparql-query``;
results by content negotiation or ``?format=``. The query policy (SERVICE
allow-list, nesting limit) is checked by the task itself, so this route and
the query page cannot disagree. Updates are refused (403) unless the server
allows them, and then need the update token (``Authorization: Bearer``) and,
for a browser form, a same-origin request (no cross-site writes).

The request body is parsed off the event loop (``parse_qsl`` in a thread),
and the client is watched while its query runs: a client that goes away
stops its query and frees its worker at once.
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
from ckg_rdf.service.deps import State, client_key, disconnect_event
from ckg_rdf.service.meta_docs import service_description
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


async def _read(request: Request) -> ProtocolRequest | Failure:
    params = request.query_params
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    fmt = params.get("format")
    queries, updates = params.getlist("query"), params.getlist("update")
    if request.method == "GET":
        if updates:
            return Failure("bad_request", "SPARQL Update must be sent with POST")
        return ProtocolRequest(queries, [], default_graphs, named_graphs, fmt)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    text = await asyncio.to_thread(_decode, body) if len(body) > 65536 else _decode(body)
    if text is None:
        return Failure("bad_request", "the request body is not UTF-8")
    if content_type == FORM:
        pairs = (
            await asyncio.to_thread(parse_qsl, text, keep_blank_values=True)
            if len(text) > 65536
            else parse_qsl(text, keep_blank_values=True)
        )
        get = lambda key: [v for k, v in pairs if k == key]  # noqa: E731
        queries, updates = get("query"), get("update")
        default_graphs += get("default-graph-uri") + get("using-graph-uri")
        named_graphs += get("named-graph-uri") + get("using-named-graph-uri")
        fmt = fmt or next(iter(get("format")), None)
        return ProtocolRequest(queries, updates, default_graphs, named_graphs, fmt, form=True)
    if content_type in (SPARQL_QUERY, SPARQL_UPDATE):
        queries, updates = ([text], []) if content_type == SPARQL_QUERY else ([], [text])
        return ProtocolRequest(queries, updates, default_graphs, named_graphs, fmt)
    return Failure(
        "unsupported_media_type",
        f"POST a query as {FORM} or {SPARQL_QUERY} (or an update as {SPARQL_UPDATE}), "
        f"not {content_type or 'no Content-Type'}",
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


async def run_user_query(request: Request, state: ServiceState, task: QueryTask) -> object:
    """Run a user's query on the SPARQL lane, stopped if the client goes away."""
    federated = "service" in task.query.lower()
    timeout = state.settings.federation_timeout() if federated else None
    async with disconnect_event(request) as gone:
        return await state.backend.run(
            task, lane=SPARQL, timeout_s=timeout, cancel=gone, client=client_key(request)
        )


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
    task = QueryTask(
        parsed.queries[0],
        accept=request.headers.get("accept"),
        format=parsed.format,
        default_graphs=tuple(parsed.default_graphs),
        named_graphs=tuple(parsed.named_graphs),
    )
    return payload_response(await run_user_query(request, state, task))


def result_offers() -> list[conneg.Format]:
    """Formats of SELECT/ASK results, for the service description and the query page."""
    return list(conneg.RESULT_FORMATS.values())
