"""Characters RDF and XML cannot carry never stop a build or break a representation.

A full-text JSON may hold a lone surrogate escape (valid JSON, not valid Unicode text), and
CSV or JSON may hold NUL or U+FFFF. The build must finish, report those files, load every
paper (with the characters replaced), and every representation the service gives, RDF/XML
and SPARQL XML results included, must parse.
"""

from __future__ import annotations

import csv
import json
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from ckg_rdf.service import ServiceSettings, create_app
from tests.building import build_spine, open_graph

BAD_SHA = "0" * 40
NUL_SHA = "1" * 40


@pytest.fixture(scope="module")
def hostile(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    corpus = tmp_path_factory.mktemp("hostile") / "c"
    corpus.mkdir()
    with (sample_dir / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[:21]
    title = rows[0].index("title")
    rows[3][title] = "Clin\x00ical\uffff " + rows[3][title]  # data row 3 is line 4
    with (corpus / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    parses = corpus / "pdf_json"
    parses.mkdir()
    donor = sorted(sample_dir.glob("*/*.json"))[0]
    doc = json.loads(donor.read_text(encoding="utf-8"))
    for sha, title in ((BAD_SHA, "bad \\ud800 title"), (NUL_SHA, "nul \\u0000 and \\uffff")):
        doc["paper_id"] = sha
        doc["metadata"]["title"] = "@@TITLE@@"
        text = json.dumps(doc).replace('"@@TITLE@@"', f'"{title}"')
        (parses / f"{sha}.json").write_text(text, encoding="utf-8")
    for f in sorted(sample_dir.glob("*/*.json"))[1:6]:
        shutil.copyfile(f, parses / f.name)
    store = tmp_path_factory.mktemp("hostile-store")
    return corpus, store


def test_the_build_finishes_reports_the_files_and_loads_every_paper(hostile) -> None:  # type: ignore[no-untyped-def]
    corpus, store = hostile
    report = build_spine(corpus, store)
    assert report.papers_read == 20 + 2 + 5
    reported = {p.source for p in report.problems if p.kind == "warning"}
    assert str(corpus / "pdf_json" / f"{BAD_SHA}.json") in reported
    assert str(corpus / "pdf_json" / f"{NUL_SHA}.json") in reported
    assert any(s.endswith("metadata.csv:4") for s in reported)
    graph = open_graph(store)
    n = next(iter(graph.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }")))["n"]
    assert int(n.value) == 27
    titles = {
        r["t"].value
        for r in graph.query(
            f"SELECT ?t WHERE {{ <http://localhost:8000/paper/{BAD_SHA}> ckg:title ?t }}"
        )
    }
    assert titles == {"bad \ufffd title"}


def test_every_representation_parses(hostile) -> None:  # type: ignore[no-untyped-def]
    corpus, store = hostile
    if not (store / "oxigraph").exists():
        build_spine(corpus, store)
    settings = ServiceSettings(store=str(store), workers=1, reload_check_s=0)
    with TestClient(create_app(settings)) as client:
        for sha in (BAD_SHA, NUL_SHA):
            for fmt, parser in (
                ("rdf", "xml"),
                ("ttl", "turtle"),
                ("nt", "nt"),
                ("jsonld", "json-ld"),
            ):
                r = client.get(f"/paper/{sha}.{fmt}")
                assert r.status_code == 200, (sha, fmt, r.text)
                rdflib.Graph().parse(data=r.content, format=parser)
            r = client.get(f"/paper/{sha}.html")
            assert r.status_code == 200
        query = "SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t }"
        for accept in (
            "application/sparql-results+xml",
            "application/sparql-results+json",
            "text/csv",
            "text/tab-separated-values",
        ):
            r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
            assert r.status_code == 200
            if "xml" in accept:
                xml.dom.minidom.parseString(r.content)
            elif "json" in accept:
                assert len(r.json()["results"]["bindings"]) == 27
        construct = "CONSTRUCT { ?p ckg:title ?t } WHERE { ?p ckg:title ?t }"
        r = client.get(
            "/sparql", params={"query": construct}, headers={"Accept": "application/rdf+xml"}
        )
        assert r.status_code == 200
        assert len(rdflib.Graph().parse(data=r.content, format="xml")) >= 27
