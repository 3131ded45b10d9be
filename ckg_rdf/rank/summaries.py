"""Counts and short ranked lists over the whole graph, computed once per build.

The questions researchers ask most ("the top concepts", "which papers do epidemiology
papers cite most", "what co-occurs with asthma") are aggregates over every paper. A
SPARQL engine answers them by counting per request: on a 300k-paper store the concept
"human" alone has 250k papers, so counting what its papers cite takes seconds, and a
tie broken by comparing IRIs as strings costs more than the count (issue 21). The build
already reads every link once, so it counts here, with sparse matrices, and the graph
keeps the answers:

* counts on the nodes: a concept's, topic's and institution's ``ckg:paperCount``, a
  concept's ``ckg:mentionTotal``, an institution's ``ckg:authorCount``;
* the first :data:`K` of each ranked list as ``ckg:RankEntry`` nodes (kind, scope, place,
  item, value), see :class:`Kind`.

Every count is defined exactly as the live query it replaces (the named queries in
``sparql/`` keep that query in a comment), and every order is total: ties are broken by
numbers first, then by IRI or label in SPARQL's string order, so the lists are the ones
the live query would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
from scipy import sparse

#: entries kept per ranked list (a named query's page; its LIMIT)
K = 20
#: entries kept for the corpus-wide lists (top concepts of a type, top institutions)
K_CORPUS = 100


class Kind(Enum):
    """The ranked lists, by their ontology individual's local name."""

    #: papers on a topic or with a concept, by in-corpus citations (the citation places)
    MOST_CITED_IN = "MostCitedIn"
    #: papers by citations from papers on a topic or with a concept
    MOST_CITED_FROM = "MostCitedFrom"
    #: concepts by the papers they share with a concept
    CO_OCCURRING = "CoOccurring"
    #: papers mentioning a concept, by mentions
    MOST_MENTIONING = "MostMentioning"
    #: concepts of a type by papers mentioning them
    TOP_CONCEPTS = "TopConcepts"
    #: institutions by papers with one of their authors (no scope: the whole corpus)
    TOP_INSTITUTIONS = "TopInstitutions"


@dataclass(frozen=True)
class Entry:
    kind: Kind
    scope: str | None
    place: int
    item: str
    value: int


class Index:
    """Strings to dense integers, in first-seen order."""

    def __init__(self, items: Sequence[str] = ()) -> None:
        self.items: list[str] = []
        self._ids: dict[str, int] = {}
        for item in items:
            self.id(item)

    def id(self, item: str) -> int:
        found = self._ids.get(item)
        if found is None:
            found = self._ids[item] = len(self.items)
            self.items.append(item)
        return found

    def get(self, item: str) -> int | None:
        return self._ids.get(item)

    def __len__(self) -> int:
        return len(self.items)

    def string_order(self) -> np.ndarray:
        """Each item's rank in SPARQL's (code point) string order."""
        ranks = np.empty(len(self.items), dtype=np.int64)
        ranks[sorted(range(len(self.items)), key=self.items.__getitem__)] = np.arange(
            len(self.items)
        )
        return ranks


@dataclass
class Links:
    """A relation between two indexed sets as coordinate arrays (duplicates allowed)."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)

    def add(self, row: int, col: int) -> None:
        self.rows.append(row)
        self.cols.append(col)

    def matrix(self, shape: tuple[int, int]) -> sparse.csr_matrix:
        """0/1 matrix: a pair linked twice still counts once (COUNT(DISTINCT ...))."""
        m = sparse.csr_matrix(
            (np.ones(len(self.rows), dtype=np.int64), (self.rows, self.cols)), shape=shape
        )
        m.data[:] = 1
        return m


def first(values: np.ndarray, *ties: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest ``values``, ties broken by each of ``ties`` ascending."""
    if len(values) > 4 * k:
        # only what can reach the first k: the k-th largest value and above
        cut = np.partition(values, len(values) - k)[len(values) - k]
        keep = np.flatnonzero(values >= cut)
    else:
        keep = np.arange(len(values))
    order = np.lexsort(tuple(t[keep] for t in reversed(ties)) + (-values[keep],))
    return keep[order[:k]]


def row_lists(
    matrix: sparse.csr_matrix,
    *ties: np.ndarray,
    k: int,
    skip_diagonal: bool = False,
) -> list[list[tuple[int, int]]]:
    """For each row, its first ``k`` (column, value) by value, ties by ``ties`` (per column)."""
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    out: list[list[tuple[int, int]]] = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        cols = matrix.indices[start:end]
        vals = matrix.data[start:end]
        if skip_diagonal:
            keep = cols != row
            cols, vals = cols[keep], vals[keep]
        picked = first(vals, *(t[cols] for t in ties), k=k)
        out.append([(int(cols[i]), int(vals[i])) for i in picked])
    return out


