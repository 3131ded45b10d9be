"""Pages for people: the home page with the graph's counts, and the SPARQL query page.

The query page works without JavaScript (the form GETs ``/query`` and the
table is rendered on the server); a few lines of our own JS only fill the text
box from the example list. Nothing is loaded from a CDN.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ckg_rdf.queries import NamedQuery, named_queries
from ckg_rdf.service.conneg import RDF_FORMATS, RESULT_FORMATS
from ckg_rdf.service.deps import State
from ckg_rdf.service.meta_docs import example_papers
from ckg_rdf.service.resources import SPARQL_DIR
from ckg_rdf.service.responses import error_docs, status_of
from ckg_rdf.service.routes.sparql import run_user_query
from ckg_rdf.service.tasks import Failure, Payload, QueryTask
from ckg_rdf.service.views import Linker, curie, graph_table, select_table
from ckg_rdf.stats import EDGE_TYPES, NODE_TYPES

router = APIRouter(tags=["pages"])

#: what the query page asks the worker for: JSON for tables, N-Triples for graphs
PAGE_ACCEPT = "application/sparql-results+json, application/n-triples"


def examples() -> dict[str, NamedQuery]:
    """The named queries of ``sparql/``, or the service's own example if there are none."""
    queries = named_queries()
    return queries or {"example": NamedQuery.from_file(SPARQL_DIR / "example.rq")}


@router.get("/", response_class=HTMLResponse, summary="Home page with the graph's statistics")
async def home(request: Request, state: State) -> Response:
    """Counts of nodes and edges by type, the most cited papers, and where to go next."""
    counts = await state.counts()
    nodes: list[tuple[str, int]] = []
    edges: list[tuple[str, int]] = []
    if not isinstance(counts, Failure):
        nodes = [(name, counts.classes.get(iri.value, 0)) for name, iri in NODE_TYPES.items()]
        edges = [
            (curie(iri.value), counts.properties.get(iri.value, 0)) for iri in EDGE_TYPES.values()
        ]
    linker = Linker(state.base)
    papers = [dict(p, href=linker.href(p["iri"])) for p in await example_papers(state)]
    return state.templates.TemplateResponse(
        request,
        "home.html",
        {
            "title": state.settings.title,
            "counts": counts,
            "nodes": nodes,
            "edges": edges,
            "papers": papers,
            "base": state.base,
            "settings": state.settings,
        },
    )


def _download_links(query: str, kind: str) -> list[tuple[str, str]]:
    formats = RESULT_FORMATS.values() if kind in ("select", "ask") else RDF_FORMATS.values()
    return [(f.label, "/sparql?" + urlencode({"query": query, "format": f.key})) for f in formats]


@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="SPARQL query page",
    responses=error_docs(400, 503),
)
async def query_page(
    request: Request,
    state: State,
    query: str | None = Query(None, description="A SPARQL query to run and show as a table."),
    example: str | None = Query(None, description="Pre-fill the box with this named query."),
) -> Response:
    """A text box pre-filled from ``sparql/*.rq``; with ``query``, the results as a table."""
    named = examples()
    chosen = named.get(example or "") or next(iter(named.values()))
    text = query if query is not None else chosen.text
    context: dict = {
        "title": "SPARQL query",
        "examples": named,
        "chosen": chosen.name if query is None else "",
        "query": text,
        "ran": query is not None,
        "error": None,
        "table": None,
        "downloads": [],
        "max_rows": state.settings.html_rows,
        # "<" escaped so no query text can close the <script> element it sits in
        "examples_json": json.dumps({n: q.text for n, q in named.items()}).replace("<", "\\u003c"),
    }
    status = 200
    if query is not None and query.strip():
        task = QueryTask(query, accept=PAGE_ACCEPT, preview=state.settings.html_rows)
        result = await run_user_query(request, state, task)
        linker = Linker(state.base)
        if isinstance(result, Failure):
            context["error"] = result
            status = status_of(result)
        elif isinstance(result, Payload):
            rows = state.settings.html_rows
            if result.kind == "graph":
                context["table"] = graph_table(result.body, linker, rows, result.total)
            else:
                context["table"] = select_table(result.body, linker, rows, result.total)
            context["downloads"] = _download_links(query, result.kind)
    return state.templates.TemplateResponse(request, "query.html", context, status_code=status)


@router.get("/api", response_class=HTMLResponse, summary="The HTTP API, for people")
async def api_page(request: Request, state: State) -> Response:
    """Every route of the OpenAPI document (``/openapi.json``) with what it answers."""
    spec = request.app.openapi()
    routes = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, op in methods.items():
            routes.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        (p.get("name", ""), p.get("in", ""), p.get("description", ""))
                        for p in op.get("parameters", [])
                    ],
                }
            )
    return state.templates.TemplateResponse(
        request, "api.html", {"title": "HTTP API", "routes": routes}
    )
