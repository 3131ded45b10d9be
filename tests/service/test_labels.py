"""No page shows a bare IRI where the resource has a label: a crawl of every page kind.

Starting from the home page and searches, the crawl follows links to the graph's
resources (papers, authors, institutions, concepts, topics, models, graphs, builds),
a few pages of each kind. On every page, each link to a resource must show the
resource's label (rdfs:label, else skos:prefLabel, else ckg:name, else ckg:title, found
here with SPARQL; several of one kind: the least) and carry its IRI on hover; each
resource page's heading is its label.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import httpx

from ckg_rdf.rdf.iris import KINDS
from tests.service.conftest import CHROMIUM, LiveServer, select
from tests.service.htmltree import parse

#: pages of each kind to visit
PER_KIND = 4
DOCUMENT_EXTENSIONS = (".ttl", ".jsonld", ".nt", ".rdf", ".html")
ORDER = ("rdfs:label", "skos:prefLabel", "ckg:name", "ckg:title")


def labels(client: httpx.Client, iris: set[str]) -> dict[str, str]:
    """IRI -> its label by the order above (IRIs without one are left out)."""
    out: dict[str, str] = {}
    todo = sorted(iris)
    for start in range(0, len(todo), 200):
        values = " ".join(f"<{i}>" for i in todo[start : start + 200])
        optionals = " ".join(f"OPTIONAL {{ ?s {p} ?l{k} }}" for k, p in enumerate(ORDER))
        rows = select(client, f"SELECT * WHERE {{ VALUES ?s {{ {values} }} {optionals} }}")
        best: dict[str, tuple[int, str]] = {}
        for r in rows:  # several labels of one kind: the least
            for k in range(len(ORDER)):
                if f"l{k}" in r:
                    best[r["s"]] = min(best.get(r["s"], (k, r[f"l{k}"])), (k, r[f"l{k}"]))
                    break
        out.update({s: label for s, (_, label) in best.items()})
    return out


def _resource_path(href: str) -> str | None:
    """The path of a link to a minted resource's page (not a format document, not a pager)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or parts.query or not parts.path.startswith("/"):
        return None
    kind = parts.path.split("/")[1]
    if kind not in KINDS or parts.path.endswith(DOCUMENT_EXTENSIONS):
        return None
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def test_every_link_shows_its_resources_label(client: httpx.Client, live: LiveServer) -> None:
    seeds = ["/", "/search?q=ACE2", "/search?q=virus&type=paper", "/search?q=university"]
    for query in (
        "SELECT ?s WHERE { ?s skos:exactMatch ?m } ORDER BY ?s LIMIT 1",  # a concept
        "SELECT ?s WHERE { ?s a ckg:Paper FILTER NOT EXISTS { ?s ckg:title ?t } } LIMIT 1",
        "SELECT ?s WHERE { ?s a ckg:Topic } ORDER BY ?s LIMIT 1",
        "SELECT ?s WHERE { ?s a ckg:TopicModel } LIMIT 1",
        "SELECT ?s WHERE { GRAPH ?g { ?x ?p ?y } BIND(?g AS ?s) } LIMIT 1",
    ):
        for r in select(client, query):
            seeds.append("/" + r["s"][len(live.url) :])
    queue = deque(seeds)
    seen: set[str] = set()
    visited: dict[str, int] = {}
    checked = 0
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        kind = path.split("/")[1].split("?")[0] or "home"
        if kind in KINDS and visited.get(kind, 0) >= PER_KIND:
            continue
        r = client.get(path, headers={"Accept": CHROMIUM})
        assert r.status_code == 200, (path, r.status_code)
        visited[kind] = visited.get(kind, 0) + 1
        tree = parse(r.text)
        links = [(a, _resource_path(a.attrs["href"])) for a in tree.links()]
        links = [(a, p) for a, p in links if p is not None]
        iris = {live.url + p.lstrip("/") for _, p in links}
        own = live.url + path.lstrip("/").split("?")[0] if kind in KINDS else None
        names = labels(client, iris | ({own} if own else set()))
        for a, p in links:
            iri = live.url + p.lstrip("/")
            if iri not in names:
                continue  # no label to show (an author entry, an annotation, an embedding)
            assert " ".join(a.text().split()) == " ".join(names[iri].split()), (path, iri)
            assert a.attrs.get("title") == iri, (path, iri, "no IRI on hover")
            checked += 1
            if "#" not in p:
                queue.append(p)
        if own and own in names:
            assert tree.all("h1")[0].clean() == " ".join(names[own].split()), path
    assert {"paper", "author", "institution", "concept", "topic", "model", "graph"} <= set(
        visited
    ), visited
    assert checked > 500
