"""Hostile text stays text on every search and entity page.

A tiny corpus whose titles, author names, institution names and journal carry
``<script>``, quotes, event handlers and ``javascript:`` URLs is built with the
search index; the search page (HTML and JSON), the suggestions' source and every
kind of entity page must show that text escaped: no element, attribute or link
of the page's own comes from the data.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ckg_rdf.service import ServiceSettings, create_app
from tests.building import build_graph, open_graph
from tests.service.htmltree import Node, parse

SHA = "e" * 40
TITLE = """<script>alert("title")</script> ACE2 "quoted" & 'apos' javascript:alert(1)"""
ROW_TITLE = "javascript:alert('row') <img src=x onerror=alert(2)> coronavirus"
JOURNAL = "<b onmouseover=alert(3)>Journal</b>"
FIRST = '"><script>alert(4)</script>'
LAST = "<img src=x onerror=alert(5)>Smith"
INSTITUTION = """<script>alert('inst')</script> Institute of "Virology" javascript:x"""
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.fixture(scope="module")
def hostile(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("hostile-explore") / "c"
    corpus.mkdir()
    with (sample_dir / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[:16]
    head = rows[0]
    rows[1][head.index("title")] = ROW_TITLE
    rows[1][head.index("journal")] = JOURNAL
    rows[1][head.index("doi")] = "javascript:alert(6)"
    rows[1][head.index("authors")] = f"{LAST}, {FIRST}; Doe, Jane"
    with (corpus / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    parses = corpus / "pdf_json"
    parses.mkdir()
    donors = sorted(sample_dir.glob("*/*.json"))
    doc = json.loads(donors[0].read_text(encoding="utf-8"))
    doc["paper_id"] = SHA
    doc["metadata"]["title"] = TITLE
    author = doc["metadata"]["authors"][0]
    author.update({"first": FIRST, "last": LAST, "middle": []})
    author["affiliation"]["institution"] = INSTITUTION
    (parses / f"{SHA}.json").write_text(json.dumps(doc), encoding="utf-8")
    for f in donors[1:4]:
        shutil.copyfile(f, parses / f.name)
    store = tmp_path_factory.mktemp("hostile-explore-store")
    build_graph(
        corpus,
        store,
        steps=("papers", "affiliations", "concepts", "topic-texts", "search-texts"),
        stages=("citations", "pagerank", "topics", "search"),
        **{"topics.iterations": 30},
    )
    return store


def assert_inert(tree: Node, where: str) -> None:
    for node in tree.iter():
        if node.tag == "script":
            assert node.attrs.get("src", "").startswith("/static/"), where
            assert not node.text().strip(), where
        assert node.tag not in ("img", "b", "iframe"), (where, node.tag)
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (where, node.tag, name)
            if name in ("href", "src", "action"):
                assert not value.strip().lower().startswith("javascript:"), (where, value)


def test_hostile_text_stays_text_on_every_new_page(hostile: Path) -> None:
    graph = open_graph(hostile)
    paper = f"http://localhost:8000/paper/{SHA}"
    author = next(
        iter(graph.query(f"SELECT ?a WHERE {{ <{paper}> ckg:authoredBy ?a }} ORDER BY ?a LIMIT 1"))
    )["a"].value  # type: ignore[index]
    inst = next(
        iter(graph.query("SELECT ?i WHERE { ?i a ckg:Institution ; rdfs:label ?l } ORDER BY ?l"))
    )["i"].value  # type: ignore[index]
    concept = next(
        iter(graph.query(f"SELECT ?c WHERE {{ <{paper}> ckg:associatedConcept ?c }} LIMIT 1"))
    )["c"].value  # type: ignore[index]
    topic = next(iter(graph.query("SELECT ?t WHERE { ?t a ckg:Topic } LIMIT 1")))["t"].value  # type: ignore[index]
    row_paper = next(
        iter(graph.query("SELECT ?p WHERE { ?p ckg:journal ?j FILTER(CONTAINS(?j, 'onmouse')) }"))
    )["p"].value  # type: ignore[index]
    graph.close()  # type: ignore[attr-defined]
    settings = ServiceSettings(store=str(hostile), workers=1, reload_check_s=0)
    pages = [
        "/",
        "/search?q=script",
        "/search?q=alert",
        "/search?q=javascript",
        "/search?q=virology&type=institution",
        "/search?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/search?q=coronavirus&type=paper",
    ]
    pages += [
        i.replace("http://localhost:8000", "")
        for i in (paper, row_paper, author, inst, concept, topic)
    ]
    with TestClient(create_app(settings)) as client:
        seen = ""
        for path in pages:
            r = client.get(path, headers={"Accept": BROWSER})
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
            assert_inert(parse(r.text), path)
            seen += r.text
        # the data is shown, as text
        assert "&lt;script&gt;alert(" in seen
        assert (
            "Institute of &#34;Virology&#34;" in seen or "Institute of &quot;Virology&quot;" in seen
        )
        # the JSON the suggestions are drawn from carries the text as it is, for textContent
        r = client.get("/search", params={"q": "script"}, headers={"Accept": "application/json"})
        assert r.headers["content-type"].startswith("application/json")
        labels = [hit["label"] for hit in r.json()["results"]]
        assert TITLE in labels or any("<script>" in label for label in labels)
        assert all(
            hit["href"] is None or hit["href"].startswith("/") for hit in r.json()["results"]
        )
        js = client.get("/static/search.js").text
        assert "innerHTML" not in js and "insertAdjacentHTML" not in js