def entries(
    kind: Kind,
    scopes: Sequence[str | None],
    items: Sequence[str],
    lists: Sequence[list[tuple[int, int]]],
) -> list[Entry]:
    """Ranked lists as entries (places from 1); an empty list adds nothing."""
    return [
        Entry(kind, scope, place, items[item], value)
        for scope, found in zip(scopes, lists, strict=True)
        for place, (item, value) in enumerate(found, start=1)
    ]


@dataclass
class GraphLinks:
    """What the summaries are computed from, as the graph gives it (IRIs and labels)."""

    #: paper -> (citation place, citation count, PageRank), from the ranks stage
    papers: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    #: (paper, concept, mentions, score) per concept annotation
    annotations: list[tuple[str, str, int, float]] = field(default_factory=list)
    #: every topic IRI
    topics: list[str] = field(default_factory=list)
    #: (paper, topic)
    topic_links: list[tuple[str, str]] = field(default_factory=list)
    #: (citing, cited)
    citations: list[tuple[str, str]] = field(default_factory=list)
    #: concept -> (preferred label, type IRI or None)
    concepts: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: (paper, author)
    authorships: list[tuple[str, str]] = field(default_factory=list)
    #: (author, institution)
    affiliations: list[tuple[str, str]] = field(default_factory=list)
    #: institution -> name
    institutions: dict[str, str] = field(default_factory=dict)


@dataclass
class Summaries:
    #: (node, count) per count property's local name ("paperCount", ...)
    counts: dict[str, list[tuple[str, int]]]
    entries: list[Entry]


