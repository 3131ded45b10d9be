"""``ckg concepts`` and ``ckg concept NAME`` through typer, on the bundled sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ckg_rdf.extract.concepts.commands import concept_command, concepts_command

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cord19-sample"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("concepts")(concepts_command)
    app.command("concept")(concept_command)
    return app


def test_concepts_then_concept(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    store = tmp_path / "store"
    r = runner.invoke(app, ["concepts", str(SAMPLE), "--store", str(store), "--limit", "150", "-q"])
    assert r.exit_code == 0, r.output
    assert "papers annotated: 150" in r.output
    assert "Top 20 concepts by paper count" in r.output
    assert int(re.search(r"paper-concept links: ([\d,]+)", r.output).group(1).replace(",", "")) > 0
    # second run: every paper already annotated by this version (resumable)
    r2 = runner.invoke(
        app, ["concepts", str(SAMPLE), "--store", str(store), "--limit", "150", "-q"]
    )
    assert r2.exit_code == 0 and "papers annotated: 0" in r2.output, r2.output
    r3 = runner.invoke(app, ["concept", "pneumonia", "--store", str(store)])
    assert r3.exit_code == 0, r3.output
    assert "Pneumonia (MEDICAL_CONDITION)" in r3.output
    r4 = runner.invoke(app, ["concept", "no-such-thing", "--store", str(store)])
    assert r4.exit_code == 2 and "Traceback" not in r4.output


def test_bad_backend_options(app: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["concepts", str(SAMPLE), "--store", str(tmp_path / "s"), "--backend", "model"]
    )
    assert r.exit_code == 2 and "--ner-model" in r.output and "Traceback" not in r.output
