"""The app factory: ``create_app(settings)`` wires the routes to a worker pool.

The pool starts in the lifespan (so an app object can be built, inspected and
tested without touching the store) and is stopped with it. Routes reach the
pool, templates and settings through FastAPI dependencies.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ckg_rdf import __version__
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.service.pool import QueryPool
from ckg_rdf.service.resources import STATIC_DIR, TEMPLATES_DIR
from ckg_rdf.service.routes import meta, pages, resources, similar, sparql
from ckg_rdf.service.settings import Settings
from ckg_rdf.service.similar import SimilarIndexes
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.views import curie

log = logging.getLogger("ckg_rdf.service")

DESCRIPTION = """
Linked data of CORD-19 papers, authors, institutions, concepts and topics.

* **SPARQL 1.1 Protocol** at `/sparql` (GET `?query=`, POST form or
  `application/sparql-query`; results in JSON, XML, CSV, TSV, Turtle,
  N-Triples, JSON-LD or RDF/XML). It follows the W3C protocol rather than this
  OpenAPI document: see docs/service.md.
* **Similar papers** at `/paper/{id}/similar` (JSON): the k nearest papers by
  cosine of their text, graph or combined embeddings.
* **Resources** below answer in Turtle, JSON-LD, N-Triples, RDF/XML or HTML by
  content negotiation.
"""


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATES_DIR))
    t.env.filters["curie"] = curie
    t.env.globals["version"] = __version__
    return t


def create_app(settings: Settings) -> FastAPI:
    """A FastAPI app serving the store named in ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = QueryPool(
            settings.store,
            size=settings.workers,
            timeout_s=settings.timeout_s,
            max_rows=settings.max_rows,
            writable=settings.allow_update,
        )
        await pool.start()
        similar = SimilarIndexes(pool, settings.store, load_timeout_s=settings.stats_timeout_s)
        state = ServiceState(
            settings, pool, IriMinter(settings.resolved_base()), templates(), similar
        )
        state.start_counting()
        similar.start()  # load the similar-papers index in the background
        app.state.service = state
        try:
            yield
        finally:
            await similar.close()
            await pool.close()

    app = FastAPI(
        title=f"{settings.title} linked-data service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(pages.router)
    app.include_router(sparql.router)
    app.include_router(meta.router)
    app.include_router(similar.router)  # before resources: /paper/{id:path} would take it
    app.include_router(resources.router)
    return app
