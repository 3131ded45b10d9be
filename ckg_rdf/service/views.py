"""Turning triples and result tables into what the HTML templates show.

Kept apart from the routes so the page logic can be read (and tested) without
HTTP. Links to resources minted under the server's base become root-relative
paths, so pages keep working when the server listens somewhere other than the
base IRI (a test server on a random port, a proxy).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from ckg_rdf.resources import ontology_path
from ckg_rdf.vocab import CKG, CKG_NS, PREFIXES, RDF, RDFS, SKOS

#: what a resource is called, best first: every link and heading shows the first it has
LABEL_PREDICATES: tuple[str, ...] = (
    RDFS.label.value,
    SKOS.prefLabel.value,
    CKG.name.value,
    CKG.title.value,
)


def labels_of(triples: list[ox.Triple]) -> dict[str, str]:
    """IRI -> its label, by :data:`LABEL_PREDICATES` order (several values of one: the least)."""
    rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
    best: dict[str, tuple[int, str]] = {}
    for t in triples:
        r = rank.get(t.predicate.value)
        if r is None or not isinstance(t.subject, ox.NamedNode):
            continue
        current = best.get(t.subject.value)
        candidate = (r, t.object.value)
        if current is None or candidate < current:  # several: the least, as the queries do
            best[t.subject.value] = candidate
    return {iri: label for iri, (_, label) in best.items()}


@dataclass(frozen=True)
class Value:
    """One cell: a link (``href`` set) or a literal."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""  # datatype or language, for literals


#: values shown per property on a page (the rest are counted, and one query away)
VALUES_PER_ROW = 50


@dataclass
class PropertyRow:
    iri: str
    curie: str
    label: str
    values: list[Value] = field(default_factory=list)
    #: how many values the description has (``values`` holds the first VALUES_PER_ROW)
    total: int = 0


@dataclass
class ResourceView:
    iri: str
    path: str
    label: str
    types: list[Value]
    outgoing: list[PropertyRow]
    incoming: list[PropertyRow]
    truncated_incoming: bool = False
    #: the links into the resource that the description holds at most
    incoming_cap: int = 2000

    def first(self, predicate: ox.NamedNode) -> str | None:
        for row in self.outgoing:
            if row.iri == predicate.value and row.values:
                return row.values[0].text
        return None

    def out(self, predicate: ox.NamedNode) -> list[Value]:
        return next((r.values for r in self.outgoing if r.iri == predicate.value), [])

    def into(self, predicate: ox.NamedNode) -> list[Value]:
        return next((r.values for r in self.incoming if r.iri == predicate.value), [])


