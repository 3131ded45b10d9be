"""The app factory: ``create_app(settings)`` wires the routes to a query backend.

The backend starts in the lifespan (so an app object can be built, inspected
and tested without touching the store) and is stopped with it. Routes reach
the backend, templates and settings through FastAPI dependencies.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ckg_rdf import __version__
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.service.backends import QUERY_BACKENDS
from ckg_rdf.service.doc_cache import DocumentCache
from ckg_rdf.service.hubs import HubPages
from ckg_rdf.service.middleware import (
    ASGIApp,
    BodyLimits,
    HeadAsGet,
    Receive,
    Scope,
    SecurityHeaders,
    Send,
)
from ckg_rdf.service.resources import STATIC_DIR, TEMPLATES_DIR
from ckg_rdf.service.routes import meta, pages, rank, resources, search, similar, sparql
from ckg_rdf.service.search import SearchService
from ckg_rdf.service.settings import ServiceSettings
from ckg_rdf.service.similar import SimilarIndexes
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.views import curie, label_or_iri
from ckg_rdf.store import backend_for

log = logging.getLogger("ckg_rdf.service")

DESCRIPTION = """
Linked data of CORD-19 papers, authors, institutions, concepts and topics.

* **SPARQL 1.1 Protocol** at `/sparql` (GET `?query=`, POST form or
  `application/sparql-query`; results in JSON, XML, CSV, TSV, Turtle,
  N-Triples, JSON-LD or RDF/XML). It follows the W3C protocol rather than this
  OpenAPI document: see docs/service.md.
* **Search** at `/search?q=` (JSON with `Accept: application/json`): ranked full-text
  search over papers, authors, institutions, concepts and topics, with facets.
* **Similar papers** at `/paper/{id}/similar` (JSON): the k most similar papers,
  each with the reasons it is recommended; by default a fusion of keyword,
  text-embedding and graph signals (`mode=hybrid`), or one cosine.
* **Resources** below answer in Turtle, JSON-LD, N-Triples, RDF/XML or HTML by
  content negotiation.
"""


def _served_build(request: Request) -> dict[str, object]:
    """Every page says which build it shows (the footer)."""
    state = getattr(request.app.state, "service", None)
    return {"build": state.build_id if state is not None else None}


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_served_build])
    t.env.filters["curie"] = curie
    t.env.filters["label_or_iri"] = label_or_iri
    t.env.globals["version"] = __version__
    return t


class ServiceApp(FastAPI):
    """FastAPI with the service's own ASGI layers (limits, HEAD, headers, the SPARQL fast
    path) outside the framework's middleware stack rather than inside it.

    Why: a query answered by the fast path then costs none of Starlette's error and
    exception layers (a 10-row SELECT costs the engine about 0.1 ms, and each layer a
    few microseconds); every response, the framework's own 500s included, still passes
    through the limits and gets the security headers.
    """

    _outer: ASGIApp | None = None

    def wrap(self, layers: Callable[[ASGIApp], ASGIApp]) -> None:
        """Put ``layers`` (given the framework's own stack) around every request."""
        self._outer = layers(self._framework)

    async def _framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self._outer is None:
            await super().__call__(scope, receive, send)
        else:
            await self._outer(scope, receive, send)


def create_app(settings: ServiceSettings) -> FastAPI:
    """A FastAPI app serving the graph named in ``settings``."""
    holder: dict[str, ServiceState] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data = settings.data()
        backend = QUERY_BACKENDS.create(
            backend_for(settings.store), settings=settings, data=data, limits=settings.limits()
        )
        await backend.start()
        similar_indexes = SimilarIndexes(
            backend,
            data.index_dir,
            lexical_dir=data.bm25_dir,
            load_timeout_s=settings.stats_timeout_s,
        )
        searcher = SearchService(data.search_file, deadline_s=min(settings.timeout_s, 10.0))
        state = ServiceState(
            settings,
            backend,
            IriScheme(settings.resolved_base()),
            templates(),
            similar_indexes,
            searcher,
            DocumentCache(settings.doc_cache_bytes()),
            HubPages(settings.hub_links, settings.hubs_kept(), settings.stats_timeout_s),
        )
        state.start_counting()
        state.hubs.start(backend)
        similar_indexes.start()  # load the similar-papers index in the background
        app.state.service = state
        holder["state"] = state
        try:
            yield
        finally:
            searcher.close()
            await state.hubs.close()
            await similar_indexes.close()
            await backend.close()

    app = ServiceApp(
        title=f"{settings.title} linked-data service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(pages.router)
    app.include_router(sparql.router)
    app.include_router(meta.router)
    app.include_router(rank.router)
    app.include_router(search.router)
    app.include_router(similar.router)  # before resources: /paper/{id:path} would take it
    app.include_router(resources.router)

    def build_id() -> str | None:
        state = holder.get("state")
        return state.build_id if state else None

    app.wrap(
        lambda framework: BodyLimits(
            HeadAsGet(SecurityHeaders(sparql.SparqlFastPath(framework), build_id=build_id)),
            max_body_bytes=settings.max_body_bytes,
            body_timeout_s=settings.body_timeout_s,
        )
    )
    return app


#: where ``ckg serve --processes N`` leaves the settings for its server processes
SETTINGS_ENV = "CKG_SERVICE_SETTINGS_JSON"


def app_from_environment() -> FastAPI:
    """The app of one of several server processes (``ckg serve --processes N``): uvicorn
    starts each and calls this. A process dies with the process that started it, so a
    killed server leaves no server process (nor, through them, any worker) behind."""
    from ckg_rdf.service.worker import die_with_parent

    die_with_parent(os.getppid())
    return create_app(ServiceSettings.from_environment(os.environ[SETTINGS_ENV]))
