"""How a server is configured: one frozen object the app factory receives."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ckg_rdf.pipeline.state import recorded_settings
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, normalise_base


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs; ``ckg serve`` fills it from its options.

    ``base_iri=None`` means "the base the store was built with" (read from the
    build state), so the IRIs the server answers for are the IRIs in the data.
    """

    store: Path
    base_iri: str | None = None
    timeout_s: float = 30.0
    max_rows: int = 100_000
    workers: int = max(1, min(4, os.cpu_count() or 1))
    allow_update: bool = False
    allow_service: bool = False
    title: str = "ckg-rdf"
    #: rows shown in the HTML results table (downloads have them all, up to max_rows)
    html_rows: int = 1_000
    #: time allowed to count the graph for VoID and the home page
    stats_timeout_s: float = 600.0

    def resolved_base(self) -> str:
        """The base IRI to serve: explicit, else the build's, else the default."""
        if self.base_iri:
            return normalise_base(self.base_iri)
        return normalise_base(build_base_iri(self.store) or DEFAULT_BASE_IRI)


def build_base_iri(store: Path) -> str | None:
    """The base IRI ``ckg build`` minted the store's IRIs under, if recorded."""
    return recorded_settings(store).get("base_iri")