def curie(iri: str) -> str:
    """``ckg:title`` for a known namespace, else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@cache
def ontology_labels() -> dict[str, str]:
    """``rdfs:label`` of every ontology term, for human-friendly property names."""
    labels: dict[str, str] = {}
    for t in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        if t.predicate == RDFS.label and isinstance(t.subject, ox.NamedNode):
            labels.setdefault(t.subject.value, t.object.value)
    return labels


def label_or_iri(value: Value) -> str:
    """What a link shows: its label where it has one, else the IRI (for templates)."""
    return value.text or value.iri or ""


class Linker:
    """Where a link to an IRI should point in the HTML.

    Only http(s) IRIs become links: an IRI in the data such as
    ``javascript:alert(1)`` is shown as text, never as a live link.
    """

    def __init__(self, base: str) -> None:
        self.base = base

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        if iri.startswith(CKG_NS):
            return "/ontology#" + iri[len(CKG_NS) :]
        if iri.lower().startswith(("http://", "https://")):
            return iri
        return None

    def value(self, term: object, labels: dict[str, str]) -> Value:
        if isinstance(term, ox.NamedNode):
            v = term.value
            text = labels.get(v) or ontology_labels().get(v) or curie(v)
            return Value(text, self.href(v), v)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        if isinstance(term, ox.Literal):
            note = term.language or curie(term.datatype.value)
            if note == "xsd:string":
                note = ""
            return Value(term.value, note=note)
        return Value(str(term))


def resource_view(
    iri: str, ntriples: bytes, linker: Linker, *, incoming_cap: int = 2000
) -> ResourceView:
    """Group a resource's description (from ``GraphReader.describe``) into property rows."""
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    labels = labels_of(triples)
    names = ontology_labels()
    out: dict[str, PropertyRow] = {}
    inc: dict[str, PropertyRow] = {}
    types: list[Value] = []
    n_incoming = 0
    for t in triples:
        p = t.predicate.value
        if isinstance(t.subject, ox.NamedNode) and t.subject.value == iri:
            if t.predicate == RDF.type:
                types.append(
                    Value(
                        names.get(t.object.value) or curie(t.object.value),
                        linker.href(t.object.value),
                        t.object.value,
                    )
                )
                continue
            row = out.setdefault(p, PropertyRow(p, curie(p), names.get(p, curie(p))))
            row.values.append(linker.value(t.object, labels))
        elif isinstance(t.object, ox.NamedNode) and t.object.value == iri:
            n_incoming += 1
            row = inc.setdefault(p, PropertyRow(p, curie(p), names.get(p, curie(p))))
            row.values.append(linker.value(t.subject, labels))
    for row in (*out.values(), *inc.values()):
        row.values.sort(key=lambda v: v.text.casefold())
        row.total = len(row.values)
        del row.values[VALUES_PER_ROW:]
    return ResourceView(
        iri=iri,
        path=linker.href(iri),
        label=labels.get(iri) or curie(iri),
        types=types,
        outgoing=sorted(
            out.values(), key=lambda r: (r.iri == RDFS.label.value, r.label.casefold())
        ),
        incoming=sorted(inc.values(), key=lambda r: r.label.casefold()),
        truncated_incoming=n_incoming >= incoming_cap,
        incoming_cap=incoming_cap,
    )


@dataclass
class AuthorEntry:
    author: Value
    affiliations: list[Value]
    #: 1-based position in the paper's author list; None in a store built
    #: before author order was recorded
    position: int | None = None


def authors_with_affiliations(rows: list[dict[str, str]], linker: Linker) -> list[AuthorEntry]:
    """Rows of ``affiliations.rq`` grouped by author entry, in author order."""
    entries: dict[tuple[int | None, str], AuthorEntry] = {}
    for b in rows:
        a = b["author"]
        position = int(b["position"]) if "position" in b else None
        entry = entries.get((position, a))
        if entry is None:
            label = b.get("authorLabel") or curie(a)
            entry = entries[(position, a)] = AuthorEntry(
                Value(label, linker.href(a), a), [], position
            )
        if "institution" in b:
            i = b["institution"]
            entry.affiliations.append(
                Value(b.get("institutionLabel") or curie(i), linker.href(i), i)
            )
    return list(entries.values())


@dataclass
class Table:
    """A query result for the HTML page."""

    columns: list[str]
    rows: list[list[Value]]
    total: int
    boolean: bool | None = None


def select_table(
    results_json: bytes, linker: Linker, max_rows: int, total: int | None = None
) -> Table:
    """SPARQL JSON results (SELECT or ASK) as a table of cells; ``total`` when the JSON
    holds only the first rows of a larger result."""
    data = json.loads(results_json)
    if "boolean" in data:
        return Table([], [], 0, bool(data["boolean"]))
    columns = data["head"].get("vars", [])
    bindings = data["results"]["bindings"]
    rows = [[_cell(b.get(c), linker) for c in columns] for b in bindings[:max_rows]]
    return Table(columns, rows, len(bindings) if total is None else total)


def _cell(binding: dict | None, linker: Linker) -> Value:
    if binding is None:
        return Value("")
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return Value(
            curie(value) if not value.startswith(linker.base) else value, linker.href(value), value
        )
    if kind == "bnode":
        return Value(f"_:{value}")
    note = binding.get("xml:lang") or curie(binding.get("datatype", "")) if kind != "uri" else ""
    return Value(value, note="" if note == "xsd:string" else note)


