"""Finding the files shipped next to the code: the ontology and the named queries.

In a wheel they are inside the package (``ckg_rdf/_data``); in a source checkout
(or an editable install) they are the top-level ``ontology/`` and ``sparql/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"cannot find the {name!r} folder shipped with ckg-rdf")


def ontology_path() -> Path:
    """The OWL ontology in Turtle."""
    return _find("ontology") / "ckg.ttl"


def sparql_dir() -> Path:
    """The folder of named example queries (``*.rq``)."""
    return _find("sparql")
