"""Every ordinary mistake ends in one clear line, the documented exit code, and no traceback.

The rule (README 'Exit codes'): 0 done; 1 the command could not do what was asked; 2 the
command line itself is wrong; 130 interrupted. Each case runs the real ``ckg`` entry point.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clitools import ckg

#: commands that read an existing graph, with the arguments they need
READERS = {
    "stats": [],
    "query": ["SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    "export": ["out.nt"],
    "concept": ["fever"],
    "similar": ["p1"],
    "embed": [],
    "serve": ["--port", "1"],
    "concepts": ["--print-only"],
}


def _assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    text = result.stdout + result.stderr
    assert "Traceback" not in text
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], (word, errors[0])


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_missing_store_says_how_to_build_one(command: str, tmp_path: Path) -> None:
    result = ckg(command, *READERS[command], "--store", str(tmp_path / "nowhere"), cwd=tmp_path)
    _assert_one_line(result, 1, "no graph in", "ckg build")


@pytest.mark.parametrize("command", sorted(READERS) + ["build"])
def test_a_file_given_as_store_is_named(command: str, tmp_path: Path, sample_dir: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("not a store")
    args = [str(sample_dir)] if command == "build" else READERS[command]
    result = ckg(command, *args, "--store", str(file), cwd=tmp_path)
    _assert_one_line(result, 1, "is a file", "--store")


@pytest.mark.parametrize("command", sorted(READERS) + ["build", "queries"])
def test_an_unknown_option_is_a_usage_error(command: str, tmp_path: Path) -> None:
    result = ckg(command, "--no-such-option", cwd=tmp_path)
    _assert_one_line(result, 2, "--no-such-option", "--help")


def test_a_port_out_of_range_is_a_usage_error(built_sample) -> None:  # type: ignore[no-untyped-def]
    result = ckg("serve", "--store", str(built_sample[0]), "--port", "99999")
    _assert_one_line(result, 2, "--port", "65535")


def test_updates_need_a_single_server_process(built_sample) -> None:  # type: ignore[no-untyped-def]
    result = ckg("serve", "--store", str(built_sample[0]), "--allow-update", "--processes", "2")
    _assert_one_line(result, 2, "--allow-update", "single server process")


def test_a_port_in_use_is_named_before_serving(built_sample) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = ckg("serve", "--store", str(built_sample[0]), "--port", str(port))
    _assert_one_line(result, 1, f"port {port}", "in use", "--port")
    assert "serving" not in result.stderr


def test_a_garbage_metadata_csv_builds_nothing_and_says_so(tmp_path: Path) -> None:
    corpus = tmp_path / "garbage"
    corpus.mkdir()
    (corpus / "metadata.csv").write_bytes(bytes(range(256)) * 40)
    result = ckg("build", str(corpus), "--store", str(tmp_path / "s"), "-q")
    _assert_one_line(result, 1, "nothing was built")
    # the problem list was written, whatever bytes it quotes
    assert (tmp_path / "s" / "problems.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("nosuch-query", "no named query 'nosuch-query'"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "this is a SPARQL Update"),
        ("SELECT * WHERE { ?s foo:bar ?o }", "unknown prefix foo:"),
        ("SELECT ?x WHERE { ?x", "does not parse"),
    ],
)
def test_query_mistakes_are_explained(query: str, says: str, built_sample) -> None:  # type: ignore[no-untyped-def]
    result = ckg("query", query, "--store", str(built_sample[0]))
    _assert_one_line(result, 1, says)
    assert len(result.stderr) < 500  # no lines of Unicode ranges


def test_without_the_embed_extra_similar_and_embed_name_the_extra(built_sample) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import ckg_rdf.embed as e; e.EMBED_MODULES = ('no_such_module_xyz',); "
        "from ckg_rdf.cli import main; main()"
    )
    for args in (["similar", "p1"], ["embed"]):
        result = subprocess.run(
            [sys.executable, "-c", code, *args, "--store", str(built_sample[0])],
            capture_output=True,
            text=True,
        )
        _assert_one_line(result, 1, "[embed]", "pip install")


def test_help_renders_as_written() -> None:
    result = ckg("build", "--help")
    assert result.returncode == 0
    assert "needs the [embed] extra" in " ".join(result.stdout.split())
    assert "<bool>" not in result.stdout and "\\[" not in result.stdout
    assert "Usage: ckg build [OPTIONS] CORPUS_DIR" in result.stdout
    assert "{" not in result.stdout.splitlines()[0]


def test_export_takes_its_format_from_the_extension(built_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = ckg("export", str(tmp_path / "graph.weird"), "--store", str(built_sample[0]))
    _assert_one_line(bad, 1, "cannot tell the format", "--format")
    good = ckg("export", str(tmp_path / "graph.ttl"), "--store", str(built_sample[0]))
    assert good.returncode == 0 and "(Turtle)" in good.stdout


def test_tables_never_cut_an_identifier(built_sample) -> None:  # type: ignore[no-untyped-def]
    result = ckg(
        "query",
        "SELECT ?p WHERE { ?p a ckg:Paper } ORDER BY DESC(STRLEN(STR(?p))) LIMIT 1",
        "--store",
        str(built_sample[0]),
    )
    assert result.returncode == 0
    longest = ckg(
        "query",
        "SELECT ?p WHERE { ?p a ckg:Paper } ORDER BY DESC(STRLEN(STR(?p))) LIMIT 1",
        "--store",
        str(built_sample[0]),
        "-f",
        "csv",
    ).stdout.splitlines()[1]
    assert longest in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    assert "…" not in result.stdout
