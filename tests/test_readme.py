"""The README's shell examples run as written, against a build of the bundled sample.

Every ``$ ckg ...`` and ``$ curl ...`` line in the README's fenced blocks is
executed: ``ckg`` commands in a folder whose ``ckg-data`` is a copy of the
sample's build (the default store), ``curl`` against ``ckg serve`` on that
store (the README's ``127.0.0.1:8000`` becomes the test server's port). Lines
marked ``# shared sample`` need ``../shared/cord19-sample`` and are left out;
the two set-up commands at the top are what ``.ci/run`` itself runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ckg_rdf.service import ServiceSettings
from tests.service.conftest import ServerThread, free_port

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT = README.parent


def readme_commands() -> list[str]:
    """The ``$ `` lines of the README's fenced blocks, without the prompt."""
    commands: list[str] = []
    fenced = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced and line.startswith("$ ") and "# shared sample" not in line:
            commands.append(line[2:].strip())
    return commands


CKG_COMMANDS = [c for c in readme_commands() if c.startswith("ckg ")]
CURL_COMMANDS = [c for c in readme_commands() if c.startswith("curl ")]


def test_the_readme_has_examples_of_both_kinds() -> None:
    assert len(CKG_COMMANDS) >= 5 and len(CURL_COMMANDS) >= 3


@pytest.fixture(scope="module")
def workdir(built_sample, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A folder laid out as after the README's first command: ``ckg-data`` and the
    bundled sample where the README's paths expect them."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(built_sample[0], work / "ckg-data")
    (work / "examples").mkdir()
    (work / "examples" / "cord19-sample").symlink_to(ROOT / "examples" / "cord19-sample")
    return work


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # 'ckg' is the installed entry point of this interpreter's environment
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "COLUMNS": "200"}
    env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("command", CKG_COMMANDS)
def test_a_readme_ckg_example_runs(command: str, workdir: Path) -> None:
    # as a reader sees it: the exit status of the line, and no traceback (a '| head' that
    # closes the pipe early must not make ckg print one)
    result = _shell(command, workdir)
    assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
    assert result.stdout.strip(), command
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[str]:
    port = free_port()
    thread = ServerThread(ServiceSettings(store=str(workdir / "ckg-data"), workers=2), port)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # the similar-papers index loads in the background
    while time.monotonic() < deadline:
        if httpx.get(base + "/paper/ug7v899j/similar?k=1", timeout=30).status_code != 503:
            break
        time.sleep(0.5)
    try:
        yield base
    finally:
        thread.stop()


@pytest.mark.parametrize("command", CURL_COMMANDS)
def test_a_readme_curl_example_answers(command: str, server: str, workdir: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    line = re.sub(r"http://127\.0\.0\.1:8000", server, command)
    result = _shell(line.replace("curl ", "curl -fsS ", 1), workdir)
    assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert result.stdout.strip(), line
