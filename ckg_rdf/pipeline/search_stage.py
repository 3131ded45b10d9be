"""Search in the build: a paper step that indexes each paper's text, a stage for the rest.

The full-text index (``DATA/search.sqlite``, :mod:`ckg_rdf.search`) is a local
derived file kept in step with the graph:

* :class:`SearchTextStep` hands each new or changed paper's title, abstract,
  authors, journal and year to the driver as side records; the ``search_docs``
  sink upserts them, so paper text is indexed as papers stream in and never
  read back from the store.
* :class:`SearchStage` runs after the graph stages, whenever a graph it reads
  changed: it gives each paper its concepts' labels, citation count and topics,
  and (re)writes the documents of authors, institutions, concepts and topics
  from the graph. Every document is compared by hash first, so only what
  changed is written; documents of resources gone from the graph are deleted;
  papers missing from the index (a deleted index file, a remote store filled by
  another build) are indexed from the store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ckg_rdf.config import BuildConfig
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.identity import author_identity
from ckg_rdf.pipeline.steps import StageContext, StepDefaults, StepOutput, stage_inputs_of
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.rdf.papers import publication_date
from ckg_rdf.search import Enrichment, SearchDoc, SearchIndex
from ckg_rdf.search.query import concept_type_label
from ckg_rdf.store import GraphReader

#: side records of the step: SearchDoc of papers (text only)
SEARCH_DOCS = "search_docs"
#: graphs whose changes the stage follows
READS = ("papers", "concepts", "citations", "topics", "topic-model", "search-texts")
#: concepts of an author or institution written into its document (most papers first)
TOP_CONCEPTS = 15
#: papers per backfill query
CHUNK = 400


def _year(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def paper_doc(
    iri: str,
    *,
    title: str,
    abstract: str = "",
    authors: Sequence[str] = (),
    journal: str = "",
    date: str = "",
) -> SearchDoc:
    """The text part of a paper's document (the stage adds concepts, citations, topics)."""
    detail = " · ".join(p for p in (date, journal) if p)
    return SearchDoc(
        iri=iri,
        kind="paper",
        label=title,
        names="; ".join(authors) + ("; " + journal if journal else ""),
        body=abstract,
        detail=detail,
        year=_year(date),
        keys=(title,),
    )


@dataclass(frozen=True)
class SearchTextStep(StepDefaults):
    """PaperStep: each paper's searchable text, to the driver's ``search_docs`` sink."""

    name: str = "search-texts"
    version: str = "1"

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        docs = []
        for paper in papers:
            authors = []
            for author in paper.authors:
                ident = author_identity(author)
                if ident is not None:
                    authors.append(ident.display_name)
            date = publication_date(paper.publish_time)
            docs.append(
                paper_doc(
                    iris.paper(paper.paper_id).value,
                    # the paper's rdfs:label (ckg_rdf.rdf.papers gives untitled papers this one)
                    title=paper.title or f"Untitled paper {paper.paper_id}",
                    abstract=paper.abstract,
                    authors=authors,
                    journal=paper.journal,
                    date=date.value if date is not None else "",
                )
            )
        out = StepOutput(side={SEARCH_DOCS: docs})
        out.counts["papers indexed"] = len(docs)
        return out


def make_search_text_step(config: BuildConfig) -> SearchTextStep | None:
    return SearchTextStep() if config.search.enabled else None


# --- the stage ------------------------------------------------------------------------
def _select(store: GraphReader, query: str) -> Iterator[dict[str, str]]:
    """Rows of a SELECT as {variable: value} (the store predeclares ckg:, rdfs:, skos:)."""
    result = store.query(query)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    for solution in result:  # type: ignore[union-attr]
        yield {n: solution[n].value for n in names if solution[n] is not None}


@dataclass
class _Concept:
    label: str
    alts: list[str]
    notation: str | None


