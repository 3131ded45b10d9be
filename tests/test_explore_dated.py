"""Years on the entity pages: citations per year, institutions over time.

The bundled sample's full-text papers (the only ones with affiliations and
bibliographies) come without a metadata row, so they have no date. Here each of
them gets a row with a publication date, so the charts and the institutions'
years have something to show, checked against SPARQL written here.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ckg_rdf.service import ServiceSettings, create_app
from tests.building import build_graph, open_graph
from tests.service.htmltree import Node, parse

BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.fixture(scope="module")
def dated(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("dated") / "c"
    corpus.mkdir()
    for sub in sample_dir.iterdir():
        if sub.is_dir():
            shutil.copytree(sub, corpus / sub.name)
    with (sample_dir / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    for i, parse_file in enumerate(sorted(sample_dir.glob("*/*.json"))):
        doc = json.loads(parse_file.read_text(encoding="utf-8"))
        row = [""] * len(head)
        row[head.index("cord_uid")] = f"dated{i:03d}"
        row[head.index("sha")] = doc["paper_id"]
        row[head.index("title")] = doc["metadata"]["title"]
        row[head.index("publish_time")] = f"{2015 + i % 6}-0{1 + i % 9}-15"
        row[head.index("source_x")] = "test"
        rows.append(row)
    with (corpus / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    store = tmp_path_factory.mktemp("dated-store")
    build_graph(
        corpus,
        store,
        steps=("papers", "affiliations", "concepts", "search-texts"),
        stages=("citations", "pagerank", "search"),
    )
    return store


def chart(tree: Node, ident: str) -> dict[int, int]:
    bars = [g for g in tree.by_id(ident).all("g") if "data-year" in g.attrs]
    return {
        int(g.attrs["data-year"]): int(g.attrs["data-value"])
        for g in bars
        if g.attrs["data-value"] != "0"
    }


def rows(store: Path, query: str) -> list[dict[str, str]]:
    graph = open_graph(store)
    try:
        result = graph.query(query)
        names = [v.value for v in result.variables]  # type: ignore[union-attr]
        return [
            {n: s[n].value for n in names if s[n] is not None}
            for s in result  # type: ignore[union-attr]
        ]
    finally:
        graph.close()  # type: ignore[attr-defined]


def _first(store: Path, query: str) -> str:
    return rows(store, query)[0]["x"]


def test_citations_per_year_and_institutions_over_time(dated: Path) -> None:
    author = _first(
        dated,
        """SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE { ?p ckg:authoredBy ?x .
             ?c ckg:cites ?p ; ckg:publicationDate ?d FILTER(?c != ?p) }
           GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1""",
    )
    per_year: dict[int, int] = defaultdict(int)
    for r in rows(
        dated,
        f"""SELECT DISTINCT ?p ?c ?d WHERE {{ ?p ckg:authoredBy <{author}> .
              ?c ckg:cites ?p ; ckg:publicationDate ?d FILTER(?c != ?p) }}""",
    ):
        per_year[int(r["d"][:4])] += 1
    assert per_year
    traveller = _first(
        dated,
        """SELECT ?x (COUNT(DISTINCT ?i) AS ?n) WHERE { ?p ckg:qualifiedAuthorship ?e ;
             ckg:publicationDate ?d . ?e ckg:author ?x ; ckg:entryAffiliation ?i }
           GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1""",
    )
    spans: dict[str, list[int]] = defaultdict(list)
    for r in rows(
        dated,
        f"""SELECT ?i ?d WHERE {{ ?p ckg:qualifiedAuthorship ?e ; ckg:publicationDate ?d .
              ?e ckg:author <{traveller}> ; ckg:entryAffiliation ?i }}""",
    ):
        spans[r["i"]].append(int(r["d"][:4]))
    settings = ServiceSettings(store=str(dated), workers=1, reload_check_s=0)
    with TestClient(create_app(settings)) as client:
        path = author.replace("http://localhost:8000", "")
        tree = parse(client.get(path, headers={"Accept": BROWSER}).text)
        assert chart(tree, "citations-per-year") == dict(per_year)
        tree = parse(
            client.get(
                traveller.replace("http://localhost:8000", ""), headers={"Accept": BROWSER}
            ).text
        )
        items = tree.by_id("institutions-list").all("li")
        shown = {li.links()[0].attrs["title"]: li.clean() for li in items}
        assert set(spans) <= set(shown)
        for inst, years in spans.items():
            first, last = min(years), max(years)
            assert (f"{first}-{last}" if last != first else str(first)) in shown[inst]
        bars = tree.by_id("institutions-timeline").all("rect")
        assert len(bars) == len(spans)
        # an institution's papers per year: the papers an author gave it on
        inst = max(spans, key=lambda i: len(spans[i]))
        expected = rows(
            dated,
            f"""SELECT ?y (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p ckg:qualifiedAuthorship ?e ;
                  ckg:publicationDate ?d . ?e ckg:entryAffiliation <{inst}> BIND(YEAR(?d) AS ?y) }}
                GROUP BY ?y""",
        )
        tree = parse(
            client.get(inst.replace("http://localhost:8000", ""), headers={"Accept": BROWSER}).text
        )
        assert chart(tree, "papers-per-year") == {int(r["y"]): int(r["n"]) for r in expected}
