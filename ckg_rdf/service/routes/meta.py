"""Documents about the data: VoID, the ontology at its own IRI, the JSON-LD context."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from ckg_rdf.service import conneg
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.conneg import HTML, RDF_FORMATS
from ckg_rdf.service.deps import State
from ckg_rdf.service.jsonld import context_document
from ckg_rdf.service.meta_docs import (
    VARY,
    ontology_triples,
    ontology_turtle,
    serialize_graph,
    void_description,
)
from ckg_rdf.service.responses import rdf_docs, text_error
from ckg_rdf.service.tasks import DumpTask, Failure
from ckg_rdf.service.views import Linker, ontology_view
from ckg_rdf.vocab import ONTOLOGY_IRI

router = APIRouter(tags=["data about the data"])

ONTOLOGY_OFFERS = [RDF_FORMATS["ttl"], HTML, *(f for k, f in RDF_FORMATS.items() if k != "ttl")]
_BY_EXTENSION = {f.extension: f for f in ONTOLOGY_OFFERS}


@router.get(
    "/.well-known/void",
    summary="VoID description of the dataset",
    response_class=Response,
    responses=rdf_docs(*conneg.RDF_FORMATS.values(), errors=(406, 503)),
    response_description="Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation "
    "(or ?format=ttl|jsonld|nt|rdfxml), with triple, class and property counts.",
)
async def void(request: Request, state: State) -> Response:
    """The dataset's VoID description, with counts taken once per build served."""
    return await void_description(request, state)


def _ontology(request: Request, state: State, fmt: conneg.Format) -> Response:
    headers = {**VARY, "Content-Location": f"/ontology.{fmt.extension}"}
    if fmt is HTML:
        terms = ontology_view(ontology_triples(), Linker(state.base))
        return state.templates.TemplateResponse(
            request,
            "ontology.html",
            {
                "title": "ckg-rdf ontology",
                "terms": terms,
                "iri": ONTOLOGY_IRI,
                "formats": list(RDF_FORMATS.values()),
            },
            headers=headers,
        )
    if fmt.key == "ttl":
        body = ontology_turtle()
    else:
        body = serialize_graph(ontology_triples(), fmt)
    return Response(body, media_type=fmt.media_type, headers=headers)


@router.get(
    "/ontology",
    summary="The ckg-rdf ontology (OWL)",
    response_class=Response,
    responses=rdf_docs(*ONTOLOGY_OFFERS, errors=(406,)),
    response_description="HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by content "
    "negotiation or ?format=. https://w3id.org/ckg-rdf/ontology is meant to redirect here.",
)
async def ontology(
    request: Request,
    state: State,
    format: str | None = Query(
        None,
        pattern="^(" + "|".join(f.key for f in ONTOLOGY_OFFERS) + ")$",
        description="The format, overriding the Accept header.",
    ),
) -> Response:
    """The ontology at the address its w3id IRI redirects to, in the format the client wants."""
    fmt, why = conneg.choose(request.headers.get("accept"), format, ONTOLOGY_OFFERS)
    if fmt is None:
        return text_error(Failure("not_acceptable", why), VARY)
    return _ontology(request, state, fmt)


@router.get(
    "/ontology.{extension}",
    summary="The ontology in one format (ttl, html, jsonld, nt, rdf)",
    response_class=Response,
    responses=rdf_docs(*ONTOLOGY_OFFERS, errors=(404,)),
)
async def ontology_document(request: Request, state: State, extension: str) -> Response:
    """One format of the ontology, at the address given as Content-Location."""
    fmt = _BY_EXTENSION.get(extension)
    if fmt is None:
        return text_error(Failure("not_found", f"no ontology document /ontology.{extension}"))
    return _ontology(request, state, fmt)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD @context",
    response_class=Response,
    responses={200: {"description": "The context.", "content": {"application/ld+json": {}}}},
    response_description="The compact context the JSON-LD descriptions use, generated from "
    "the ontology.",
)
async def jsonld_context() -> Response:
    """The JSON-LD context generated from the ontology, for clients that want to reuse it."""
    return Response(context_document(), media_type="application/ld+json")


@router.get(
    "/dump.nq.gz",
    summary="The whole graph as N-Quads (gzip)",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/gzip": {}}, "description": "Named graphs kept."},
        503: {"content": {"text/plain": {}}, "description": "The dump could not be made."},
    },
)
async def dump(request: Request, state: State) -> Response:
    """Every named graph of the build being served, for offline loaders (``oxigraph load``,
    QLever, Neptune); made once per build, then served from the data directory."""
    build = state.build_id or "current"
    result = await state.backend.run(
        DumpTask(str(state.settings.data().dumps_dir), build),
        lane=PAGES,
        timeout_s=state.settings.stats_timeout_s,
        heavy_ok=True,
    )
    if isinstance(result, Failure):
        return text_error(result)
    return FileResponse(str(result), media_type="application/gzip", filename=f"ckg-{build}.nq.gz")


class HubStatus(BaseModel):
    found: int = Field(description="Hubs found in the build served (see docs/service.md).")
    kept: int = Field(description="Hubs whose first page is computed and kept so far.")
    computing: bool = Field(description="Whether that work is still under way.")


class ServiceStatus(BaseModel):
    build: str | None = Field(description="The id of the build being served.")
    hubs: HubStatus


@router.get("/status", summary="What the server is serving, and its background work")
async def status(state: State) -> ServiceStatus:
    """The build served and how far the background work on it has come: a health check for
    operators, and what a benchmark waits on before it measures."""
    return ServiceStatus(
        build=state.build_id,
        hubs=HubStatus(
            found=state.hubs.found, kept=state.hubs.done, computing=state.hubs.computing
        ),
    )
