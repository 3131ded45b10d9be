"""The ``ckg`` command line, driven as a user would (in a subprocess for exit codes and stderr)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
import rdflib

from tests.clitools import ckg
from tests.rawsample import read_sample

COMMANDS = ["build", "query", "queries", "stats", "export"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = ckg(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_a_missing_corpus_is_one_clear_line_not_a_traceback(tmp_path) -> None:
    result = ckg("build", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_querying_a_store_that_was_never_built_says_what_to_do(tmp_path) -> None:
    result = ckg("stats", "--store", str(tmp_path / "empty"))
    assert result.returncode == 1
    assert "ckg build" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_query_that_does_not_parse_is_reported(built_sample) -> None:
    result = ckg("query", "SELECT ?x WHERE { ?x", "--store", str(built_sample[0]))
    assert result.returncode == 1
    assert "does not parse" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_stats_query_and_export_end_to_end(sample_dir, tmp_path) -> None:
    store = tmp_path / "store"
    built = ckg(
        "build", str(sample_dir), "--store", str(store), "--limit", "60", "-q", "--no-embeddings"
    )
    assert built.returncode == 0, built.stderr
    assert "papers read" in built.stdout and "60" in built.stdout

    stats = ckg("stats", "--store", str(store))
    assert stats.returncode == 0
    assert "Paper" in stats.stdout and " 60 " in stats.stdout

    as_csv = ckg("query", "SELECT ?p WHERE { ?p a ckg:Paper }", "--store", str(store), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 60

    as_json = ckg("query", "co-authors", "--store", str(store), "-f", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert {"author", "coauthor", "papers"} <= set(json.loads(as_json.stdout)[0])

    for extension, rdflib_format in [
        ("nt", "nt"),
        ("ttl", "turtle"),
        ("nq", "nquads"),
        ("trig", "trig"),
        ("jsonld", "json-ld"),
        ("rdf", "xml"),
    ]:
        # the format comes from the extension
        target = tmp_path / f"graph.{extension}"
        exported = ckg("export", str(target), "--store", str(store))
        assert exported.returncode == 0, exported.stderr
        datasets = extension in ("nq", "trig")
        graph = rdflib.Dataset() if datasets else rdflib.Graph()
        graph.parse(target, format=rdflib_format)
        count = sum(1 for _ in graph.quads()) if datasets else len(graph)
        assert f"wrote {count:,} {'quads' if datasets else 'triples'}" in exported.stdout
        if extension == "ttl":
            assert target.read_text().startswith("@prefix")


def test_a_parameterised_named_query_binds_its_variable(built_sample, sample_dir) -> None:
    store = str(built_sample[0])
    iri = "http://localhost:8000/author/lanzavecchia-antonio"
    result = ckg(
        "query", "papers-of-author", "--param", f"author={iri}", "-f", "csv", "--store", store
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["author"] for r in rows} == {iri}
    raw = read_sample(sample_dir)
    expected = {pid for pid, p in raw.items() if ("Lanzavecchia", "Antonio") in p.authors}
    assert {r["paper"].rsplit("/", 1)[1] for r in rows} == expected


def test_the_cli_starts_without_the_embed_extra() -> None:
    """`ckg` must work on a core install: nothing heavy is imported until it is used."""
    code = (
        "import sys, ckg_rdf.cli, ckg_rdf.service.app; "
        "heavy = [m for m in ('torch', 'transformers', 'faiss', 'pykeen', 'tensorflow') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_an_unwritable_export_target_is_one_clear_line(built_sample, tmp_path) -> None:
    result = ckg(
        "export", str(tmp_path / "no" / "such" / "dir.nt"), "--store", str(built_sample[0])
    )
    assert result.returncode == 1
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