def graph_table(ntriples: bytes, linker: Linker, max_rows: int, total: int | None = None) -> Table:
    """A CONSTRUCT/DESCRIBE result as a subject/predicate/object table."""
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    rows = [
        [linker.value(t.subject, {}), linker.value(t.predicate, {}), linker.value(t.object, {})]
        for t in triples[:max_rows]
    ]
    return Table(["subject", "predicate", "object"], rows, len(triples) if total is None else total)


#: which page template a resource gets, by its rdf:type
PAGE_TEMPLATES: dict[str, str] = {
    CKG.Paper.value: "paper.html",
    CKG.Author.value: "author.html",
    CKG.Institution.value: "institution.html",
    CKG.Concept.value: "concept.html",
    CKG.Topic.value: "topic.html",
}


@dataclass
class Pager:
    """One page of a list: "1,234 papers, showing 1-50", and links to the other pages."""

    total: int
    page: int
    per_page: int
    #: page number -> the URL of that page
    url: Callable[[int], str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """1-based number of the first item shown (0 when the page shows none)."""
        return 0 if self.offset >= self.total else self.offset + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)

    def summary(self, singular: str, plural: str) -> str:
        noun = singular if self.total == 1 else plural
        if self.total == 0:
            return f"no {plural}"
        if self.pages == 1 and self.page == 1:
            return f"{self.total:,} {noun}"
        if self.first == 0:
            return f"{self.total:,} {noun}, none on page {self.page}"
        return f"{self.total:,} {noun}, showing {self.first:,}-{self.last:,}"

    def links(self) -> list[tuple[str, str | None, bool]]:
        """(text, href or None for the current page, is_current): first, previous, a window
        of numbers, next, last."""
        if self.pages <= 1:
            return []
        window = range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)
        out: list[tuple[str, str | None, bool]] = []
        if self.page > 1:
            out.append(("« previous", self.url(self.page - 1), False))
        if window.start > 1:
            out.append(("1", self.url(1), False))
            if window.start > 2:
                out.append(("…", None, False))
        for n in window:
            out.append((str(n), None if n == self.page else self.url(n), n == self.page))
        if window.stop - 1 < self.pages:
            if window.stop < self.pages:
                out.append(("…", None, False))
            out.append((str(self.pages), self.url(self.pages), False))
        if self.page < self.pages:
            out.append(("next »", self.url(self.page + 1), False))
        return out


@dataclass
class TermView:
    local: str
    iri: str
    label: str
    comment: str
    kinds: list[str]
    details: list[PropertyRow]


def ontology_view(triples: list[ox.Triple], linker: Linker) -> list[TermView]:
    """The ontology's own terms (``ckg:``), classes first, for the ontology page."""
    terms: dict[str, TermView] = {}
    names = ontology_labels()
    for t in triples:
        s = t.subject
        if not (isinstance(s, ox.NamedNode) and s.value.startswith(CKG_NS)):
            continue
        term = terms.setdefault(s.value, TermView(s.value[len(CKG_NS) :], s.value, "", "", [], []))
        if t.predicate == RDFS.label:
            term.label = t.object.value
        elif t.predicate == RDFS.comment:
            term.comment = t.object.value
        elif t.predicate == RDF.type:
            term.kinds.append(curie(t.object.value))
        else:
            p = t.predicate.value
            row = next((r for r in term.details if r.iri == p), None)
            if row is None:
                row = PropertyRow(p, curie(p), names.get(p, curie(p)))
                term.details.append(row)
            row.values.append(linker.value(t.object, names))
    order = {"owl:Class": 0, "owl:ObjectProperty": 1, "owl:DatatypeProperty": 2}
    return sorted(
        terms.values(),
        key=lambda v: (min((order.get(k, 3) for k in v.kinds), default=3), v.local.casefold()),
    )
