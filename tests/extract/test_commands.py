"""``ckg concepts`` and ``ckg concept NAME`` through typer, on the bundled sample."""

from __future__ import annotations

import re
from pathlib import Path

from tests.clitools import ckg

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cord19-sample"


class Run:
    """A finished ``ckg`` run with CliRunner-like fields."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        done = ckg(*args, env=env)
        self.exit_code = done.returncode
        self.output = done.stdout + done.stderr


def test_concepts_then_concept(tmp_path: Path) -> None:
    env = {"CKG_CACHE_DIR": str(tmp_path / "cache")}
    store = tmp_path / "store"
    r = Run("concepts", str(SAMPLE), "--store", str(store), "--limit", "150", "-q", env=env)
    assert r.exit_code == 0, r.output
    assert "papers annotated: 150" in r.output
    assert "Top 20 concepts by paper count" in r.output
    assert int(re.search(r"paper-concept links: ([\d,]+)", r.output).group(1).replace(",", "")) > 0
    # second run: every paper already annotated by this version (resumable)
    r2 = Run("concepts", str(SAMPLE), "--store", str(store), "--limit", "150", "-q", env=env)
    assert r2.exit_code == 0 and "papers annotated: 0" in r2.output, r2.output
    r3 = Run("concept", "pneumonia", "--store", str(store), env=env)
    assert r3.exit_code == 0, r3.output
    assert "Pneumonia (MEDICAL_CONDITION)" in r3.output
    r4 = Run("concept", "no-such-thing", "--store", str(store), env=env)
    assert r4.exit_code == 1 and "Traceback" not in r4.output


def test_bad_backend_options(tmp_path: Path) -> None:
    r = Run("concepts", str(SAMPLE), "--store", str(tmp_path / "s"), "--backend", "model", env={})
    assert r.exit_code == 1 and "--ner-model" in r.output and "Traceback" not in r.output
    r = Run("concepts", str(SAMPLE), "--store", str(tmp_path / "s"), "--backend", "nope", env={})
    assert r.exit_code == 1 and "vocab" in r.output and "Traceback" not in r.output
