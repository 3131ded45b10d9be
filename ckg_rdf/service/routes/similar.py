"""``GET /paper/{id}/similar``: the papers nearest to one paper, by cosine, as JSON.

The search runs on the index the app holds (:mod:`ckg_rdf.service.similar`);
only the titles come from the store, through a query worker. The paper page
shows the same list (:func:`similar_papers`, used by ``routes/resources.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from ckg_rdf.embed.combine import MODES
from ckg_rdf.embed.index import MAX_K, SimilarError, UnknownPaperError
from ckg_rdf.embed.similar import titles_query
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.deps import State
from ckg_rdf.service.similar import SimilarUnavailable
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import Payload, QueryTask
from ckg_rdf.service.views import Linker, Value, curie

router = APIRouter(tags=["similar papers"])

#: the paper page shows this many, in combined mode, waiting at most this long for a first load
PAGE_K = 10
PAGE_WAIT_S = 5.0

Mode = Literal["semantic", "kg", "combined"]
assert get_args(Mode) == MODES, "Mode must list ckg_rdf.embed.combine.MODES"

#: what each mode compares, for the OpenAPI document
MODE_HELP = (
    "`semantic`: text embeddings of title, abstract (and body); `kg`: TransE embeddings of "
    "the graph; `combined`: both, each part L2-normalised and weighted."
)


class SimilarPaper(BaseModel):
    paper: str = Field(description="The similar paper's IRI.")
    title: str | None = Field(description="Its ckg:title, if it has one.")
    score: float = Field(description="Cosine similarity to the requested paper.")


class SimilarPapers(BaseModel):
    paper: str = Field(description="The requested paper's IRI.")
    mode: Mode
    k: int
    model: dict[str, str] = Field(
        description="The embedding model IRI of each part the mode uses (semantic, kg)."
    )
    results: list[SimilarPaper] = Field(
        description="At most k papers, best first, never the paper itself."
    )


@dataclass(frozen=True)
class SimilarLink:
    paper: Value
    score: float


async def similar_papers(
    state: ServiceState, paper_id: str, k: int, mode: str, wait_s: float
) -> SimilarPapers:
    """Search the app's index and add titles.

    Raises :class:`SimilarUnavailable` (no index), :class:`UnknownPaperError`
    (no such paper, or no vector of it in this mode) or :class:`SimilarError` (bad k/mode).
    """
    index = await state.similar.get(wait_s)
    paper_iri = state.iris.paper(paper_id).value
    hits = index.similar(paper_iri, k=k, mode=mode)  # under a millisecond: on the loop
    titles: dict[str, str] = {}
    query = titles_query(iri for iri, _ in hits)
    if query is not None:
        result = await state.backend.run(QueryTask(query, format="json"), lane=PAGES)
        if isinstance(result, Payload):
            titles = {
                b["p"]["value"]: b["t"]["value"]
                for b in json.loads(result.body)["results"]["bindings"]
            }
    parts = ("semantic", "kg") if mode == "combined" else (mode,)
    return SimilarPapers(
        paper=paper_iri,
        mode=mode,  # type: ignore[arg-type]
        k=k,
        model={p: index.models[p] for p in parts if index.models.get(p)},
        results=[SimilarPaper(paper=iri, title=titles.get(iri), score=s) for iri, s in hits],
    )


async def similar_for_page(state: ServiceState, iri: str, linker: Linker) -> list[SimilarLink]:
    """The paper page's "Similar papers" list; empty when there is no index or no vector."""
    paper_id = state.iris.local_id(iri, "paper")
    if paper_id is None:
        return []
    try:
        found = await similar_papers(state, paper_id, PAGE_K, "combined", wait_s=PAGE_WAIT_S)
    except (SimilarUnavailable, UnknownPaperError, SimilarError):
        return []
    return [
        SimilarLink(Value(r.title or curie(r.paper), linker.href(r.paper), r.paper), r.score)
        for r in found.results
    ]


@router.get(
    "/paper/{paper_id}/similar",
    response_model=SimilarPapers,
    summary="Papers similar to this one",
    responses={
        404: {
            "description": "No such paper (or no vector of it in this mode), or the store "
            "was built without embeddings."
        },
        422: {
            "description": f"`k` is not an integer from 1 to {MAX_K}, or `mode` is not one "
            "of semantic, kg, combined."
        },
        503: {"description": "The index is still loading, or could not be loaded."},
    },
)
async def similar(
    state: State,
    paper_id: Annotated[str, Path(description="The paper's id (cord_uid, or a parse's sha).")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many papers.")] = 10,
    mode: Annotated[Mode, Query(description=MODE_HELP)] = "combined",
) -> SimilarPapers:
    """The ``k`` papers most similar to this one, ranked by cosine, never the paper itself.

    Scores are cosines between the papers' embeddings stored in the graph
    (``ckg:hasEmbedding``), searched with a faiss HNSW index.
    """
    try:
        return await similar_papers(state, paper_id, k, mode, wait_s=state.settings.timeout_s)
    except SimilarUnavailable as exc:
        headers = {"Retry-After": "10"} if exc.status == 503 else None
        raise HTTPException(exc.status, exc.message, headers=headers) from None
    except UnknownPaperError as exc:
        raise HTTPException(
            404, f"no paper {paper_id!r} with a {mode} embedding in this store"
        ) from exc
    except SimilarError as exc:  # FastAPI validated k and mode already; kept for safety
        raise HTTPException(422, str(exc)) from None