def _concept_text(concept: _Concept, repeat: int = 1) -> str:
    one = "; ".join([concept.label, *concept.alts])
    return " | ".join([one] * repeat)


def _top_concepts_text(counts: Counter[str], concepts: dict[str, _Concept]) -> str:
    parts = []
    for iri, n in counts.most_common(TOP_CONCEPTS):
        c = concepts.get(iri)
        if c is not None:
            parts.append(_concept_text(c, min(n, 3)))
    return " | ".join(parts)


@dataclass(frozen=True)
class SearchStage:
    """GraphStage: keeps ``DATA/search.sqlite`` in step with the graph (writes no graph)."""

    name: str = "search"
    version: str = "1"
    requires: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ()
    describe_first: bool = False

    def inputs(self, ctx: StageContext) -> str:
        with SearchIndex(ctx.data.search_file) as index:
            uid = index.uid
        return stage_inputs_of(ctx, [*READS, "ranks"], self.version, uid)

    def run(self, ctx: StageContext) -> dict[str, int]:
        store = ctx.store
        with SearchIndex(ctx.data.search_file) as index:
            counts: Counter[str] = Counter()
            papers = {r["p"] for r in _select(store, "SELECT ?p WHERE { ?p a ckg:Paper }")}
            missing = sorted(papers - index.iris("paper"))
            backfilled = self._backfill(store, index, missing)
            if backfilled:
                counts["papers indexed from the store"] = backfilled
            index.delete(index.iris("paper") - papers)

            concepts = self._concepts(store)
            paper_concepts: dict[str, list[str]] = defaultdict(list)
            for r in _select(store, "SELECT ?p ?c WHERE { ?p ckg:associatedConcept ?c }"):
                paper_concepts[r["p"]].append(r["c"])
            citations = {
                r["p"]: int(r["n"])
                for r in _select(
                    store,
                    "SELECT ?p (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c ckg:cites ?p "
                    "FILTER(?c != ?p) } GROUP BY ?p",
                )
            }
            paper_topics: dict[str, list[str]] = defaultdict(list)
            for r in _select(store, "SELECT ?p ?t WHERE { ?p ckg:associatedTopic ?t }"):
                paper_topics[r["p"]].append(r["t"])

            updates = {}
            for p in papers:
                linked = sorted(paper_concepts.get(p, ()))
                updates[p] = Enrichment(
                    concepts=" | ".join(
                        _concept_text(concepts[c]) for c in linked if c in concepts
                    ),
                    popularity=float(citations.get(p, 0)),
                    facets=tuple(("topic", t) for t in sorted(paper_topics.get(p, ()))),
                )
            index.enrich(updates)

            concept_papers = Counter(c for cs in paper_concepts.values() for c in set(cs))
            index.sync("concept", self._concept_docs(concepts, concept_papers))
            topic_papers = Counter(t for ts in paper_topics.values() for t in set(ts))
            index.sync("topic", self._topic_docs(store, topic_papers))
            authors, institutions = self._people(store, concepts, paper_concepts)
            index.sync("author", authors)
            index.sync("institution", institutions)
            if index.counts.written > 1000:
                index.optimize()
            counts["documents"] = sum(index.kind_counts().values())
            counts["documents written"] = index.counts.written
            counts["documents deleted"] = index.counts.deleted
            return dict(counts)

    # -- papers ------------------------------------------------------------------------------
    def _backfill(self, store: GraphReader, index: SearchIndex, iris: list[str]) -> int:
        written = 0
        for start in range(0, len(iris), CHUNK):
            chunk = iris[start : start + CHUNK]
            values = " ".join(f"<{i}>" for i in chunk)
            info: dict[str, dict[str, str]] = defaultdict(dict)
            for r in _select(
                store,
                f"SELECT ?p ?label ?abstract ?journal ?date WHERE {{ VALUES ?p {{ {values} }} "
                "?p rdfs:label ?label . OPTIONAL { ?p ckg:abstract ?abstract } "
                "OPTIONAL { ?p ckg:journal ?journal } OPTIONAL { ?p ckg:publicationDate ?date } }",
            ):
                info[r["p"]].update(r)
            authors: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for r in _select(
                store,
                f"SELECT ?p ?n ?name WHERE {{ VALUES ?p {{ {values} }} "
                "?p ckg:qualifiedAuthorship ?e . ?e ckg:authorPosition ?n ; ckg:author ?a . "
                "?a rdfs:label ?name }",
            ):
                authors[r["p"]].append((int(r["n"]), r["name"]))
            docs = [
                paper_doc(
                    p,
                    title=row.get("label", ""),
                    abstract=row.get("abstract", ""),
                    authors=[name for _, name in sorted(authors.get(p, []))],
                    journal=row.get("journal", ""),
                    date=row.get("date", ""),
                )
                for p, row in info.items()
            ]
            written += index.put_papers_text(docs)
            index.commit()
        return written

    # -- concepts and topics ------------------------------------------------------------------
    def _concepts(self, store: GraphReader) -> dict[str, _Concept]:
        concepts: dict[str, _Concept] = {}
        for r in _select(
            store,
            "SELECT ?c ?label ?type WHERE { ?c a ckg:Concept ; skos:prefLabel ?label . "
            "OPTIONAL { ?c ckg:conceptType ?t . ?t skos:notation ?type } }",
        ):
            known = concepts.get(r["c"])
            if known is None or r["label"] < known.label:  # several labels: the least
                concepts[r["c"]] = _Concept(r["label"], [], r.get("type"))
        for r in _select(store, "SELECT ?c ?alt WHERE { ?c a ckg:Concept ; skos:altLabel ?alt }"):
            c = concepts.get(r["c"])
            if c is not None and r["alt"] != c.label:
                c.alts.append(r["alt"])
        for c in concepts.values():
            c.alts.sort()
        return concepts

    def _concept_docs(
        self, concepts: dict[str, _Concept], papers: Counter[str]
    ) -> Iterator[SearchDoc]:
        for iri, c in concepts.items():
            n = papers.get(iri, 0)
            kind = concept_type_label(c.notation) if c.notation else "concept"
            yield SearchDoc(
                iri=iri,
                kind="concept",
                label=c.label,
                names="; ".join(c.alts),
                detail=f"{kind} · {n:,} paper{'s' if n != 1 else ''}",
                concept_type=c.notation,
                popularity=float(n),
                keys=(c.label, *c.alts),
            )

    def _topic_docs(self, store: GraphReader, papers: Counter[str]) -> list[SearchDoc]:
        topics: dict[str, dict[str, Any]] = {}
        for r in _select(
            store,
            "SELECT ?t ?label ?notation WHERE { ?t a ckg:Topic ; rdfs:label ?label . "
            "OPTIONAL { ?t skos:notation ?notation } }",
        ):
            topics.setdefault(r["t"], {"label": r["label"], "names": [], "terms": []})
            if r.get("notation"):
                topics[r["t"]]["names"].append(r["notation"])
        for r in _select(store, "SELECT ?t ?alt WHERE { ?t a ckg:Topic ; skos:altLabel ?alt }"):
            if r["t"] in topics:
                topics[r["t"]]["names"].append(r["alt"])
        for r in _select(
            store,
            "SELECT ?t ?text ?rank WHERE { ?t a ckg:Topic ; ckg:topTerm ?x . "
            "?x ckg:termText ?text ; ckg:termRank ?rank }",
        ):
            if r["t"] in topics:
                topics[r["t"]]["terms"].append((int(r["rank"]), r["text"]))
        docs = []
        for iri, t in topics.items():
            n = papers.get(iri, 0)
            terms = [text for _, text in sorted(t["terms"])[:10]]
            docs.append(
                SearchDoc(
                    iri=iri,
                    kind="topic",
                    label=t["label"],
                    names="; ".join(sorted(set(t["names"]))),
                    concepts=", ".join(terms),
                    detail=f"topic · {n:,} paper{'s' if n != 1 else ''} · {', '.join(terms[:5])}",
                    popularity=float(n),
                    keys=(t["label"], *t["names"]),
                )
            )
        return docs

    # -- authors and institutions ----------------------------------------------------------------
    def _people(
        self,
        store: GraphReader,
        concepts: dict[str, _Concept],
        paper_concepts: dict[str, list[str]],
    ) -> tuple[list[SearchDoc], list[SearchDoc]]:
        names: dict[str, str] = {}
        for r in _select(store, "SELECT ?a ?name WHERE { ?a a ckg:Author ; rdfs:label ?name }"):
            names[r["a"]] = min(r["name"], names.get(r["a"], r["name"]))  # as the pages do
        author_papers: dict[str, list[str]] = defaultdict(list)
        for r in _select(store, "SELECT ?p ?a WHERE { ?p ckg:authoredBy ?a }"):
            author_papers[r["a"]].append(r["p"])
        institutions: dict[str, dict[str, str]] = {}
        for r in _select(
            store,
            "SELECT ?i ?label ?country ?settlement WHERE { ?i a ckg:Institution ; "
            "rdfs:label ?label . OPTIONAL { ?i ckg:country ?country } "
            "OPTIONAL { ?i ckg:settlement ?settlement } }",
        ):
            known = institutions.get(r["i"])
            if known is None or r["label"] < known["label"]:  # several labels: the least
                institutions[r["i"]] = r
        affiliations: dict[str, list[str]] = defaultdict(list)
        members: dict[str, list[str]] = defaultdict(list)
        for r in _select(store, "SELECT ?a ?i WHERE { ?a ckg:affiliatedWith ?i }"):
            affiliations[r["a"]].append(r["i"])
            members[r["i"]].append(r["a"])

        authors = []
        for a, name in names.items():
            ps = sorted(set(author_papers.get(a, ())))
            found = Counter(c for p in ps for c in set(paper_concepts.get(p, ())))
            insts = sorted(
                institutions[i]["label"] for i in affiliations.get(a, ()) if i in institutions
            )
            n = len(ps)
            detail = f"{n:,} paper{'s' if n != 1 else ''}"
            if insts:
                detail += " · " + insts[0] + (f" (+{len(insts) - 1})" if len(insts) > 1 else "")
            authors.append(
                SearchDoc(
                    iri=a,
                    kind="author",
                    label=name,
                    names="; ".join(insts),
                    concepts=_top_concepts_text(found, concepts),
                    detail=detail,
                    popularity=float(n),
                    keys=(name,),
                )
            )
        docs = []
        for i, row in institutions.items():
            people = sorted(set(members.get(i, ())))
            ps = sorted({p for a in people for p in author_papers.get(a, ())})
            found = Counter(c for p in ps for c in set(paper_concepts.get(p, ())))
            place = ", ".join(x for x in (row.get("settlement"), row.get("country")) if x)
            parts = [place] if place else []
            parts += [f"{len(people):,} authors", f"{len(ps):,} papers"]
            docs.append(
                SearchDoc(
                    iri=i,
                    kind="institution",
                    label=row["label"],
                    names=place,
                    concepts=_top_concepts_text(found, concepts),
                    detail=" · ".join(parts),
                    popularity=float(len(ps)),
                    keys=(row["label"],),
                )
            )
        return authors, docs


def make_search_stage(config: BuildConfig) -> SearchStage | None:
    return SearchStage() if config.search.enabled else None


def index_paper_texts(index: SearchIndex, docs: Iterable[SearchDoc]) -> int:
    """What the ``search_docs`` sink does with a batch of the step's side records."""
    written = index.put_papers_text(list(docs))
    index.commit()
    return written
