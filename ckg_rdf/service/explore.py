"""Entity pages that answer questions: which named queries each kind of page runs, paged.

Each page is one :class:`~ckg_rdf.service.tasks.PageTask`: the resource's
description plus the named selects of its kind (``ckg_rdf/service/sparql/``),
so what a page shows is exactly what those queries give at ``/sparql``. A
``*-counts`` query gives one row of totals ("1,234 papers, showing 1-20"),
each list is paged with ``?{list}_page=N`` (the first list also with
``?page=N``) through the select's LIMIT/OFFSET, and the ``*-per-year``
queries feed the server-rendered SVG charts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ckg_rdf.search.query import concept_type_label
from ckg_rdf.service.tasks import NamedSelect
from ckg_rdf.service.views import Linker, Pager, Value, curie

#: the deepest page a list can be asked for
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Listing:
    """One paged list of a page: a named query whose rows each link to a resource."""

    key: str
    query: str
    title: str
    noun: tuple[str, str]
    #: the column with the IRI each row links to, and the column with its label
    link: str
    #: the column of the page's counts row that holds the list's length
    total: str
    per_page: int = 20
    label: str = "label"


@dataclass(frozen=True)
class Chart:
    key: str
    query: str
    title: str
    #: what one bar counts
    unit: str = "papers"


@dataclass(frozen=True)
class EntityPage:
    kind: str
    #: the variable of every query bound to the page's resource
    bound: str
    counts: str
    listings: tuple[Listing, ...]
    charts: tuple[Chart, ...] = ()
    #: other named selects the page runs whole (the paper's author list)
    extra: tuple[str, ...] = ()


def _papers(query: str, title: str, total: str = "papers", link: str = "paper") -> Listing:
    return Listing("papers", query, title, ("paper", "papers"), link, total)


ENTITY_PAGES: dict[str, EntityPage] = {
    "author": EntityPage(
        "author",
        "author",
        "author-counts",
        (
            _papers("author-papers", "Papers, most cited first"),
            Listing(
                "coauthors",
                "author-coauthors",
                "Co-authors",
                ("co-author", "co-authors"),
                "coauthor",
                "coauthors",
            ),
            Listing(
                "institutions",
                "author-institutions",
                "Institutions over time",
                ("institution", "institutions"),
                "institution",
                "institutions",
            ),
            Listing(
                "concepts",
                "author-concepts",
                "Concepts they work on",
                ("concept", "concepts"),
                "concept",
                "concepts",
            ),
            Listing(
                "topics", "author-topics", "Topics", ("topic", "topics"), "topic", "topics", 10
            ),
        ),
        (
            Chart("papers-per-year", "author-papers-per-year", "Papers per year"),
            Chart(
                "citations-per-year",
                "author-citations-per-year",
                "Citations per year (year of the citing paper)",
                "citations",
            ),
        ),
    ),
    "institution": EntityPage(
        "institution",
        "institution",
        "institution-counts",
        (
            _papers("institution-papers", "Papers, newest first"),
            Listing(
                "top-papers",
                "institution-top-papers",
                "Most-cited papers",
                ("paper", "papers"),
                "paper",
                "papers",
                10,
            ),
            Listing(
                "authors",
                "institution-authors",
                "Authors",
                ("author", "authors"),
                "author",
                "authors",
            ),
            Listing(
                "concepts",
                "institution-concepts",
                "Top concepts",
                ("concept", "concepts"),
                "concept",
                "concepts",
            ),
            Listing(
                "topics",
                "institution-topics",
                "Top topics",
                ("topic", "topics"),
                "topic",
                "topics",
                10,
            ),
        ),
        (Chart("papers-per-year", "institution-papers-per-year", "Papers per year"),),
    ),
    "concept": EntityPage(
        "concept",
        "concept",
        "concept-counts",
        (
            _papers("concept-papers", "Papers, most mentions first, then most cited"),
            Listing(
                "cooccurring",
                "concept-cooccurring",
                "Mentioned with",
                ("concept", "concepts"),
                "other",
                "cooccurring",
            ),
            Listing(
                "authors",
                "concept-authors",
                "Top authors",
                ("author", "authors"),
                "author",
                "authors",
            ),
        ),
        (Chart("papers-per-year", "concept-papers-per-year", "Papers per year"),),
    ),
    "topic": EntityPage(
        "topic",
        "topic",
        "topic-counts",
        (
            _papers("topic-papers", "Most-cited papers on the topic"),
            Listing(
                "terms",
                "topic-terms",
                "Top terms",
                ("term", "terms"),
                "term",
                "terms",
                20,
                label="text",
            ),
            Listing(
                "authors",
                "topic-authors",
                "Top authors",
                ("author", "authors"),
                "author",
                "authors",
            ),
            Listing(
                "concepts",
                "topic-concepts",
                "Top concepts",
                ("concept", "concepts"),
                "concept",
                "concepts",
            ),
        ),
        (Chart("papers-per-year", "topic-papers-per-year", "Papers per year (trend)"),),
    ),
    "paper": EntityPage(
        "paper",
        "paper",
        "paper-counts",
        (
            Listing(
                "concepts",
                "paper-concepts",
                "Concepts",
                ("concept", "concepts"),
                "concept",
                "concepts",
                50,
            ),
            Listing("topics", "paper-topics", "Topics", ("topic", "topics"), "topic", "topics"),
            Listing("cites", "paper-cites", "Cites", ("paper", "papers"), "cited", "cites", 25),
            Listing(
                "cited-by",
                "paper-cited-by",
                "Cited by",
                ("paper", "papers"),
                "citing",
                "citedBy",
                25,
            ),
        ),
        extra=("affiliations",),
    ),
}


def page_number(params: Mapping[str, str], listing: Listing, primary: bool) -> int:
    """The page of ``listing`` asked for (``?{key}_page=``, or ``?page=`` for the first list);
    anything that is not a positive integer is page 1."""
    raw = params.get(f"{listing.key}_page")
    if raw is None and primary:
        raw = params.get("page")
    try:
        n = int(str(raw))
    except ValueError:
        return 1
    return min(max(1, n), MAX_PAGE)


def selects(spec: EntityPage, iri: str, params: Mapping[str, str]) -> tuple[NamedSelect, ...]:
    """The named selects of one page (each bound to the resource, lists paged)."""
    bound = ((spec.bound, iri),)
    out = [NamedSelect(spec.counts, bound)]
    for i, listing in enumerate(spec.listings):
        page = page_number(params, listing, i == 0)
        out.append(
            NamedSelect(
                listing.query,
                bound,
                limit=listing.per_page,
                offset=(page - 1) * listing.per_page,
                key=listing.key,
            )
        )
    out += [NamedSelect(c.query, bound, key=c.key) for c in spec.charts]
    out += [NamedSelect(name, bound) for name in spec.extra]
    return tuple(out)


# --- what the templates get -------------------------------------------------------------
@dataclass
class Row:
    link: Value
    cells: dict[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.cells.get(name, default)

    def num(self, name: str) -> int:
        try:
            return int(float(self.cells.get(name, "0")))
        except ValueError:
            return 0

    @property
    def type_label(self) -> str:
        t = self.cells.get("typeLabel") or self.cells.get("type")
        return concept_type_label(t) if t and t.isupper() else (t or "")


@dataclass
class ListingView:
    spec: Listing
    rows: list[Row]
    pager: Pager

    @property
    def summary(self) -> str:
        return self.pager.summary(*self.spec.noun)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    year: int
    value: int
    label: bool


@dataclass
class BarChart:
    """Bars per year, laid out for an SVG (every year between the first and last, gaps as 0)."""

    key: str
    title: str
    unit: str
    bars: list[Bar] = field(default_factory=list)
    top: int = 0
    total: int = 0
    width: int = 640
    height: int = 170
    left: int = 36
    bottom: int = 22

    @property
    def plot_height(self) -> int:
        return self.height - self.bottom - 8


def bar_chart(chart: Chart, rows: list[dict[str, str]]) -> BarChart:
    counts: dict[int, int] = {}
    for r in rows:
        try:
            counts[int(r["year"])] = counts.get(int(r["year"]), 0) + int(r["n"])
        except (KeyError, ValueError):
            continue
    out = BarChart(chart.key, chart.title, chart.unit)
    if not counts:
        return out
    years = list(range(min(counts), max(counts) + 1))
    out.top = max(counts.values())
    out.total = sum(counts.values())
    plot_w = out.width - out.left - 4
    step = plot_w / len(years)
    every = max(1, -(-len(years) // 12))
    for i, year in enumerate(years):
        value = counts.get(year, 0)
        h = (value / out.top) * out.plot_height if out.top else 0
        out.bars.append(
            Bar(
                x=round(out.left + i * step + step * 0.1, 1),
                y=round(8 + out.plot_height - h, 1),
                width=round(max(1.0, step * 0.8), 1),
                height=round(h, 1),
                year=year,
                value=value,
                label=i % every == 0,
            )
        )
    return out


@dataclass
class Span:
    link: Value
    first: int
    last: int
    papers: int
    x: float = 0
    width: float = 0


@dataclass
class Timeline:
    """Horizontal bars from first to last year (an author's institutions over time)."""

    spans: list[Span]
    start: int = 0
    end: int = 0
    width: int = 640
    left: int = 0
    row: int = 20

    @property
    def height(self) -> int:
        return self.row * len(self.spans) + 22


def timeline(rows: list[Row]) -> Timeline | None:
    spans = []
    for r in rows:
        if r.get("firstYear") and r.get("lastYear"):
            spans.append(Span(r.link, r.num("firstYear"), r.num("lastYear"), r.num("papers")))
    if not spans:
        return None
    t = Timeline(spans, min(s.first for s in spans), max(s.last for s in spans))
    years = t.end - t.start + 1
    unit = (t.width - 8) / years
    for s in spans:
        s.x = round(4 + (s.first - t.start) * unit, 1)
        s.width = round(max(4.0, (s.last - s.first + 1) * unit), 1)
    return t


@dataclass
class EntityView:
    counts: dict[str, str]
    listings: dict[str, ListingView]
    charts: list[BarChart]

    def count(self, name: str) -> int:
        try:
            return int(float(self.counts.get(name, "0")))
        except ValueError:
            return 0


#: a list and whether it is the page's first -> page number -> URL
UrlFor = Callable[[Listing, bool], Callable[[int], str]]


def page_url(params: Mapping[str, str], path: str) -> UrlFor:
    def for_listing(listing: Listing, primary: bool) -> Callable[[int], str]:
        def url(n: int) -> str:
            query = {k: v for k, v in params.items() if k not in ("page", f"{listing.key}_page")}
            if n > 1:
                query["page" if primary else f"{listing.key}_page"] = str(n)
            text = urlencode(query)
            return f"{path}{'?' + text if text else ''}#{listing.key}-section"

        return url

    return for_listing


def entity_view(
    spec: EntityPage,
    rows: dict[str, list[dict[str, str]]],
    linker: Linker,
    params: Mapping[str, str],
    path: str,
) -> EntityView:
    counts = (rows.get(spec.counts) or [{}])[0]
    urls = page_url(params, path)
    listings: dict[str, ListingView] = {}
    for i, listing in enumerate(spec.listings):
        got = rows.get(listing.key, [])
        page = page_number(params, listing, i == 0)
        try:
            total = int(float(counts.get(listing.total, "0")))
        except ValueError:
            total = 0
        if got:  # a count the rows contradict (a store changing under us) gives way
            total = max(total, (page - 1) * listing.per_page + len(got))
        view_rows = []
        for r in got:
            iri = r.get(listing.link, "")
            text = r.get(listing.label) or curie(iri)
            view_rows.append(Row(Value(text, linker.href(iri), iri), r))
        listings[listing.key] = ListingView(
            listing, view_rows, Pager(total, page, listing.per_page, urls(listing, i == 0))
        )
    charts = [bar_chart(c, rows.get(c.key, [])) for c in spec.charts]
    return EntityView(counts, listings, charts)
