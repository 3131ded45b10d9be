"""Re-running a build: nothing duplicated, new papers added, bad input reported and skipped."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from ckg_rdf.pipeline.build import BuildError
from ckg_rdf.pipeline.papers_step import PapersStep
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG
from tests.building import build_spine as build
from tests.building import open_graph


def _copy_corpus(src: Path, dst: Path, rows: int | None = None, parses: int | None = None) -> Path:
    dst.mkdir(parents=True)
    with (src / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines(keepends=True)
    keep = lines if rows is None else lines[: rows + 1]
    (dst / "metadata.csv").write_text("".join(keep), encoding="utf-8")
    files = sorted(src.glob("biorxiv_medrxiv/*.json"))
    (dst / "biorxiv_medrxiv").mkdir()
    for f in files if parses is None else files[:parses]:
        shutil.copyfile(f, dst / "biorxiv_medrxiv" / f.name)
    return dst


def test_building_twice_gives_the_same_triples(sample_dir, tmp_path) -> None:
    corpus = _copy_corpus(sample_dir, tmp_path / "c", rows=120, parses=20)
    first = build(corpus, tmp_path / "store")
    second = build(corpus, tmp_path / "store")
    assert first.triples_after == second.triples_before == second.triples_after
    assert second.papers_written == 0
    assert second.papers_read == first.papers_read == 140


def test_new_papers_are_added_on_the_next_build(sample_dir, tmp_path) -> None:
    small = _copy_corpus(sample_dir, tmp_path / "small", rows=50, parses=5)
    large = _copy_corpus(sample_dir, tmp_path / "large", rows=80, parses=9)
    store = tmp_path / "store"
    build(small, store)
    report = build(large, store)
    assert report.papers_written == 34  # 30 rows + 4 parses
    fresh = build(large, tmp_path / "fresh")
    assert report.triples_after == fresh.triples_after


def _rebuild_after_edit(sample_dir: Path, tmp_path: Path, old: str, new: str):
    """Build 5 metadata rows, replace ``old`` by ``new`` in metadata.csv, build again."""
    corpus = _copy_corpus(sample_dir, tmp_path / "c", rows=5, parses=0)
    store_dir = tmp_path / "store"
    build(corpus, store_dir)
    text = (corpus / "metadata.csv").read_text(encoding="utf-8")
    assert old in text
    (corpus / "metadata.csv").write_text(text.replace(old, new))
    report = build(corpus, store_dir)
    return report, open_graph(store_dir)


def test_a_changed_paper_replaces_its_old_triples(sample_dir, tmp_path) -> None:
    report, store = _rebuild_after_edit(
        sample_dir,
        tmp_path,
        "Clinical features of culture-proven Mycoplasma pneumoniae infections",
        "A renamed paper about Mycoplasma",
    )
    assert report.papers_written == 1
    titles = [
        r["t"].value
        for r in store.query(
            "SELECT ?t WHERE { <http://localhost:8000/paper/ug7v899j> ckg:title ?t }"
        )
    ]
    assert len(titles) == 1 and titles[0].startswith("A renamed paper")


def test_corrupt_json_and_bad_csv_row_are_reported_and_everything_else_loads(
    sample_dir, tmp_path
) -> None:
    corpus = _copy_corpus(sample_dir, tmp_path / "c", rows=40, parses=6)
    broken = sorted((corpus / "biorxiv_medrxiv").glob("*.json"))[2]
    broken.write_bytes(broken.read_bytes()[:500])  # truncated mid-object
    lines = (corpus / "metadata.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10] = "not,a,valid,row\n"  # data row 10 has 4 fields instead of 19
    (corpus / "metadata.csv").write_text("".join(lines), encoding="utf-8")
    with (corpus / "metadata.csv").open("ab") as fh:
        fh.write(b"zz" + b",x" * 18 + b"\xff\xfe broken encoding\n")

    report = build(corpus, tmp_path / "store")

    errors = [p for p in report.problems if p.kind == "error"]
    sources = sorted(p.source for p in errors)
    assert len(errors) == 3, errors
    assert any(s.endswith("metadata.csv:11") for s in sources)
    assert any(s.endswith("metadata.csv:42") for s in sources)
    assert str(broken) in sources
    assert "malformed JSON" in next(p.reason for p in errors if p.source == str(broken))
    # 40 rows - 1 bad + 6 parses - 1 broken (the encoding row is the 41st, also skipped)
    assert report.papers_read == 39 + 5
    store = open_graph(tmp_path / "store")
    n = next(store.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }"))
    assert int(n["n"].value) == 44
    listed = list(
        csv.reader((tmp_path / "store" / "problems.tsv").open(encoding="utf-8"), delimiter="\t")
    )
    assert len([r for r in listed[1:] if r[0] == "error"]) == 3


def test_a_store_built_with_another_base_iri_is_refused(sample_dir, tmp_path) -> None:
    corpus = _copy_corpus(sample_dir, tmp_path / "c", rows=3, parses=0)
    build(corpus, tmp_path / "store", base_iri="http://example.org/kg/")
    with pytest.raises(BuildError, match="base IRI"):
        build(corpus, tmp_path / "store")


AUTHOR_ORDER = """SELECT ?n ?name WHERE {
    <http://localhost:8000/paper/2b73a28n> ckg:qualifiedAuthorship ?e .
    ?e ckg:authorPosition ?n ; ckg:author/ckg:name ?name } ORDER BY ?n"""


def _author_order(store: GraphReader) -> list[tuple[int, str]]:
    return [(int(r["n"].value), r["name"].value) for r in store.query(AUTHOR_ORDER)]


def test_a_changed_author_list_leaves_no_stale_authorship_nodes(sample_dir, tmp_path) -> None:
    report, store = _rebuild_after_edit(
        sample_dir,
        tmp_path,
        "Fagan, Karen A; McMurtry, Ivan F; Rodman, David M",
        "Rodman, David M; Fagan, Karen A",
    )
    assert report.papers_written == 1
    assert _author_order(store) == [(1, "David M Rodman"), (2, "Karen A Fagan")]
    # the old third entry is gone, not left dangling
    assert not bool(store.query("ASK { <http://localhost:8000/paper/2b73a28n#author-3> ?p ?o }"))
    # as many author entries as a fresh build (the dropped author's own node stays, shared)
    build(tmp_path / "c", tmp_path / "fresh")  # the edited corpus
    entries = "SELECT (COUNT(*) AS ?n) WHERE { ?e a ckg:Authorship ; ?p ?o }"
    fresh = open_graph(tmp_path / "fresh")
    assert next(store.query(entries))["n"] == next(fresh.query(entries))["n"]


def test_a_new_papers_step_version_rewrites_papers_and_keeps_other_graphs(
    sample_dir, tmp_path, monkeypatch
) -> None:
    corpus = _copy_corpus(sample_dir, tmp_path / "c", rows=5, parses=0)
    store_dir = tmp_path / "store"
    first = build(corpus, store_dir)
    paper = NamedNode("http://localhost:8000/paper/2b73a28n")
    concept = NamedNode("http://localhost:8000/concept/example")
    store = open_graph(store_dir, write=True)
    # an edge of the concepts graph: the papers step retracts only its own graph
    store.add([Quad(paper, CKG.associatedConcept, concept, IriScheme().graph("concepts"))])
    store.close()
    monkeypatch.setattr(PapersStep, "version", PapersStep.version + "-next")
    report = build(corpus, store_dir)
    assert report.papers_written == first.papers_written == 5
    assert report.triples_after == first.triples_after + 1
    store = open_graph(store_dir)
    assert bool(store.query(f"ASK {{ {paper} ckg:associatedConcept {concept} }}"))
    assert [n for n, _ in _author_order(store)] == [1, 2, 3]
