"""Running ``ckg`` as a user does: a subprocess, so exit codes and stderr are the real ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def ckg(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``ckg ARGS...`` through the real entry point (``ckg_rdf.cli:main``)."""
    base = {
        "COLUMNS": "200",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "HOME": os.environ.get("HOME", "/tmp"),
        "HF_HUB_OFFLINE": "1",
    }
    for key in ("CKG_CACHE_DIR", "CKG_KGE_ENV", "XDG_CACHE_HOME"):
        if key in os.environ:
            base[key] = os.environ[key]
    return subprocess.run(
        [sys.executable, "-c", "from ckg_rdf.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=timeout,
    )
