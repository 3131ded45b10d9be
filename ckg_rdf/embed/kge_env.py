"""The isolated AmpliGraph environment: where it lives, how to make it.

Why a separate virtual environment and not an extra: AmpliGraph 2.2.0 pins
Python < 3.12, TensorFlow 2.15 and numpy < 2, while the main environment runs
numpy 2 and torch; one resolver cannot satisfy both. The environment is built
from ``ampligraph_env/requirements.txt`` shipped inside the package (so an
installed ckg-rdf can build it, not only a checkout), and the main process
drives ``ampligraph_env/worker.py`` in it through a subprocess, exchanging
plain ``.npy`` files (no pickles, no shared imports).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ckg_rdf.embed.kge import KGEError

HERE = Path(__file__).parent / "ampligraph_env"
REQUIREMENTS = HERE / "requirements.txt"
WORKER = HERE / "worker.py"
READY_MARKER = ".ckg-ready"
SUPPORTED_PYTHONS = ("python3.11", "python3.10", "python3.9")


def default_env_dir() -> Path:
    """``$CKG_KGE_ENV``, else ``$XDG_DATA_HOME/ckg-rdf/ampligraph-env`` (~/.local/share)."""
    if os.environ.get("CKG_KGE_ENV"):
        return Path(os.environ["CKG_KGE_ENV"]).expanduser()
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "ckg-rdf" / "ampligraph-env"


def env_python(env_dir: Path | None = None) -> Path | None:
    """The environment's interpreter when the environment is complete, else None."""
    env_dir = env_dir or default_env_dir()
    py = env_dir / "bin" / "python"
    return py if py.exists() and (env_dir / READY_MARKER).exists() else None


def find_base_python(explicit: str | None = None) -> str:
    """A Python 3.9-3.11 interpreter to build the environment with."""
    candidates = [explicit] if explicit else [sys.executable, *SUPPORTED_PYTHONS]
    for cand in candidates:
        exe = shutil.which(cand) if cand and not os.path.isabs(cand) else cand
        if not exe:
            continue
        try:
            out = subprocess.run(
                [exe, "-c", "import sys; print(sys.version_info[:2] < (3, 12))"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out == "True":
            return exe
    raise KGEError("AmpliGraph needs Python 3.9-3.11 and none was found; pass one with --python")


def create_env(env_dir: Path | None = None, python: str | None = None) -> Path:
    """Build (or finish building) the environment; returns its directory."""
    env_dir = env_dir or default_env_dir()
    base = find_base_python(python)
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    steps = []
    if not (env_dir / "bin" / "python").exists():
        steps.append([base, "-m", "venv", str(env_dir)])
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    steps.append([*pip, "-r", str(REQUIREMENTS)])
    for cmd in steps:
        proc = subprocess.run(cmd)
        if proc.returncode != 0:
            raise KGEError(f"building the AmpliGraph environment failed at: {' '.join(cmd)}")
    (env_dir / READY_MARKER).write_text(REQUIREMENTS.read_text())
    return env_dir


def remove_env(env_dir: Path | None = None) -> bool:
    env_dir = env_dir or default_env_dir()
    if not (env_dir / "pyvenv.cfg").exists():
        return False
    shutil.rmtree(env_dir)
    return True
