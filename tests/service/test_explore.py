"""Search and the entity pages (issue 17), on the live sample server.

Every count and order a page shows is checked against SPARQL written here, independently
of the service's named queries (``ckg_rdf/service/sparql/``).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from urllib.parse import urlencode

import httpx
import pytest

from tests.service.conftest import CHROMIUM, LiveServer, select
from tests.service.htmltree import Node, parse

ACE2 = "concept/ckg-ace2"


def html(client: httpx.Client, path: str, **params: object) -> Node:
    r = client.get(path, params=params or None, headers={"Accept": CHROMIUM})
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    return parse(r.text)


def search_json(client: httpx.Client, **params: object) -> dict:
    r = client.get("/search", params=params, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def n(text: str) -> int:
    return int(text.replace(",", "").strip())


def table(tree: Node, ident: str) -> list[tuple[str, list[str]]]:
    """(IRI of the row's link, cell texts) for each body row of a table."""
    rows = []
    for tr in tree.by_id(ident).all("tr"):
        cells = tr.all("td")
        if not cells:
            continue
        link = next((a.attrs.get("title", "") for a in tr.links()), "")
        rows.append((link, [c.clean() for c in cells]))
    return rows


def counted(tree: Node, ident: str) -> list[tuple[str, int]]:
    """(IRI, number) for each item of a counted list."""
    out = []
    for li in tree.by_id(ident).all("li"):
        link = li.links()[0].attrs["title"]
        number = next(s for s in li.all("span") if s.attrs.get("class") == "n").clean()
        out.append((link, n(number.split()[0])))
    return out


def chart(tree: Node, ident: str) -> dict[int, int]:
    bars = [g for g in tree.by_id(ident).all("g") if "data-year" in g.attrs]
    return {
        int(g.attrs["data-year"]): int(g.attrs["data-value"])
        for g in bars
        if g.attrs["data-value"] != "0"
    }


def ints(rows: list[dict[str, str]], key: str, value: str) -> dict[str, int]:
    return {r[key]: int(r[value]) for r in rows}


def citations(client: httpx.Client) -> dict[str, int]:
    """Papers -> distinct papers of the corpus citing them (not itself)."""
    rows = select(
        client,
        "SELECT ?p (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c ckg:cites ?p FILTER(?c != ?p) } "
        "GROUP BY ?p",
    )
    return ints(rows, "p", "n")


# --- search -----------------------------------------------------------------------------
def test_ace2_finds_the_concept_first_then_papers_and_authors(
    client: httpx.Client, live: LiveServer
) -> None:
    data = search_json(client, q="ACE2")
    first = data["results"][0]
    assert first["iri"] == live.url + ACE2 and first["kind"] == "concept" and first["exact"]
    assert first["href"] == "/" + ACE2 and first["label"] == "angiotensin-converting enzyme 2"
    kinds = {f["value"]: f["count"] for f in data["facets"]["type"]}
    mentioning = {
        r["p"]
        for r in select(
            client, f"SELECT ?p WHERE {{ ?p ckg:associatedConcept <{live.url}{ACE2}> }}"
        )
    }
    assert kinds["paper"] >= len(mentioning) > 0 and kinds["author"] > 0
    papers = search_json(client, q="ACE2", type="paper", per_page=100)
    assert mentioning <= {r["iri"] for r in papers["results"]}
    assert all(r["kind"] == "paper" and r["iri"].startswith(live.url) for r in papers["results"])
    # the authors found are authors of papers about ACE2
    authors = search_json(client, q="ACE2", type="author", per_page=5)["results"]
    assert authors
    for a in authors:
        rows = select(
            client,
            f"SELECT ?p WHERE {{ ?p ckg:authoredBy <{a['iri']}> ; ckg:associatedConcept "
            f"<{live.url}{ACE2}> }} LIMIT 1",
        )
        assert rows, a


def test_ace2_answers_in_under_100_ms(client: httpx.Client) -> None:
    search_json(client, q="ACE2")  # warm
    walls, index = [], []
    for _ in range(7):
        started = time.perf_counter()
        data = search_json(client, q="ACE2")
        walls.append((time.perf_counter() - started) * 1000)
        index.append(data["took_ms"])
        started = time.perf_counter()
        html(client, "/search", q="ACE2")
        walls.append((time.perf_counter() - started) * 1000)
    assert statistics.median(walls) < 100, walls
    assert max(index) < 100, index


def test_the_results_page_groups_results_and_links_every_one(
    client: httpx.Client, live: LiveServer
) -> None:
    tree = html(client, "/search", q="ACE2")
    for kind in ("concept", "paper", "author"):
        group = tree.by_id(f"group-{kind}")
        links = [a for a in group.links() if a.attrs.get("class") == "hit-label"]
        assert links, kind
        for a in links:
            assert a.attrs["href"].startswith(f"/{kind}/")
            assert a.attrs["title"].startswith(live.url) and a.clean()
    assert tree.by_id("group-concept").links()[0].attrs["href"] == "/" + ACE2
    facets = {s.attrs["id"] for s in tree.all("section") if s.attrs.get("class") == "facet"}
    assert {"facet-type", "facet-year", "facet-concept_type", "facet-topic"} <= facets
    # "All 16 papers ->" goes to the paged list of papers
    more = [a for a in tree.by_id("group-paper").links() if "type=paper" in a.attrs["href"]]
    assert more
    page = html(client, more[0].attrs["href"])
    assert all(li.attrs["data-kind"] == "paper" for li in page.by_id("hit-list").all("li"))


def test_search_filters_and_pages(client: httpx.Client) -> None:
    everything = search_json(client, q="virus", type="paper", per_page=100)
    total = everything["total"]
    assert total > 20
    pages = [search_json(client, q="virus", type="paper", per_page=10, page=p) for p in (1, 2)]
    iris = [r["iri"] for p in pages for r in p["results"]]
    assert iris == [r["iri"] for r in everything["results"][:20]]
    years = {f["value"]: f["count"] for f in everything["facets"]["year"]}
    year, count = max(years.items(), key=lambda kv: kv[1])
    filtered = search_json(client, q="virus", type="paper", year=year, per_page=100)
    assert filtered["total"] == count and all(r["year"] == int(year) for r in filtered["results"])
    tree = html(client, "/search", q="virus", type="paper", page=2)
    status = tree.by_id("search-status").clean()
    assert f"{total:,} results, showing 21-40" in status
    assert tree.has_id("results-pager")


def test_a_typo_still_finds(client: httpx.Client) -> None:
    data = search_json(client, q="coronavirsu")
    assert data["corrections"] == {"coronavirsu": "coronavirus"} and data["total"] > 0


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "page": 0},
        {"q": "x", "per_page": 1000},
        {"q": "x", "type": "spaceship"},
        {"q": "x", "year": "recent"},
        {"q": "x" * 600},
    ],
)
def test_bad_parameters_are_422_as_documented(client: httpx.Client, params: dict) -> None:
    r = client.get("/search", params=params, headers={"Accept": "application/json"})
    assert r.status_code == 422
    spec = client.get("/openapi.json").json()["paths"]["/search"]["get"]
    assert "422" in spec["responses"]


