"""The package's shape, checked: data flows one way and nothing reaches past a seam.

corpus -> extract -> rdf -> store -> service; the pipeline drives steps and stages; the CLI
sits on top and is the only user of the CLI library. Imports are read from the source
(module level and inside functions alike), so a lazy import counts too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ckg_rdf"

#: package -> packages of ckg_rdf it must never import
FORBIDDEN: dict[str, set[str]] = {
    "corpus": {"extract", "rdf", "store", "pipeline", "service", "embed", "cli", "topics"},
    "extract": {"rdf", "store", "pipeline", "service", "embed", "cli"},
    "rdf": {"store", "pipeline", "service", "embed", "cli"},
    "store": {"corpus", "extract", "rdf", "pipeline", "service", "embed", "cli"},
    "embed": {"pipeline", "service", "cli"},
    "pipeline": {"service", "cli"},
    "service": {"pipeline", "cli"},
    "topics": {"rdf", "store", "pipeline", "service", "embed", "cli"},
    "rank": {"pipeline", "service", "embed", "cli"},
    "search": {"store", "pipeline", "service", "embed", "cli", "rdf", "corpus", "extract"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts)


def _package(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0].removesuffix(".py") if len(rel) > 1 else rel[0].removesuffix(".py")


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_a_layer_above_or_beside_it(layer: str) -> None:
    offenders = []
    for path in _modules():
        if _package(path) != layer:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "ckg_rdf" and len(parts) > 1 and parts[1] in FORBIDDEN[layer]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_only_the_cli_package_imports_the_cli_library() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules()
        if _package(path) != "cli"
        for name in _imports(path)
        if name.split(".")[0] in ("typer", "click") or name.startswith("ckg_rdf.cli")
    ]
    assert offenders == []


def test_nothing_outside_the_store_package_touches_a_backend() -> None:
    """Callers use the store interface: no pyoxigraph Store, no '.raw', no Oxigraph folder."""
    needles = (
        r"\.raw\b",
        r"pyoxigraph import Store",
        r"ox\.Store\(",
        r"Store\.read_only",
        r'/ "oxigraph"',
    )
    offenders = []
    for path in _modules():
        # the data directory owns the layout, the Oxigraph folder's name included
        if _package(path) == "store" or path.name == "datadir.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in needles if re.search(n, text)]
    assert offenders == []
