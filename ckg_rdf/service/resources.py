"""Files shipped with the service: its own SPARQL, templates and static assets."""

from __future__ import annotations

from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = SERVICE_DIR / "templates"
STATIC_DIR = SERVICE_DIR / "static"
SPARQL_DIR = SERVICE_DIR / "sparql"


def service_query(name: str) -> str:
    """The text of ``ckg_rdf/service/sparql/{name}.rq`` (kept out of Python on purpose)."""
    return (SPARQL_DIR / f"{name}.rq").read_text(encoding="utf-8")
