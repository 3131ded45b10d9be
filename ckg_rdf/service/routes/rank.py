"""``GET /rank``: papers ranked by in-corpus citations or PageRank, filtered by topic and concept.

The same parameters as ``ckg rank``; JSON for programs (with the SPARQL query that was run,
so it can be adapted), an HTML page with the filters as a form for people.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ckg_rdf.rank.ranking import MAX_K
from ckg_rdf.rank.run import RankResult, RankSpec
from ckg_rdf.service import conneg
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.deps import State
from ckg_rdf.service.responses import page_error, text_error
from ckg_rdf.service.tasks import Failure, RankTask
from ckg_rdf.service.views import Linker, Value

router = APIRouter(tags=["ranking"])

Names = Annotated[list[str], Query()]


class Filter(BaseModel):
    name: str = Field(description="What was asked for (label, id or IRI).")
    iri: str = Field(description="The topic or concept it names.")
    label: str


class RankedPaper(BaseModel):
    paper: str = Field(description="The paper's IRI.")
    title: str
    citations: int = Field(description="In-corpus citations (counted as the filters say).")
    pageRank: float | None = Field(description="PageRank over the citation graph.")


class Ranking(BaseModel):
    by: Literal["citations", "pagerank"]
    k: int
    filters: dict[str, list[Filter]] = Field(
        description="What each filter resolved to: topics, concepts, citing_topics, "
        "citing_concepts."
    )
    query: str = Field(description="The SPARQL query that was run (adapt it at /query).")
    results: list[RankedPaper]


def _ranking(result: RankResult, by: str, k: int) -> Ranking:
    return Ranking(
        by=by,  # type: ignore[arg-type]
        k=k,
        filters={
            key: [Filter(name=r.text, iri=r.iri.value, label=r.label) for r in found]
            for key, found in result.resolved.items()
        },
        query=result.query,
        results=[
            RankedPaper(paper=r.paper, title=r.title, citations=r.citations, pageRank=r.page_rank)
            for r in result.rows
        ],
    )


@router.get(
    "/rank",
    response_model=Ranking,
    summary="Papers ranked by citations or PageRank",
    responses={
        200: {"content": {"text/html": {}}, "description": "JSON, or the page for a browser."},
        400: {"content": {"text/plain": {}}, "description": "A bad parameter combination."},
        404: {"content": {"text/plain": {}}, "description": "A topic or concept names nothing."},
        503: {"content": {"text/plain": {}}, "description": "The ranking did not finish in time."},
    },
)
async def rank(
    request: Request,
    state: State,
    topic: Annotated[
        list[str], Query(description="Only papers on this topic (id, label or IRI); all given.")
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    concept: Annotated[
        list[str], Query(description="Only papers mentioning this concept; all given.")
    ] = [],  # noqa: B006
    citing_topic: Annotated[
        list[str], Query(description="Count only citations from papers on one of these topics.")
    ] = [],  # noqa: B006
    citing_concept: Annotated[
        list[str], Query(description="Count only citations from papers mentioning one of these.")
    ] = [],  # noqa: B006
    by: Annotated[Literal["citations", "pagerank"], Query(description="The order.")] = "citations",
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many papers.")] = 20,
) -> Response:
    """The most-cited papers (in this corpus), or those with the highest PageRank, on the
    topics and featuring the concepts given, counting citations as the filters say."""
    spec = RankSpec(
        topics=tuple(t for t in topic if t.strip()),
        concepts=tuple(c for c in concept if c.strip()),
        citing_topics=tuple(t for t in citing_topic if t.strip()),
        citing_concepts=tuple(c for c in citing_concept if c.strip()),
        by=by,
        k=k,
    )
    fmt = conneg.negotiate(
        request.headers.get("accept"),
        [conneg.Format("json", "application/json"), conneg.HTML],
    )
    result = await state.backend.run(RankTask(spec), lane=PAGES)
    if fmt is not conneg.HTML:
        if isinstance(result, Failure):
            return text_error(result)
        assert isinstance(result, RankResult)
        return JSONResponse(_ranking(result, by, k).model_dump())
    context: dict = {
        "title": "Rank papers",
        "spec": spec,
        "error": None,
        "rows": [],
        "query": "",
        "max_k": MAX_K,
    }
    status = 200
    if isinstance(result, Failure):
        if result.kind not in ("not_found", "bad_request"):
            return page_error(request, state, result)
        context["error"] = result.message
        status = 404 if result.kind == "not_found" else 400
    else:
        assert isinstance(result, RankResult)
        linker = Linker(state.base)
        context["rows"] = [
            (Value(r.title or r.paper, linker.href(r.paper), r.paper), r.citations, r.page_rank)
            for r in result.rows
        ]
        context["query"] = result.query
        context["filters"] = {
            key.replace("_", " "): [
                Value(r.label or r.text, linker.href(r.iri.value), r.iri.value) for r in found
            ]
            for key, found in result.resolved.items()
            if found
        }
    return state.templates.TemplateResponse(request, "rank.html", context, status_code=status)
