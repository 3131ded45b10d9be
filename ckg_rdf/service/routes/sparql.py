"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

Query via GET ``?query=``, POST form, or POST ``application/sparql-query``;
results by content negotiation or ``?format=``. Updates are refused (403)
unless the server was started with ``--allow-update``; ``SERVICE`` is refused
(403) unless started with ``--allow-service``. Every query runs in a worker
process with a timeout and a row cap (see :mod:`ckg_rdf.service.pool`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ckg_rdf.service import conneg
from ckg_rdf.service.deps import State, server_root
from ckg_rdf.service.guard import uses_service
from ckg_rdf.service.meta_docs import service_description
from ckg_rdf.service.responses import text_error
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
    if content_type == FORM:
        form = await request.form()
        queries = [str(v) for v in form.getlist("query")]
        updates = [str(v) for v in form.getlist("update")]
        default_graphs += [str(v) for v in form.getlist("default-graph-uri")]
        default_graphs += [str(v) for v in form.getlist("using-graph-uri")]
        named_graphs += [str(v) for v in form.getlist("named-graph-uri")]
        fmt = fmt or (str(form["format"]) if "format" in form else None)
    elif content_type in (SPARQL_QUERY, SPARQL_UPDATE):
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return Failure("bad_request", "the request body is not UTF-8")
        queries, updates = ([text], []) if content_type == SPARQL_QUERY else ([], [text])
    else:
        return Failure(
            "unsupported_media_type",
            f"POST a query as {FORM} or {SPARQL_QUERY} (or an update as {SPARQL_UPDATE}), "
            f"not {content_type or 'no Content-Type'}",
        )
    return ProtocolRequest(queries, updates, default_graphs, named_graphs, fmt)


def _payload_response(result: object) -> Response:
    if isinstance(result, Failure):
        return text_error(result, VARY if result.kind == "not_acceptable" else None)
    assert isinstance(result, Payload)
    return Response(result.body, media_type=result.media_type, headers=VARY)


@router.api_route("/sparql", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request, state: State) -> Response:
    """Answer a SPARQL query (or update); with no query, describe the service."""
    parsed = await _read(request)
    if isinstance(parsed, Failure):
        return text_error(parsed)
    settings = state.settings
    if parsed.queries and parsed.updates:
        return text_error(Failure("bad_request", "send either a query or an update, not both"))
    if len(parsed.queries) > 1 or len(parsed.updates) > 1:
        return text_error(Failure("bad_request", "send exactly one query (or update) per request"))
    if parsed.updates:
        if not settings.allow_update:
            return text_error(
                Failure(
                    "forbidden",
                    "this endpoint is read-only: SPARQL Update is refused "
                    "(start the server with --allow-update to accept updates)",
                )
            )
        return _payload_response(await state.pool.run(UpdateTask(parsed.updates[0])))
    if not parsed.queries:
        if request.method == "POST":
            return text_error(Failure("bad_request", "no query in the request"))
        return await service_description(request, state, server_root(request))
    query = parsed.queries[0]
    if not settings.allow_service and uses_service(query):
        return text_error(
            Failure(
                "forbidden",
                "SERVICE (federated query) is disabled on this endpoint: it would make the "
                "server fetch arbitrary URLs (start it with --allow-service to enable it)",
            )
        )
    task = QueryTask(
        query,
        accept=request.headers.get("accept"),
        format=parsed.format,
        default_graphs=tuple(parsed.default_graphs),
        named_graphs=tuple(parsed.named_graphs),
    )
    return _payload_response(await state.pool.run(task))


def result_offers() -> list[conneg.Format]:
    """Formats of SELECT/ASK results, for the service description and the query page."""
    return list(conneg.RESULT_FORMATS.values())
