"""Documents about the data: the service description, VoID and the ontology.

The service description and VoID are Turtle templates (``templates/rdf/``) so
their vocabulary stays readable; they are parsed back before serving, which
proves they are valid RDF, and then served in any RDF format by negotiation.
"""

from __future__ import annotations

import json
from functools import cache

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ckg_rdf.rdf.dataset import dataset_iri
from ckg_rdf.resources import ontology_path
from ckg_rdf.service import conneg
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.conneg import HTML, RDF_FORMATS
from ckg_rdf.service.resources import TEMPLATES_DIR, service_query
from ckg_rdf.service.responses import page_error, text_error
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import DescriptionTask, Failure, Payload, QueryTask, serialize_graph
from ckg_rdf.vocab import DCAT, DCTERMS, FOAF, ONTOLOGY_IRI, RDF, VOID

VARY = {"Vary": "Accept"}


@cache
def _rdf_templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "rdf"),
        autoescape=False,  # Turtle, not HTML: values go through the filters below
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["iri"] = lambda v: str(ox.NamedNode(str(v)))  # validates: no injection
    env.filters["literal"] = lambda v: str(ox.Literal(str(v)))
    return env


def render_rdf(name: str, **context: object) -> list[ox.Triple]:
    text = _rdf_templates().get_template(name).render(**context)
    return list(ox.parse(text, format=ox.RdfFormat.TURTLE))


def rdf_response(
    request: Request,
    triples: list[ox.Triple],
    *,
    location: str | None = None,
    state: ServiceState | None = None,
    title: str = "",
) -> Response:
    """Serve a small in-memory graph in the negotiated RDF format (HTML for a browser,
    when ``state`` is given to render it with)."""
    offers = [*RDF_FORMATS.values(), *([HTML] if state is not None else [])]
    fmt, why = conneg.choose(
        request.headers.get("accept"), request.query_params.get("format"), offers
    )
    if fmt is None:
        return text_error(Failure("not_acceptable", why), VARY)
    if fmt is HTML and state is not None:
        from ckg_rdf.service.views import Linker, graph_table

        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        table = graph_table(body, Linker(state.base), len(triples))
        return state.templates.TemplateResponse(
            request,
            "document.html",
            {
                "title": title,
                "table": table,
                "formats": list(RDF_FORMATS.values()),
                "path": request.url.path,
            },
            headers=VARY,
        )
    headers = dict(VARY)
    if location:
        headers["Content-Location"] = f"{location}.{fmt.extension}"
    return Response(serialize_graph(triples, fmt), media_type=fmt.media_type, headers=headers)


async def service_description(request: Request, state: ServiceState) -> Response:
    """GET /sparql without a query: the SPARQL Service Description (a browser gets the page)."""
    offers = [*RDF_FORMATS.values(), HTML]
    if "format" not in request.query_params:
        fmt = conneg.negotiate(request.headers.get("accept"), offers)
        if fmt is HTML:
            return RedirectResponse("/query", status_code=303, headers=VARY)
    root = state.public_root
    counts = await state.counts()
    triples = render_rdf(
        "service.ttl",
        endpoint=root + "sparql",
        void=root + ".well-known/void",
        title=state.settings.title,
        allow_update=state.settings.allow_update,
        service_allow=state.settings.service_allow,
        triples=None if isinstance(counts, Failure) else counts.triples,
        graphs=[] if isinstance(counts, Failure) else sorted(counts.graphs),
    )
    return rdf_response(request, triples)


async def example_papers(state: ServiceState) -> list[dict[str, str]]:
    """The most cited papers (home page links and VoID example resources)."""
    result = await state.backend.run(
        QueryTask(service_query("home-papers"), format="json"), lane=PAGES
    )
    if not isinstance(result, Payload):
        return []
    rows = json.loads(result.body)["results"]["bindings"]
    return [
        {
            "iri": r["paper"]["value"],
            "label": r.get("label", {}).get("value", r["paper"]["value"]),
            "citations": r.get("citations", {}).get("value", "0"),
        }
        for r in rows
    ]


def service_triples(state: ServiceState) -> list[ox.Triple]:
    """What only the running service can say of the dataset: its endpoint and its dump."""
    root = state.public_root
    ds = dataset_iri(state.base)
    service = ox.NamedNode(root + "sparql")
    dump = ox.NamedNode(root + "dump.nq.gz")
    t = ox.Triple
    return [
        t(ds, VOID.sparqlEndpoint, service),
        t(ds, FOAF.homepage, ox.NamedNode(root)),
        t(ds, VOID.dataDump, dump),
        t(ds, DCAT.distribution, dump),
        t(dump, RDF.type, DCAT.Distribution),
        t(dump, DCAT.downloadURL, dump),
        t(
            dump,
            DCAT.mediaType,
            ox.NamedNode("https://www.iana.org/assignments/media-types/application/n-quads"),
        ),
        t(dump, DCTERMS.title, ox.Literal("The whole graph, named graphs kept (N-Quads, gzip)")),
        t(ds, DCAT.distribution, service),
        t(service, RDF.type, DCAT.DataService),
        t(service, DCAT.endpointURL, service),
        t(service, DCAT.servesDataset, ds),
    ]


async def void_description(request: Request, state: ServiceState) -> Response:
    """The VoID + DCAT description: the build's (counted once), plus the endpoint and dump."""
    result = await state.backend.run(DescriptionTask(), lane=PAGES)
    if isinstance(result, Failure):
        return page_error(request, state, result)
    if result is None:  # a graph built before descriptions: count now
        return await _counted_description(request, state)
    assert isinstance(result, bytes)
    triples = list(ox.parse(result, format=ox.RdfFormat.N_TRIPLES)) + service_triples(state)
    return rdf_response(request, triples, state=state, title="VoID description of the dataset")


async def _counted_description(request: Request, state: ServiceState) -> Response:
    root = state.public_root
    counts = await state.counts()
    if isinstance(counts, Failure):
        return page_error(request, state, counts)
    examples = [p["iri"] for p in (await example_papers(state))[:3]]
    triples = render_rdf(
        "void.ttl",
        dataset=dataset_iri(state.base).value,
        root=root,
        endpoint=root + "sparql",
        base=state.base,
        vocabulary=ONTOLOGY_IRI + "#",
        title=state.settings.title,
        counts=counts,
        examples=examples,
    )
    return rdf_response(request, triples, state=state, title="VoID description of the dataset")


@cache
def ontology_triples() -> list[ox.Triple]:
    return list(ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE))


@cache
def ontology_turtle() -> bytes:
    """The ontology file as written (comments and layout kept) for Turtle requests."""
    return ontology_path().read_bytes()
