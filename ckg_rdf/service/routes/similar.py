"""``GET /paper/{id}/similar``: the papers most similar to one paper, with reasons, as JSON.

The default mode, ``hybrid``, fuses BM25 and text-embedding candidates with
graph signals (``ckg_rdf.recommend``); ``bm25`` is the keyword baseline and
``semantic``, ``kg``, ``combined`` rank by one cosine. The indexes live in the
app (:mod:`ckg_rdf.service.similar`); everything read from the store (citation
neighbours, concepts, topics, titles) comes through a query worker in one task.
The paper page shows the same list (:func:`similar_for_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from ckg_rdf.embed.index import MAX_K, SimilarError, UnknownPaperError
from ckg_rdf.recommend.graph import Evidence
from ckg_rdf.recommend.reasons import reason_dict
from ckg_rdf.recommend.recommender import DEFAULT_MODE, MODES
from ckg_rdf.service.backends import PAGES
from ckg_rdf.service.deps import State
from ckg_rdf.service.similar import SimilarUnavailable
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import EvidenceTask, Failure
from ckg_rdf.service.views import Linker, Value, curie

router = APIRouter(tags=["similar papers"])

#: the paper page shows this many, in the default mode, waiting at most this long for a load
PAGE_K = 10
PAGE_WAIT_S = 5.0

Mode = Literal["hybrid", "bm25", "semantic", "kg", "combined"]
assert get_args(Mode) == MODES, "Mode must list ckg_rdf.recommend.recommender.MODES"
#: the parts (and so the embedding models) each mode ranks with
PARTS = {
    "hybrid": ("semantic", "kg"),
    "combined": ("semantic", "kg"),
    "semantic": ("semantic",),
    "kg": ("kg",),
}

#: what each mode compares, for the OpenAPI document
MODE_HELP = (
    "`hybrid` (default, the best measured): BM25 and text-embedding candidates re-ranked by a "
    "weighted sum of normalised BM25, text cosine, shared concepts and citation links "
    "(co-citation, shared references), weights chosen on the evaluation "
    "(benchmarks/eval_similar.py); `bm25`: keyword baseline over title and abstract; "
    "`semantic`: cosine of text embeddings of title, abstract (and body); `kg`: cosine of "
    "TransE embeddings of the graph; `combined`: both cosines, each part L2-normalised."
)


class ReasonItem(BaseModel):
    label: str = Field(description="A shared concept or topic label, a paper title, or a word.")
    iri: str | None = Field(description="The concept's, topic's or paper's IRI (None for words).")


class ReasonOut(BaseModel):
    kind: str = Field(
        description="`keywords` (rare words both titles/abstracts use), `text` (embedding "
        "cosine), `concepts`, `topics` (shared ones), `co_cited` (papers citing both), "
        "`cites_same` (references both cite), `cites`, `cited_by` (a direct citation), "
        "`graph` (TransE cosine)."
    )
    text: str = Field(description="The reason as a sentence.")
    contribution: float | None = Field(
        description="Share of the fused score this signal brought (hybrid mode); null in the "
        "cosine and bm25 modes, where the reason is evidence only."
    )
    items: list[ReasonItem] = Field(description="What is shared, at most five.")


class SimilarPaper(BaseModel):
    paper: str = Field(description="The similar paper's IRI.")
    title: str | None = Field(description="Its ckg:title, if it has one.")
    score: float = Field(
        description="hybrid: the fused score (weighted sum of normalised features); bm25: the "
        "BM25 score; semantic, kg, combined: cosine similarity to the requested paper."
    )
    reasons: list[ReasonOut] = Field(
        description="Why it is recommended, strongest contribution first."
    )


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
    reasons: list[ReasonOut]


async def _evidence(state: ServiceState, paper: str, candidates: list[str]) -> Evidence:
    result = await state.backend.run(EvidenceTask(paper, tuple(candidates)), lane=PAGES)
    if isinstance(result, Failure) or not isinstance(result, Evidence):
        return Evidence(paper)  # no graph evidence: text reasons only
    return result


async def similar_papers(
    state: ServiceState, paper_id: str, k: int, mode: str, wait_s: float
) -> SimilarPapers:
    """Rank with the app's indexes, read graph evidence through a worker, add reasons.

    Raises :class:`SimilarUnavailable` (no index), :class:`UnknownPaperError`
    (no such paper, or no vector of it in this mode) or :class:`SimilarError` (bad k/mode).
    """
    rec = await state.similar.get_recommender(wait_s)
    paper_iri = state.iris.paper(paper_id).value
    cands = rec.candidates(paper_iri, k, mode)  # milliseconds: on the loop
    evidence = await _evidence(state, paper_iri, cands.iris)
    ranked = rec.rank(cands, evidence, k, mode)
    models = rec.similarity.models
    return SimilarPapers(
        paper=paper_iri,
        mode=mode,  # type: ignore[arg-type]
        k=k,
        model={p: models[p] for p in PARTS.get(mode, ()) if models.get(p)},
        results=[
            SimilarPaper(
                paper=r.paper,
                title=evidence.labels.get(r.paper),
                score=r.score,
                reasons=[ReasonOut(**reason_dict(x)) for x in r.reasons],  # type: ignore[arg-type]
            )
            for r in ranked
        ],
    )


async def similar_for_page(
    state: ServiceState, iri: str, linker: Linker
) -> list[SimilarLink] | None:
    """The paper page's "Similar papers" list; empty when there is no index or no vector,
    None while the index is still loading (the page then shows none, and is not kept)."""
    paper_id = state.iris.local_id(iri, "paper")
    if paper_id is None:
        return []
    try:
        found = await similar_papers(state, paper_id, PAGE_K, DEFAULT_MODE, wait_s=PAGE_WAIT_S)
    except SimilarUnavailable as exc:
        return None if exc.status == 503 else []
    except (UnknownPaperError, SimilarError):
        return []
    return [
        SimilarLink(
            Value(r.title or curie(r.paper), linker.href(r.paper), r.paper), r.score, r.reasons
        )
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
            "of hybrid, bm25, semantic, kg, combined."
        },
        503: {"description": "The index is still loading, or could not be loaded."},
    },
)
async def similar(
    state: State,
    paper_id: Annotated[str, Path(description="The paper's id (cord_uid, or a parse's sha).")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many papers.")] = 10,
    mode: Annotated[Mode, Query(description=MODE_HELP)] = DEFAULT_MODE,
) -> SimilarPapers:
    """The ``k`` papers most similar to this one, never the paper itself, each with the
    reasons it is recommended (shared concepts or topics, co-citation, shared references,
    shared rare words, text similarity).

    The default ``hybrid`` mode beat BM25 on the shared sample's evaluation (README,
    "Similar papers"); the cosine modes rank the papers' embeddings stored in the graph
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
