"""``GET /search``: full-text search over papers, authors, institutions, concepts and topics.

JSON for programs (``Accept: application/json``: every result with its IRI),
an HTML page for people (results grouped by kind, facets, paging); the box in
every page's header submits here, and its suggestions come from the JSON.
The index is the build's ``DATA/search.sqlite`` (:mod:`ckg_rdf.search`), read
by :mod:`ckg_rdf.service.search`; no SPARQL runs.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from ckg_rdf.search import SearchHit, SearchRequest, SearchResult, SearchTimeout, SearchUnavailable
from ckg_rdf.search.query import MARK_END, MARK_START
from ckg_rdf.service import conneg
from ckg_rdf.service.deps import State
from ckg_rdf.service.responses import page_error, text_error
from ckg_rdf.service.tasks import Failure
from ckg_rdf.service.views import Linker, Pager

router = APIRouter(tags=["search"])

Kind = Literal["paper", "author", "institution", "concept", "topic"]
JSON = conneg.Format("json", "application/json")
#: hits of each kind on the grouped results page
GROUP = 5
MAX_PAGE = 500
#: what each kind is called on the page
KIND_NAMES = {
    "paper": ("paper", "papers"),
    "author": ("author", "authors"),
    "institution": ("institution", "institutions"),
    "concept": ("concept", "concepts"),
    "topic": ("topic", "topics"),
}


class Hit(BaseModel):
    iri: str = Field(description="The resource's IRI (dereference it for its description).")
    href: str | None = Field(description="Its page on this server (root-relative), if any.")
    kind: Kind
    label: str = Field(description="Its label (title, name, preferred label).")
    detail: str = Field(description="One line about it (date and journal, type, affiliation).")
    year: int | None = Field(description="A paper's publication year.")
    concept_type: str | None = Field(description="A concept's type (e.g. GENE_OR_PROTEIN).")
    score: float = Field(description="Relevance: BM25 with popularity and exact-match boosts.")
    exact: bool = Field(description="The whole query is its label or one of its synonyms.")
    snippet: str = Field(description="For a paper, the part of its abstract that matched.")


class Facet(BaseModel):
    value: str = Field(description="The value to filter on (pass it as the facet's parameter).")
    label: str
    count: int = Field(description="Results with this value, given the other filters.")


class SearchAnswer(BaseModel):
    q: str
    total: int = Field(description="Results matching the query and filters.")
    page: int
    per_page: int
    results: list[Hit]
    facets: dict[str, list[Facet]] = Field(
        description="Counts by type, year, concept_type and topic (each over the other filters)."
    )
    corrections: dict[str, str] = Field(
        description="Words that matched nothing, with the indexed word searched as well."
    )
    groups: dict[str, list[Hit]] = Field(
        description="With `group=N`: the best N results of each kind, kinds in order of their "
        "best result."
    )
    relaxed: bool = Field(description="No result matched every word: these match any of them.")
    took_ms: float = Field(description="Time the index took, in milliseconds.")


def _plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def snippet_html(snippet: str) -> Markup:
    """The snippet escaped, its matches in <mark>."""
    text = str(escape(snippet))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _hit(h: SearchHit, linker: Linker) -> Hit:
    return Hit(
        iri=h.iri,
        href=linker.href(h.iri),
        kind=h.kind,  # type: ignore[arg-type]
        label=h.label,
        detail=h.detail,
        year=h.year,
        concept_type=h.concept_type,
        score=round(h.score, 4),
        exact=h.exact,
        snippet=_plain(h.snippet),
    )


def _answer(result: SearchResult, linker: Linker) -> SearchAnswer:
    return SearchAnswer(
        q=result.q,
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        results=[_hit(h, linker) for h in result.hits],
        groups={k: [_hit(h, linker) for h in hits] for k, hits in result.groups.items()},
        facets={
            name: [Facet(value=v.value, label=v.label, count=v.count) for v in values]
            for name, values in result.facets.items()
        },
        corrections=result.corrections,
        relaxed=result.relaxed,
        took_ms=round(result.took_ms, 2),
    )


def _url(params: dict[str, object], **changes: object) -> str:
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "") or k == "q"}
    if kept.get("page") == 1:
        kept.pop("page")
    return "/search?" + urlencode(kept)


@router.get(
    "/search",
    response_model=SearchAnswer,
    summary="Search papers, authors, institutions, concepts and topics",
    responses={
        200: {
            "content": {"text/html": {}},
            "description": "JSON for `Accept: application/json`, else the results page.",
        },
        503: {
            "content": {"text/plain": {}, "text/html": {}},
            "description": "The graph has no search index yet, or the search ran too long.",
        },
    },
)
async def search(
    request: Request,
    state: State,
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Words to find (all of them; a quoted phrase as a phrase; the last "
            "word also as a prefix). Words that match nothing are corrected when an indexed "
            "word is one or two edits away.",
        ),
    ] = "",
    type: Annotated[Kind | None, Query(description="Only results of this kind.")] = None,
    year: Annotated[
        int | None, Query(ge=0, le=9999, description="Only papers published this year.")
    ] = None,
    concept_type: Annotated[
        str | None,
        Query(max_length=64, description="Only concepts of this type (e.g. GENE_OR_PROTEIN)."),
    ] = None,
    topic: Annotated[
        str | None, Query(max_length=2000, description="Only papers on this topic (its IRI).")
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of results.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Results per page.")] = 20,
    group: Annotated[
        int,
        Query(ge=0, le=10, description="JSON: also the best N results of each kind (`groups`)."),
    ] = 0,
) -> Response:
    """Ranked full-text search (SQLite FTS5, BM25) over paper titles, abstracts and authors,
    author and institution names, concept labels and synonyms, topic labels and terms,
    with facets and paging."""
    fmt = conneg.negotiate(request.headers.get("accept"), [conneg.HTML, JSON]) or conneg.HTML
    grouped = fmt is conneg.HTML and type is None and page == 1
    req = SearchRequest(
        q=q,
        page=page,
        per_page=per_page,
        kind=type,
        year=year,
        concept_type=concept_type or None,
        topic=topic or None,
        group=GROUP if grouped else (group if fmt is JSON else 0),
    )
    result: SearchResult | Failure
    try:
        result = await state.search.search(req) if q.strip() else SearchResult(q=q)
    except SearchUnavailable as exc:
        result = Failure("unavailable", str(exc))
    except SearchTimeout as exc:
        result = Failure("timeout", str(exc))
    linker = Linker(state.base)
    if fmt is JSON:
        if isinstance(result, Failure):
            return text_error(result)
        return JSONResponse(
            _answer(result, linker).model_dump(),
            headers={"Server-Timing": f"search;dur={result.took_ms:.1f}"},
        )
    if isinstance(result, Failure):
        return page_error(request, state, result)
    params: dict[str, object] = {
        "q": q,
        "type": type,
        "year": year,
        "concept_type": concept_type,
        "topic": topic,
        "per_page": per_page if per_page != 20 else None,
    }
    return state.templates.TemplateResponse(
        request,
        "search.html",
        {
            "title": f"Search: {q}" if q else "Search",
            "q": q,
            "result": result,
            "grouped": grouped,
            "groups": _groups(result, linker) if grouped else [],
            "hits": [_hit_view(h, linker) for h in result.hits],
            "facets": _facet_links(result, params),
            "filters": _active(result, params),
            "pager": Pager(result.total, page, per_page, _pager_url(params)),
            "kind_names": KIND_NAMES,
            "url": lambda **kw: _url(params, page=None, **kw),
        },
        headers={"Server-Timing": f"search;dur={result.took_ms:.1f}"},
    )


def _pager_url(params: dict[str, object]):  # type: ignore[no-untyped-def]
    return lambda n: _url(params, page=n)


def _hit_view(hit: SearchHit, linker: Linker) -> dict[str, object]:
    return {
        "hit": hit,
        "href": linker.href(hit.iri),
        "snippet": snippet_html(hit.snippet) if hit.snippet else None,
    }


def _groups(result: SearchResult, linker: Linker) -> list[dict[str, object]]:
    totals = {v.value: v.count for v in result.facets.get("type", [])}
    return [
        {
            "kind": kind,
            "total": totals.get(kind, len(hits)),
            "hits": [_hit_view(h, linker) for h in hits],
        }
        for kind, hits in result.groups.items()
    ]


def _facet_links(result: SearchResult, params: dict[str, object]) -> list[dict[str, object]]:
    names = {"type": "Type", "year": "Year", "concept_type": "Concept type", "topic": "Topic"}
    out = []
    for facet, title in names.items():
        values = result.facets.get(facet, [])
        if not values:
            continue
        current = params.get(facet)
        out.append(
            {
                "name": facet,
                "title": title,
                "choices": [
                    {
                        "label": KIND_NAMES[v.value][1] if facet == "type" else v.label,
                        "count": v.count,
                        "active": str(current) == v.value,
                        "href": _url(
                            params,
                            page=None,
                            **{facet: None if str(current) == v.value else v.value},
                        ),
                    }
                    for v in values
                ],
            }
        )
    return out


def _active(result: SearchResult, params: dict[str, object]) -> list[dict[str, str]]:
    labels = {(name, v.value): v.label for name, values in result.facets.items() for v in values}
    out = []
    for facet in ("type", "year", "concept_type", "topic"):
        value = params.get(facet)
        if value is None or value == "":
            continue
        label = labels.get((facet, str(value)), str(value))
        if facet == "type":
            label = KIND_NAMES.get(str(value), (label, label))[1]
        out.append({"label": label, "href": _url(params, page=None, **{facet: None})})
    return out