def summarise(g: GraphLinks) -> Summaries:
    """Every count and ranked list of the module docstring, from ``g``."""
    papers = Index(list(g.papers))
    # papers linked but not ranked (a graph without the ranks stage, as after 'ckg concepts'
    # alone): no citations and no PageRank, so after every ranked paper, by IRI
    for paper in (
        *(a[0] for a in g.annotations),
        *(t[0] for t in g.topic_links),
        *(x for pair in g.citations for x in pair),
        *(a[0] for a in g.authorships),
    ):
        papers.id(paper)
    paper_order = papers.string_order()
    n, ranked = len(papers), len(g.papers)
    unranked_place = {
        i: len(g.papers) + 1 + k
        for k, i in enumerate(sorted(range(ranked, n), key=lambda i: paper_order[i]))
    }
    places = np.array(
        [g.papers[p][0] if i < ranked else unranked_place[i] for i, p in enumerate(papers.items)],
        dtype=np.int64,
    )
    cited_counts = np.array(
        [g.papers[p][1] if p in g.papers else 0 for p in papers.items], dtype=np.int64
    )
    page_rank = np.array(
        [g.papers[p][2] if p in g.papers else 0.0 for p in papers.items], dtype=np.float64
    )

    concepts = Index(list(g.concepts))
    topics = Index(g.topics)
    concept_label_order = Index([g.concepts[c][0] for c in concepts.items])
    # ranks of the labels (not of the concepts): two concepts may share a label
    label_rank = concept_label_order.string_order()[
        [concept_label_order.get(g.concepts[c][0]) for c in concepts.items]
    ]

    mentions: Links = Links()
    mention_counts: list[int] = []
    scores: list[float] = []
    for paper, concept, count, score in g.annotations:
        p, c = papers.get(paper), concepts.get(concept)
        if p is None or c is None:
            continue
        mentions.add(c, p)
        mention_counts.append(count)
        scores.append(score)
    concept_papers = mentions.matrix((len(concepts), n))
    topic_links = Links()
    for paper, topic in g.topic_links:
        p = papers.get(paper)
        if p is not None:
            topic_links.add(topics.id(topic), p)
    # (a topic linked but not listed still gets its row: ids are given out as met)
    topic_papers = topic_links.matrix((len(topics), n))
    cites = Links()
    for citing, cited in g.citations:
        a, b = papers.get(citing), papers.get(cited)
        if a is not None and b is not None and a != b:
            cites.add(a, b)
    citation_matrix = cites.matrix((n, n))

    found: list[Entry] = []
    scope_names = [*topics.items, *concepts.items]
    members = sparse.vstack([topic_papers, concept_papers]).tocsr()
    # by citation place: the largest "value" is place 1
    by_place = members.multiply(sparse.csr_matrix(n + 1 - places)).tocsr()
    lists = row_lists(by_place, k=K)
    found += entries(
        Kind.MOST_CITED_IN,
        scope_names,
        papers.items,
        [[(col, int(cited_counts[col])) for col, _ in row] for row in lists],
    )
    cited_from = (members @ citation_matrix).tocsr()
    found += entries(
        Kind.MOST_CITED_FROM,
        scope_names,
        papers.items,
        row_lists(cited_from, -page_rank, paper_order, k=K),
    )
    shared = (concept_papers @ concept_papers.T).tocsr()
    found += entries(
        Kind.CO_OCCURRING,
        concepts.items,
        concepts.items,
        row_lists(shared, label_rank, concepts.string_order(), k=K, skip_diagonal=True),
    )

    # papers mentioning each concept, most mentions first (then score, then IRI)
    rows = np.array(mentions.rows, dtype=np.int64)
    cols = np.array(mentions.cols, dtype=np.int64)
    counts_of = np.array(mention_counts, dtype=np.int64)
    scores_of = np.array(scores, dtype=np.float64)
    order = np.lexsort((paper_order[cols], -scores_of, -counts_of, rows))
    starts = np.searchsorted(rows[order], np.arange(len(concepts) + 1))
    # (one annotation per paper and concept: the concepts step writes one)
    found += entries(
        Kind.MOST_MENTIONING,
        concepts.items,
        papers.items,
        [
            [
                (int(cols[i]), int(counts_of[i]))
                for i in order[starts[c] : min(starts[c] + K, starts[c + 1])]
            ]
            for c in range(len(concepts))
        ],
    )
    concept_mentions = np.bincount(rows, weights=counts_of, minlength=len(concepts)).astype(
        np.int64
    )

    concept_paper_count = np.asarray(concept_papers.sum(axis=1)).ravel()
    types = Index(sorted({t for _, t in g.concepts.values() if t is not None}))
    concept_order = concepts.string_order()
    for type_iri in types.items:
        of_type = np.array(
            [i for i, c in enumerate(concepts.items) if g.concepts[c][1] == type_iri],
            dtype=np.int64,
        )
        of_type = of_type[concept_paper_count[of_type] > 0]
        picked = first(
            concept_paper_count[of_type],
            -concept_mentions[of_type],
            label_rank[of_type],
            concept_order[of_type],
            k=K_CORPUS,
        )
        found += entries(
            Kind.TOP_CONCEPTS,
            [type_iri],
            concepts.items,
            [[(int(of_type[i]), int(concept_paper_count[of_type[i]])) for i in picked]],
        )

    institutions = Index(list(g.institutions))
    authors = Index()
    wrote = Links()
    for paper, author in g.authorships:
        p = papers.get(paper)
        if p is not None:
            wrote.add(p, authors.id(author))
    works_at = Links()
    for author, institution in g.affiliations:
        i = institutions.get(institution)
        if i is not None:
            works_at.add(authors.id(author), i)
    shape_pa = (n, len(authors))
    paper_author = wrote.matrix(shape_pa)
    author_institution = works_at.matrix((len(authors), len(institutions)))
    paper_institution = (paper_author @ author_institution).tocsc()
    paper_institution.data[:] = 1
    institution_papers = np.diff(paper_institution.indptr)
    has_paper = (np.asarray(paper_author.sum(axis=0)).ravel() > 0).astype(np.int64)
    institution_authors = np.asarray(
        author_institution.multiply(has_paper[:, None]).sum(axis=0)
    ).ravel()
    names = Index([g.institutions[i] for i in institutions.items])
    name_rank = names.string_order()[[names.get(g.institutions[i]) for i in institutions.items]]
    with_papers = np.flatnonzero(institution_papers > 0)
    picked = first(
        institution_papers[with_papers],
        name_rank[with_papers],
        institutions.string_order()[with_papers],
        k=K_CORPUS,
    )
    found += entries(
        Kind.TOP_INSTITUTIONS,
        [None],
        institutions.items,
        [[(int(with_papers[i]), int(institution_papers[with_papers[i]])) for i in picked]],
    )

    topic_paper_count = np.asarray(topic_papers.sum(axis=1)).ravel()
    counts = {
        "paperCount": [
            *((c, int(v)) for c, v in zip(concepts.items, concept_paper_count, strict=True)),
            *((t, int(v)) for t, v in zip(topics.items, topic_paper_count, strict=True)),
            *((i, int(v)) for i, v in zip(institutions.items, institution_papers, strict=True)),
        ],
        "mentionTotal": [
            (c, int(v)) for c, v in zip(concepts.items, concept_mentions, strict=True)
        ],
        "authorCount": [
            (i, int(v)) for i, v in zip(institutions.items, institution_authors, strict=True)
        ],
    }
    return Summaries(counts, found)
