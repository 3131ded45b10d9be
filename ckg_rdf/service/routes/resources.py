"""Dereferencing: every IRI the pipeline mints answers GET with its description.

Cool URIs choice (see docs/service.md): the resource IRI answers directly with
200, the negotiated representation, ``Vary: Accept`` and a ``Content-Location``
naming the format-specific document (``/paper/ID.ttl``, ``.jsonld``, ``.nt``,
``.rdf``, ``.html``), which is also served. No 303 round trip.
"""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ckg_rdf.rdf.iris import KINDS
from ckg_rdf.service import conneg, explore
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.conneg import HTML, RDF_FORMATS
from ckg_rdf.service.deps import State
from ckg_rdf.service.doc_cache import Document, etag, matches
from ckg_rdf.service.explore import ENTITY_PAGES
from ckg_rdf.service.responses import page_error, rdf_docs, text_error
from ckg_rdf.service.routes.similar import SimilarLink, similar_for_page
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import (
    PAGE_INCOMING,
    DescribeTask,
    Failure,
    PageData,
    PageTask,
    Payload,
    QueryTask,
)
from ckg_rdf.service.views import (
    PAGE_TEMPLATES,
    Linker,
    authors_with_affiliations,
    curie,
    resource_view,
)
from ckg_rdf.vocab import CKG, RDFS, SKOS

router = APIRouter(tags=["resources"])

#: Turtle first: what a client that says */* (curl, most RDF tools) gets
OFFERS = [RDF_FORMATS["ttl"], HTML, RDF_FORMATS["jsonld"], RDF_FORMATS["nt"], RDF_FORMATS["rdfxml"]]
BY_EXTENSION = {f.extension: f for f in OFFERS}
#: path prefixes of minted resources
RESOURCE_KINDS = KINDS


def _alternates(path: str) -> str:
    return ", ".join(
        f'<{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in OFFERS
    )


async def _html(
    request: Request, state: ServiceState, iri: str
) -> tuple[Document, bool] | Response:
    """The page (and whether it is complete enough to keep), or an error response."""
    parsed = state.iris.parse(iri)
    kind = parsed.kind if parsed and not parsed.hash and not parsed.embedding else ""
    spec = ENTITY_PAGES.get(kind)
    params = dict(request.query_params)
    selects = explore.selects(spec, iri, params) if spec else ()
    state.hubs.start(state.backend)  # (again, once a new build is served)
    kept = state.hubs.kept(selects, state.build_id)
    to_run = tuple(s for s in selects if s.result_key not in kept)
    result = await state.backend.run(PageTask(iri, to_run), lane=PAGES)
    if isinstance(result, Failure):
        return page_error(request, state, result)
    assert isinstance(result, PageData)
    result.rows.update(kept)
    linker = Linker(state.base)
    view = resource_view(iri, result.description, linker, incoming_cap=PAGE_INCOMING)
    template = next(
        (PAGE_TEMPLATES[t.iri] for t in view.types if t.iri in PAGE_TEMPLATES), "resource.html"
    )
    context: dict = {"title": view.label, "view": view, "formats": OFFERS, "CKG": CKG, "SKOS": SKOS}
    if spec is not None and template != "resource.html":
        path = request.url.path
        context["page"] = explore.entity_view(spec, result.rows, linker, params, path)
    if template == "author.html":
        context["timeline"] = explore.timeline(context["page"].listings["institutions"].rows)
    complete = True
    if template == "paper.html":
        context["authors"] = authors_with_affiliations(result.rows.get("affiliations", []), linker)
        similar = await similar_for_page(state, iri, linker)
        complete = similar is not None  # None: the index is still loading
        context["similar"] = await _named(state, similar or [])
    page = state.templates.TemplateResponse(request, template, context)
    return Document(bytes(page.body), HTML.media_type), complete


async def _named(state: ServiceState, links: list[SimilarLink]) -> list[SimilarLink]:
    """Similar papers without a title get their label (an untitled paper's rdfs:label)."""
    bare = [s.paper.iri for s in links if s.paper.iri and s.paper.text == curie(s.paper.iri)]
    if not bare:
        return links
    values = " ".join(f"<{i}>" for i in bare if "<" not in i and ">" not in i)
    query = f"SELECT ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?p <{RDFS.label.value}> ?l }}"
    result = await state.backend.run(QueryTask(query, format="json"), lane=PAGES)
    if not isinstance(result, Payload):
        return links
    labels = {
        b["p"]["value"]: b["l"]["value"] for b in json.loads(result.body)["results"]["bindings"]
    }
    return [
        replace(s, paper=replace(s.paper, text=labels[s.paper.iri])) if s.paper.iri in labels else s
        for s in links
    ]


async def describe_resource(request: Request, state: State, local_id: str) -> Response:
    """Describe the resource at this path: outgoing and incoming triples, neighbours' labels."""
    # The raw (still percent-encoded) path: IRIs were minted percent-encoded.
    path = request.scope.get("raw_path", b"").decode("ascii", "replace") or request.url.path
    fmt: conneg.Format | None = None
    stem, dot, ext = path.rpartition(".")
    if dot and ext in BY_EXTENSION and "/" not in ext:
        path, fmt = stem, BY_EXTENSION[ext]
    else:
        fmt, why = conneg.choose(
            request.headers.get("accept"), request.query_params.get("format"), OFFERS
        )
        if fmt is None:
            return text_error(Failure("not_acceptable", why), {"Vary": "Accept"})
    iri = state.base + path.lstrip("/")
    build = state.build_id
    key = (path, fmt.key, str(request.url.query) if fmt is HTML else "")
    headers = {
        "Vary": "Accept",
        "Content-Location": f"{path}.{fmt.extension}",
        "Link": _alternates(path),
    }
    if not state.settings.allow_update:  # else the data can change under one build id
        headers["ETag"] = tag = etag(build, key)
        if matches(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=headers)
    doc = state.documents.get(build, key)
    if doc is None:
        rendered = await (
            _html(request, state, iri) if fmt is HTML else _rdf(request, state, iri, fmt)
        )
        if isinstance(rendered, Response):
            return rendered  # an error: never kept
        doc, complete = rendered
        if complete and state.build_id == build:  # not rendered from a snapshot swapped out
            state.documents.put(build, key, doc)
    return Response(doc.body, media_type=doc.media_type, headers=headers)


async def _rdf(
    request: Request, state: ServiceState, iri: str, fmt: conneg.Format
) -> tuple[Document, bool] | Response:
    result = await state.backend.run(DescribeTask(iri, fmt.key), lane=PAGES)
    if isinstance(result, Failure):
        return page_error(request, state, result)
    assert isinstance(result, Payload)
    return Document(result.body, result.media_type), True


for _kind in RESOURCE_KINDS:
    router.add_api_route(
        f"/{_kind}/{{local_id:path}}",
        describe_resource,
        methods=["GET"],
        name=f"describe_{_kind}",
        summary=f"Describe a {_kind}",
        description=(
            f"The description of `{{base}}{_kind}/{{id}}`: its triples, incoming links and the "
            "labels of its neighbours. Turtle, HTML, JSON-LD, N-Triples or RDF/XML by content "
            "negotiation, `?format=`, or an extension (`.ttl`, `.html`, `.jsonld`, `.nt`, "
            "`.rdf`). 404 if the graph knows nothing about it. The HTML page of a paper, "
            "author, institution, concept or topic pages its lists with `?page=N` (the first "
            "list) and `?{list}_page=N` (the others, e.g. `?coauthors_page=2`)."
        ),
        response_class=Response,
        responses=rdf_docs(),
    )
