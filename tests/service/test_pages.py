"""HTML pages (rendered on the server) and the OpenAPI document."""

from __future__ import annotations

import re
from html import unescape

import httpx

from tests.rawsample import RawPaper, read_sample, words
from tests.service.conftest import CHROMIUM, SAMPLE, LiveServer, select


def page(client: httpx.Client, path: str, **params: str) -> str:
    r = client.get(path, params=params, headers={"Accept": CHROMIUM})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert "Traceback" not in r.text
    return r.text


def test_home_page_shows_the_counts(client: httpx.Client) -> None:
    html = page(client, "/")
    total = int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert f'<strong id="triple-count">{total:,}</strong>' in html
    papers = select(client, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ckg:Paper }")
    assert f"<th>Paper</th><td>{int(papers[0]['n']):,}</td>" in html
    assert 'href="/paper/' in html


def test_query_page_is_prefilled_and_runs_queries(client: httpx.Client) -> None:
    html = page(client, "/query")
    assert '<textarea id="query"' in html and "SELECT" in html
    assert 'src="/static/query.js"' in html and "http" not in html.split("<script")[1][:80]
    html = page(client, "/query", query="SELECT ?p WHERE { ?p a ckg:Paper } ORDER BY ?p LIMIT 7")
    assert '<span id="row-count">7</span>' in html
    assert len(re.findall(r"<tr><td>", html)) == 7
    assert "format=csv" in html and "format=tsv" in html
    html = page(client, "/query", query="ASK { ?p a ckg:Paper }")
    assert '<strong id="ask-result">true</strong>' in html


def test_query_page_shows_errors(client: httpx.Client) -> None:
    r = client.get("/query", params={"query": "SELECT WHERE"}, headers={"Accept": CHROMIUM})
    assert r.status_code == 400 and 'id="query-error"' in r.text


def test_static_assets_are_served_locally(client: httpx.Client) -> None:
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/query.js").status_code == 200
    for path in ("/", "/query", "/ontology"):
        html = page(client, path)
        assert not re.search(
            r'(src|href)="https?://(?!127\.0\.0\.1|localhost)[^"]*\.(js|css)', html
        )


def test_paper_page_shows_authors_affiliations_and_citations(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str]
) -> None:
    paper = sample_ids["paper"]
    html = unescape(page(client, paper))
    title = select(client, f"SELECT ?t WHERE {{ <{paper}> rdfs:label ?t }}")[0]["t"]
    assert f"<h1>{title}</h1>" in html
    local = lambda iri: "/" + iri[len(live.url) :]  # noqa: E731
    authors = html.split('id="authors"')[1].split("</ol>")[0]
    assert f'href="{local(sample_ids["author"])}"' in authors
    assert f'href="{local(sample_ids["institution"])}"' in authors
    cites = html.split('id="cites"')[1].split("</ul>")[0]
    assert f'href="{local(sample_ids["cited"])}"' in cites
    cited_page = unescape(page(client, sample_ids["cited"]))
    assert f'href="{local(paper)}"' in cited_page.split('id="cited-by"')[1].split("</ul>")[0]


def test_openapi_documents_the_non_sparql_routes(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in (
        "/",
        "/query",
        "/ontology",
        "/.well-known/void",
        "/context.jsonld",
        "/paper/{local_id}",
        "/author/{local_id}",
        "/institution/{local_id}",
        "/concept/{local_id}",
        "/topic/{local_id}",
    ):
        assert path in paths, path
    assert "/sparql" not in paths  # the W3C protocol documents it
    # the people's version of it is served from here (no CDN): every route listed
    api = client.get("/api")
    assert api.status_code == 200
    for path in paths:
        assert path in api.text


def _kept_family_names(paper: RawPaper) -> list[str]:
    """A raw paper's kept author entries, family names only, in source order (docs/identity.md)."""
    return [
        " ".join(t for t in words(last).split() if re.search(r"[a-z]", t))
        for last, _ in paper.authors
        if re.search(r"[A-Za-z]", last)
    ]


def test_paper_page_lists_authors_in_the_order_the_paper_gives(
    client: httpx.Client, live: LiveServer
) -> None:
    raw = read_sample(SAMPLE)
    checked = []
    for source in ("parse", "metadata"):
        # two papers of each source whose author order is not alphabetical
        pids = [
            pid
            for pid in sorted(raw)
            if raw[pid].authors_from == source
            and len(kept := _kept_family_names(raw[pid])) >= 3
            and kept != sorted(kept)
        ][:2]
        assert len(pids) == 2, source
        checked += pids
    for pid in checked:
        html = unescape(page(client, f"{live.url}paper/{pid}"))
        authors = html.split('id="authors"')[1].split("</ol>")[0]
        items = re.findall(r'<li value="(\d+)"[^>]*><a href="[^"]*"[^>]*>([^<]*)</a>', authors)
        expected = _kept_family_names(raw[pid])
        assert [int(n) for n, _ in items] == list(range(1, len(expected) + 1)), pid
        # a display name is 'Given Middle Family': it ends with the family name
        names = [words(name) for _, name in items]
        assert all(name.endswith(family) for name, family in zip(names, expected, strict=True)), (
            pid,
            names,
            expected,
        )


def test_the_query_page_shows_the_first_rows_of_a_result_over_the_row_cap(
    client: httpx.Client, live
) -> None:  # type: ignore[no-untyped-def]
    total = int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert total > live.settings.max_rows  # /sparql would refuse it (422)
    page = client.get(
        "/query", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert f'<span id="row-count">{total}</span>' in page.text
    assert f"showing the first {live.settings.html_rows}" in page.text
    assert page.text.count("<tr>") == live.settings.html_rows + 1  # header row + the first page
