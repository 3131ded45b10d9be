"""Rankings of papers as SPARQL: by in-corpus citations (optionally counted only from some
papers) or by PageRank, over the papers on a topic and/or featuring every one of some concepts.

The query is composed here from a few fixed pieces; every IRI enters it through
pyoxigraph's term syntax (``str(NamedNode)``), which validates and escapes it, so a
parameter can never change the query's structure. ``ckg rank`` and ``/rank`` run
the composed query and show it, so a user can copy and adapt it; the simple cases
are also named queries in ``sparql/`` (``most-cited-on-topic``, ...).

Semantics (what the counts mean):

* ``topics``: the ranked papers are linked (``ckg:associatedTopic``) to every topic given;
* ``concepts``: the ranked papers mention (``ckg:associatedConcept``) every concept given;
* ``citing_topics`` / ``citing_concepts``: a citation counts only when the *citing*
  paper is on one of these topics or mentions one of these concepts (either);
* citations are distinct citing papers of the corpus (self-citations never exist in
  the graph); ties are broken by PageRank, then by IRI, so the order is stable;
* ``by="pagerank"`` orders by the stored ``ckg:pageRank`` instead (citing filters
  then only change the citation column, not the order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from pyoxigraph import NamedNode

from ckg_rdf.errors import CkgError
from ckg_rdf.vocab import CKG, RDFS

Order = Literal["citations", "pagerank"]
ORDERS: tuple[str, ...] = ("citations", "pagerank")
MAX_K = 1000


class RankingError(CkgError, ValueError):
    """A ranking request that cannot be answered; the message says why."""


@dataclass(frozen=True)
class RankRequest:
    topics: tuple[NamedNode, ...] = ()
    concepts: tuple[NamedNode, ...] = ()
    citing_topics: tuple[NamedNode, ...] = ()
    citing_concepts: tuple[NamedNode, ...] = ()
    by: str = "citations"
    k: int = 20
    offset: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        if self.by not in ORDERS:
            raise RankingError(f"rank by one of {', '.join(ORDERS)}, not {self.by!r}")
        if not 1 <= self.k <= MAX_K:
            raise RankingError(f"k must be from 1 to {MAX_K}, got {self.k}")
        if self.offset < 0:
            raise RankingError("offset must be 0 or more")


def _values(var: str, terms: Sequence[NamedNode]) -> str:
    return f"VALUES ?{var} {{ {' '.join(str(t) for t in terms)} }}"


def _details() -> str:
    """What a ranked row shows beside its paper: its stored count, PageRank and title."""
    return f"""OPTIONAL {{ ?paper {CKG.citationCount} ?counted }}
  BIND(COALESCE(?counted, 0) AS ?citations)
  OPTIONAL {{ ?paper {CKG.pageRank} ?pageRank }}
  OPTIONAL {{ ?paper {RDFS.label} ?title }}"""


def _stored_counts(pattern: str, order: str, request: RankRequest) -> str:
    """The papers matching ``pattern`` with their stored citation count and PageRank."""
    return f"""SELECT ?paper ?title ?citations ?pageRank
WHERE {{
  {pattern}
  {_details()}
}}
ORDER BY {order}
LIMIT {request.k}
OFFSET {request.offset}
"""


def _by_place(pattern: str, request: RankRequest) -> str:
    """The papers matching ``pattern`` (which binds ``?place``) in place order: the places
    are sorted first and only the page's papers read their count, score and title."""
    return f"""SELECT ?paper ?title ?citations ?pageRank
WHERE {{
  {{
    SELECT ?paper ?place
    WHERE {{
      {pattern}
    }}
    ORDER BY ?place
    LIMIT {request.k}
    OFFSET {request.offset}
  }}
  {_details()}
}}
ORDER BY ?place
"""