def test_every_answer_of_search_is_in_the_openapi_document(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()["paths"]["/search"]["get"]["responses"]
    for accept in ("application/json", CHROMIUM, "*/*", "text/plain", ""):
        for params in ({"q": "ACE2"}, {"q": ""}, {}, {"q": "x", "page": "0"}):
            r = client.get("/search", params=params, headers={"Accept": accept} if accept else {})
            documented = spec[str(r.status_code)]
            media = r.headers["content-type"].split(";")[0]
            assert media in documented.get("content", {"application/json": {}}), (
                accept,
                params,
                r.status_code,
                media,
            )


# --- entity pages -----------------------------------------------------------------------
def test_the_concept_page(client: httpx.Client, live: LiveServer) -> None:
    iri = live.url + ACE2
    tree = html(client, "/" + ACE2)
    assert tree.all("h1")[0].clean() == "angiotensin-converting enzyme 2"
    assert tree.by_id("concept-type").clean() == "gene or protein"
    synonyms = {
        s.clean() for s in tree.by_id("synonyms").all("span") if s.attrs.get("class") == "syn"
    }
    alt = {r["l"] for r in select(client, f"SELECT ?l WHERE {{ <{iri}> skos:altLabel ?l }}")}
    assert synonyms == alt and "ACE2" in alt
    rows = select(
        client,
        f"""SELECT ?p ?m WHERE {{ ?p ckg:associatedConcept <{iri}> .
              ?a oa:hasBody <{iri}> ; oa:hasTarget ?p ; ckg:mentionCount ?m }}""",
    )
    mentions = ints(rows, "p", "m")
    cited = citations(client)
    assert n(tree.by_id("count-papers").clean()) == len(mentions)
    assert n(tree.by_id("count-mentions").clean()) == sum(mentions.values())
    expected = sorted(mentions, key=lambda p: (-mentions[p], -cited.get(p, 0), p))
    got = table(tree, "papers-table")
    assert [link for link, _ in got] == expected[:20]
    for link, cells in got:
        assert n(cells[3]) == cited.get(link, 0) and n(cells[4]) == mentions[link]
    # mentioned with: each count is the number of papers with both
    pairs = select(
        client,
        f"""SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:associatedConcept <{iri}> ,
              ?o FILTER(?o != <{iri}>) }} GROUP BY ?o""",
    )
    together = ints(pairs, "o", "n")
    shown = counted(tree, "cooccurring-list")
    assert [c for _, c in shown] == sorted(together.values(), reverse=True)[: len(shown)]
    assert all(together[o] == c for o, c in shown)
    assert f"{len(together):,} concepts" in tree.by_id("cooccurring-count").clean()
    per_year = select(
        client,
        f"""SELECT ?y (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:associatedConcept <{iri}> ;
              ckg:publicationDate ?d BIND(YEAR(?d) AS ?y) }} GROUP BY ?y""",
    )
    assert chart(tree, "papers-per-year") == {
        int(k): v for k, v in ints(per_year, "y", "n").items()
    }
    by_author = select(
        client,
        f"""SELECT ?a (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:associatedConcept <{iri}> ;
              ckg:authoredBy ?a }} GROUP BY ?a""",
    )
    authors = ints(by_author, "a", "n")
    shown = counted(tree, "authors-list")
    assert all(authors[a] == c for a, c in shown)
    assert [c for _, c in shown] == sorted(authors.values(), reverse=True)[: len(shown)]
    assert n(tree.by_id("count-authors").clean()) == len(authors)


def test_a_long_list_is_paged(client: httpx.Client, live: LiveServer) -> None:
    iri = live.url + "concept/ckg-human"
    rows = select(
        client,
        f"""SELECT ?p ?m WHERE {{ ?p ckg:associatedConcept <{iri}> .
              ?a oa:hasBody <{iri}> ; oa:hasTarget ?p ; ckg:mentionCount ?m }}""",
    )
    mentions = ints(rows, "p", "m")
    cited = citations(client)
    expected = sorted(mentions, key=lambda p: (-mentions[p], -cited.get(p, 0), p))
    assert len(expected) > 40
    tree = html(client, "/concept/ckg-human", page=2)
    assert tree.by_id("papers-count").clean() == f"{len(expected):,} papers, showing 21-40"
    assert [link for link, _ in table(tree, "papers-table")] == expected[20:40]
    pager = tree.by_id("papers-pager")
    assert any(a.attrs["href"].startswith("/concept/ckg-human?page=3") for a in pager.links())
    # another list pages on its own, keeping the first one where it is
    tree = html(client, "/concept/ckg-human", page=2, cooccurring_page=2)
    assert "showing 21-40" in tree.by_id("cooccurring-count").clean()
    assert [link for link, _ in table(tree, "papers-table")] == expected[20:40]
    # a page past the end says so; nonsense is page 1
    last = -(-len(expected) // 20)
    tree = html(client, "/concept/ckg-human", page=last + 1)
    assert "none on page" in tree.by_id("papers-count").clean()
    tree = html(client, "/concept/ckg-human", page="x")
    assert [link for link, _ in table(tree, "papers-table")] == expected[:20]


def _most(client: httpx.Client, query: str, var: str) -> str:
    return select(client, query)[0][var]


def test_the_author_page(client: httpx.Client, live: LiveServer) -> None:
    author = _most(
        client,
        """SELECT ?a (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:qualifiedAuthorship ?e .
             ?e ckg:author ?a ; ckg:entryAffiliation ?i . }
           GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1""",
        "a",
    )
    tree = html(client, author)
    name = select(client, f"SELECT ?l WHERE {{ <{author}> rdfs:label ?l }}")[0]["l"]
    assert tree.all("h1")[0].clean() == name
    papers = {r["p"] for r in select(client, f"SELECT ?p WHERE {{ ?p ckg:authoredBy <{author}> }}")}
    cited = citations(client)
    assert n(tree.by_id("count-papers").clean()) == len(papers)
    assert n(tree.by_id("count-citations").clean()) == sum(cited.get(p, 0) for p in papers)
    got = table(tree, "papers-table")
    assert {link for link, _ in got} == set(sorted(papers)[:20]) | {link for link, _ in got}
    assert len(got) == min(20, len(papers))
    counts = [n(cells[3]) for _, cells in got]
    assert counts == sorted(counts, reverse=True)
    assert counts == sorted((cited.get(p, 0) for p in papers), reverse=True)[: len(got)]
    co = select(
        client,
        f"""SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:authoredBy <{author}> , ?c
              FILTER(?c != <{author}>) }} GROUP BY ?c""",
    )
    coauthors = ints(co, "c", "n")
    assert n(tree.by_id("count-coauthors").clean()) == len(coauthors)
    shown = counted(tree, "coauthors-list")
    assert all(coauthors[c] == k for c, k in shown)
    assert [k for _, k in shown] == sorted(coauthors.values(), reverse=True)[: len(shown)]
    # institutions over time: the years of the papers the author gave each one on
    spans: dict[str, list[int]] = defaultdict(list)
    for r in select(
        client,
        f"""SELECT ?i ?p ?d WHERE {{ ?p ckg:qualifiedAuthorship ?e . ?e ckg:author <{author}> ;
              ckg:entryAffiliation ?i . OPTIONAL {{ ?p ckg:publicationDate ?d }} }}""",
    ):
        if "d" in r:
            spans[r["i"]].append(int(r["d"][:4]))
    items = tree.by_id("institutions-list").all("li")
    assert items
    for li in items:
        inst = li.links()[0].attrs["title"]
        if spans.get(inst):
            first, last = min(spans[inst]), max(spans[inst])
            years = f"{first}-{last}" if last != first else f"{first}"
            assert years in li.clean(), (inst, li.clean())
    # (the sample's full-text papers, the only ones with affiliations, have no date:
    # tests/test_explore_dated.py checks the years and the timeline on dated papers)
    per_year = select(
        client,
        f"""SELECT ?y (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:authoredBy <{author}> ;
              ckg:publicationDate ?d BIND(YEAR(?d) AS ?y) }} GROUP BY ?y""",
    )
    assert chart(tree, "papers-per-year") == {
        int(k): v for k, v in ints(per_year, "y", "n").items()
    }
    concepts = ints(
        select(
            client,
            f"""SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:authoredBy <{author}> ;
                  ckg:associatedConcept ?c }} GROUP BY ?c""",
        ),
        "c",
        "n",
    )
    assert all(concepts[c] == k for c, k in counted(tree, "concepts-list"))


def test_the_institution_page(client: httpx.Client, live: LiveServer) -> None:
    inst = _most(
        client,
        """SELECT ?i (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:qualifiedAuthorship ?e .
             ?e ckg:entryAffiliation ?i } GROUP BY ?i ORDER BY DESC(?n) ?i LIMIT 1""",
        "i",
    )
    tree = html(client, inst)
    papers = {
        r["p"]
        for r in select(
            client,
            f"SELECT ?p WHERE {{ ?p ckg:qualifiedAuthorship ?e . "
            f"?e ckg:entryAffiliation <{inst}> }}",
        )
    }
    members = select(client, f"SELECT DISTINCT ?a WHERE {{ ?a ckg:affiliatedWith <{inst}> }}")
    assert n(tree.by_id("count-papers").clean()) == len(papers)
    assert n(tree.by_id("count-authors").clean()) == len(members)
    cited = citations(client)
    top = table(tree, "top-papers-table")
    assert [n(cells[3]) for _, cells in top] == sorted(
        (cited.get(p, 0) for p in papers), reverse=True
    )[: len(top)]
    assert {link for link, _ in table(tree, "papers-table")} <= papers
    concepts = ints(
        select(
            client,
            f"""SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:qualifiedAuthorship ?e ;
                  ckg:associatedConcept ?c . ?e ckg:entryAffiliation <{inst}> }} GROUP BY ?c""",
        ),
        "c",
        "n",
    )
    shown = counted(tree, "concepts-list")
    assert shown and all(concepts[c] == k for c, k in shown)
    assert [k for _, k in shown] == sorted(concepts.values(), reverse=True)[: len(shown)]


def test_the_topic_page(client: httpx.Client, live: LiveServer) -> None:
    topic = _most(
        client,
        """SELECT ?t (COUNT(?p) AS ?n) WHERE { ?p ckg:associatedTopic ?t }
           GROUP BY ?t ORDER BY DESC(?n) ?t LIMIT 1""",
        "t",
    )
    tree = html(client, topic)
    label = select(client, f"SELECT ?l WHERE {{ <{topic}> rdfs:label ?l }}")[0]["l"]
    assert tree.all("h1")[0].clean() == label
    terms = select(
        client,
        f"""SELECT ?text ?rank WHERE {{ <{topic}> ckg:topTerm ?t . ?t ckg:termText ?text ;
              ckg:termRank ?rank }} ORDER BY ?rank""",
    )
    shown = [cells[1] for _, cells in table(tree, "terms-table")]
    assert shown == [t["text"] for t in terms][:20]
    papers = {
        r["p"] for r in select(client, f"SELECT ?p WHERE {{ ?p ckg:associatedTopic <{topic}> }}")
    }
    cited = citations(client)
    assert n(tree.by_id("count-papers").clean()) == len(papers)
    got = table(tree, "papers-table")
    assert [n(cells[3]) for _, cells in got] == sorted(
        (cited.get(p, 0) for p in papers), reverse=True
    )[:20]
    per_year = select(
        client,
        f"""SELECT ?y (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:associatedTopic <{topic}> ;
              ckg:publicationDate ?d BIND(YEAR(?d) AS ?y) }} GROUP BY ?y""",
    )
    assert chart(tree, "papers-per-year") == {
        int(k): v for k, v in ints(per_year, "y", "n").items()
    }
    authors = ints(
        select(
            client,
            f"""SELECT ?a (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:associatedTopic <{topic}> ;
                  ckg:authoredBy ?a }} GROUP BY ?a""",
        ),
        "a",
        "n",
    )
    assert n(tree.by_id("count-authors").clean()) == len(authors)
    assert all(authors[a] == k for a, k in counted(tree, "authors-list"))


def test_the_paper_page_lists_concepts_and_topics_with_labels_and_weights(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    paper = _most(
        client,
        """SELECT ?p (COUNT(DISTINCT ?c) AS ?n) WHERE { ?p ckg:associatedConcept ?c ;
             ckg:associatedTopic ?t } GROUP BY ?p ORDER BY DESC(?n) ?p LIMIT 1""",
        "p",
    )
    tree = html(client, paper)
    rows = select(
        client,
        f"""SELECT ?c ?l ?m ?type WHERE {{ <{paper}> ckg:associatedConcept ?c .
              ?c skos:prefLabel ?l ; ckg:conceptType/skos:prefLabel ?type .
              ?a oa:hasTarget <{paper}> ; oa:hasBody ?c ; ckg:mentionCount ?m }}""",
    )
    expected = {r["c"]: (r["l"], r["type"], int(r["m"])) for r in rows}
    got = table(tree, "concepts-table")
    assert len(got) == min(50, len(expected))
    assert f"{len(expected):,} concepts" in tree.by_id("concepts-count").clean()
    for link, cells in got:
        label, kind, mentions = expected[link]
        assert cells[0] == label and cells[1] == kind and n(cells[2]) == mentions
    mentions = [n(cells[2]) for _, cells in got]
    assert mentions == sorted(mentions, reverse=True)
    topics = select(
        client,
        f"""SELECT ?t ?l ?p WHERE {{ <{paper}> ckg:associatedTopic ?t . ?t rdfs:label ?l .
              ?a oa:hasTarget <{paper}> ; oa:hasBody ?t ; ckg:topicProbability ?p }}""",
    )
    shown = {link: cells for link, cells in table(tree, "topics-table")}
    assert set(shown) == {t["t"] for t in topics}
    for t in topics:
        assert shown[t["t"]][0] == t["l"] and float(shown[t["t"]][1]) == round(float(t["p"]), 3)
    # the paper that cites: its references, with their titles
    cites = html(client, sample_ids["paper"]).by_id("cites")
    cited = {a.attrs["title"]: a.clean() for a in cites.links()}
    assert sample_ids["cited"] in cited
    title = select(client, f"SELECT ?l WHERE {{ <{sample_ids['cited']}> rdfs:label ?l }}")[0]["l"]
    assert cited[sample_ids["cited"]] == title


def test_search_results_lead_to_pages_with_their_sections(client: httpx.Client) -> None:
    sections = {
        "concept": ["papers-table", "cooccurring-list", "authors-list", "papers-per-year"],
        "paper": ["authors", "concepts-table", "topics-table", "cites-section"],
        "author": ["papers-table", "coauthors-section", "concepts-list", "papers-per-year"],
        "institution": ["papers-section", "top-papers-section", "authors-list", "concepts-section"],
        "topic": ["terms-table", "papers-table", "authors-list", "concepts-list"],
    }
    for q, kind in (
        ("ACE2", "concept"),
        ("ACE2", "paper"),
        ("ACE2", "author"),
        ("Fudan", "institution"),
        ("virus", "topic"),
    ):
        hit = search_json(client, q=q, type=kind, per_page=1)["results"][0]
        tree = html(client, hit["href"])
        assert tree.all("h1")[0].clean() == hit["label"]
        for ident in sections[kind]:
            assert tree.has_id(ident), (kind, ident)


def test_page_links_keep_other_parameters(client: httpx.Client) -> None:
    tree = html(client, "/concept/ckg-human", cooccurring_page=2)
    hrefs = [a.attrs["href"] for a in tree.by_id("papers-pager").links()]
    assert hrefs and all("cooccurring_page=2" in h for h in hrefs)
    assert (
        "/concept/ckg-human?" + urlencode({"cooccurring_page": 2, "page": 2}) + "#papers-section"
        in hrefs
    )
