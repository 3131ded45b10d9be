"""The README's shell examples run as written, against a build of the bundled sample.

Every ``$ `` line in the README's fenced blocks is executed, in README order,
in a folder laid out as after the README's first command (``ckg-data`` is a
copy of the sample's build, the default store; ``examples/cord19-sample`` is
the bundled sample):

* ``ckg`` commands through the shell, as typed (``ckg serve`` is started,
  asked for its home page, and stopped);
* ``curl`` against ``ckg serve`` on that store (the README's
  ``127.0.0.1:8000`` becomes the test server's port);
* ``oxigraph serve ... &`` starts the Oxigraph server the remote-store
  example builds into (on a free port instead of 7878).

Lines marked ``# shared sample`` need ``../shared/cord19-sample`` and are left
out; the two set-up commands at the top are what ``.ci/run`` itself runs.
"""

from __future__ import annotations

import os
import re
import shlex
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
OXIGRAPH_PORT = "7878"


def readme_commands() -> list[str]:
    """The ``$ `` lines of the README's fenced blocks, without the prompt, in order."""
    commands: list[str] = []
    fenced = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced and line.startswith("$ ") and "# shared sample" not in line:
            commands.append(line[2:].strip())
    return commands


COMMANDS = readme_commands()
CKG_COMMANDS = [c for c in COMMANDS if c.startswith("ckg ")]
CURL_COMMANDS = [c for c in COMMANDS if c.startswith("curl ")]
OXIGRAPH_COMMANDS = [c for c in COMMANDS if c.startswith("oxigraph ")]


def test_every_readme_example_is_one_this_test_knows_how_to_run() -> None:
    assert COMMANDS == [c for c in COMMANDS if c.split()[0] in ("ckg", "curl", "oxigraph")]
    assert len(CKG_COMMANDS) >= 5 and len(CURL_COMMANDS) >= 3 and OXIGRAPH_COMMANDS


def _env() -> dict[str, str]:
    # 'ckg' and 'oxigraph' are the entry points installed in this interpreter's environment
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    env.update({"COLUMNS": "200", "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"})
    return env


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def workdir(built_sample, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A folder laid out as after the README's first command."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(built_sample[0], work / "ckg-data")
    (work / "examples").mkdir()
    (work / "examples" / "cord19-sample").symlink_to(ROOT / "examples" / "cord19-sample")
    return work


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=30).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer within {seconds} s")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def oxigraph_port(workdir: Path) -> Iterator[str]:
    """The README's Oxigraph server, started from its own line (on a free port)."""
    (line,) = OXIGRAPH_COMMANDS
    port = str(free_port())
    args = shlex.split(line.rstrip("&").replace(f":{OXIGRAPH_PORT}", f":{port}"))
    proc = subprocess.Popen(
        args, cwd=workdir, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 30)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("command", CKG_COMMANDS)
def test_a_readme_ckg_example_runs(command: str, workdir: Path, request) -> None:  # type: ignore[no-untyped-def]
    if f"127.0.0.1:{OXIGRAPH_PORT}" in command:
        port = request.getfixturevalue("oxigraph_port")
        command = command.replace(f"127.0.0.1:{OXIGRAPH_PORT}", f"127.0.0.1:{port}")
    if command.startswith("ckg serve"):
        port = free_port()
        proc = subprocess.Popen(
            [*shlex.split(command), "--port", str(port)],
            cwd=workdir,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}/")
            page = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
            assert page.status_code == 200 and "ckg-rdf" in page.text
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=60)
        assert "Traceback" not in out + err
        return
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