def by_position(request: RankRequest) -> bool:
    """Whether ``request`` orders papers by the places the build stores
    (:mod:`ckg_rdf.rank.positions`): when every citation counts, the order is exactly
    those places, so the query sorts one number per paper instead of three keys."""
    return not (request.citing_topics or request.citing_concepts)


def filter_nodes(request: RankRequest) -> tuple[NamedNode, ...]:
    """The topics and concepts a ranked paper must have."""
    return (*request.topics, *request.concepts)


def ranking_query(
    request: RankRequest,
    *,
    positions: bool = False,
    sizes: Mapping[str, int] | None = None,
    places: range | None = None,
) -> str:
    """The SPARQL SELECT answering ``request``: ?paper ?title ?citations ?pageRank.

    ``positions``: the graph has every paper's rank places (a build since issue 21);
    used when :func:`by_position` says they answer the request. Then:

    * ``sizes`` (node IRI -> papers): the filters are joined smallest first, so the engine
      walks the fewest papers (it keeps the written order of a join);
    * ``places``: only the papers at these places (one lookup each) are checked against the
      filters: the first ranks of a large set are found without walking the set
      (:func:`ckg_rdf.rank.run.run_ranking` decides which is cheaper).
    """
    request.check()
    if positions and by_position(request):
        place = CKG.citationPosition if request.by == "citations" else CKG.pageRankPosition
        nodes = sorted(filter_nodes(request), key=lambda n: (sizes or {}).get(n.value, 1 << 62))
        filters = [
            f"?paper {CKG.associatedTopic if n in request.topics else CKG.associatedConcept} {n} ."
            for n in nodes
        ]
        if not filters and places is None:
            # the whole corpus: look the places up (an ORDER BY would sort every paper)
            places = range(request.offset + 1, request.offset + request.k + 1)
        if places is not None:
            values = " ".join(str(n) for n in places)
            pattern = "\n      ".join(
                [f"VALUES ?place {{ {values} }}", f"?paper {place} ?place .", *filters]
            )
            return _by_place(pattern, replace(request, offset=0, k=len(places) or 1))
        pattern = "\n      ".join([*filters, f"?paper {place} ?place ."])
        return _by_place(pattern, request)
    where: list[str] = [f"?paper a {CKG.Paper} ."]
    for topic in request.topics:
        where.append(f"?paper {CKG.associatedTopic} {topic} .")
    for concept in request.concepts:
        where.append(f"?paper {CKG.associatedConcept} {concept} .")
    citing = [f"?citing {CKG.cites} ?paper ."]
    alternatives = []
    if request.citing_topics:
        alternatives.append(
            f"{{ {_values('citingTopic', request.citing_topics)} "
            f"?citing {CKG.associatedTopic} ?citingTopic }}"
        )
    if request.citing_concepts:
        alternatives.append(
            f"{{ {_values('citingConcept', request.citing_concepts)} "
            f"?citing {CKG.associatedConcept} ?citingConcept }}"
        )
    if alternatives:
        citing.append(" UNION ".join(alternatives))
    order = (
        "DESC(?citations) DESC(?pageRank) ?paper"
        if request.by == "citations"
        else "DESC(?pageRank) DESC(?citations) ?paper"
    )
    body = "\n      ".join(where)
    if not alternatives:
        # every citation counts: the count the ranks stage stored (distinct citing papers,
        # the same number) instead of counting each paper's citations per request
        return _stored_counts(body, order, request)
    citing_body = "\n        ".join(citing)
    return f"""SELECT ?paper ?title ?citations ?pageRank
WHERE {{
  {{
    SELECT ?paper (COUNT(DISTINCT ?citing) AS ?citations)
    WHERE {{
      {body}
      OPTIONAL {{
        {citing_body}
      }}
    }}
    GROUP BY ?paper
  }}
  OPTIONAL {{ ?paper {CKG.pageRank} ?pageRank }}
  OPTIONAL {{ ?paper {RDFS.label} ?title }}
}}
ORDER BY {order}
LIMIT {request.k}
OFFSET {request.offset}
"""
