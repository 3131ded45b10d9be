"""How a server is configured: one validated settings object, resolved in one place.

Values come from (highest first) the ``ckg serve`` options, ``CKG_*``
environment variables (``CKG_TIMEOUT_S=10``, ``CKG_SERVICE_ALLOW='["http://a/"]'``,
``CKG_UPDATE_TOKEN=...``; pydantic-settings reads them), and the defaults
below. What the build recorded (its base IRI, its store) fills what is left,
so the server answers for exactly the IRIs in the data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ckg_rdf.config import DEFAULT_DATA_DIR, StoreSettings
from ckg_rdf.datadir import DataDir
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, normalise_base
from ckg_rdf.service.light import LIGHT_S
from ckg_rdf.service.policy import QueryPolicy
from ckg_rdf.service.tasks import Limits


def _cores() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class ServiceSettings(BaseSettings):
    """Everything ``create_app`` needs."""

    model_config = SettingsConfigDict(env_prefix="CKG_", frozen=True, extra="forbid")

    #: a data directory, or the URL of a SPARQL 1.1 query endpoint
    store: str = DEFAULT_DATA_DIR
    #: the local data directory when ``store`` is a URL (index, build state)
    data_dir: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    #: base of the IRIs served (default: the one the graph was built with)
    base_iri: str | None = None
    #: the public root URL written into the service description and VoID
    #: (default: the base IRI); never taken from the request's Host header
    public_url: str | None = None
    timeout_s: float = Field(30.0, gt=0)
    #: time allowed to a query that calls an allowed SERVICE (default: timeout_s)
    service_timeout_s: float | None = Field(None, gt=0)
    max_rows: int = Field(100_000, ge=1)
    workers: int = Field(default_factory=_cores, ge=1)
    #: worker processes reserved for pages and dereferencing
    page_workers: int = Field(1, ge=1)
    #: HTTP server processes on one port, each with its own workers (1 with allow_update)
    processes: int = Field(1, ge=1)
    #: a query still running after this many seconds counts as heavy
    heavy_after_s: float = Field(1.0, gt=0)
    #: heavy queries at once (default: workers)
    max_heavy: int | None = Field(None, ge=1)
    max_heavy_per_client: int = Field(1, ge=1)
    #: largest request body accepted (413 above)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    #: a request body must arrive within this many seconds (408 after)
    body_timeout_s: float = Field(30.0, gt=0)
    max_nesting: int = Field(128, ge=8)
    allow_update: bool = False
    #: the bearer token SPARQL Update requires (``Authorization: Bearer ...``)
    update_token: SecretStr | None = None
    #: endpoint IRI prefixes SERVICE may call
    service_allow: tuple[str, ...] = ()
    title: str = "ckg-rdf"
    #: rows shown in the HTML results table (downloads have them all, up to max_rows)
    html_rows: int = Field(1_000, ge=1)
    #: time allowed to count the graph for VoID and the home page
    stats_timeout_s: float = Field(600.0, gt=0)
    #: how often to look for a new build to serve (0: never)
    reload_check_s: float = Field(1.0, ge=0)
    #: a task a worker answered in under this many seconds runs in the server process the
    #: next time, on the same snapshot (0: every task in a worker; see service/light.py)
    light_s: float = Field(LIGHT_S, ge=0)
    #: memory for rendered documents and pages of the build served, per server process
    #: (0: render every request; never used with allow_update; see service/doc_cache.py)
    doc_cache_mb: float = Field(64.0, ge=0)
    #: an entity with at least this many links (papers of a concept or topic, author
    #: entries of an institution; 40% as many papers of an author) is a hub: its first
    #: page is computed once per build
    hub_links: int = Field(500, ge=1)
    #: hubs kept per kind, largest first (0: none; see service/hubs.py)
    max_hubs: int = Field(2000, ge=0)

    # -- handing over to the server's other processes -------------------------------
    def to_environment(self) -> str:
        """These settings as JSON, secrets included, for the processes ``ckg serve
        --processes N`` starts (they read it back with :meth:`from_environment`)."""
        data = self.model_dump(mode="json")
        if self.update_token is not None:
            data["update_token"] = self.update_token.get_secret_value()
        return json.dumps(data)

    @classmethod
    def from_environment(cls, text: str) -> ServiceSettings:
        return cls(**json.loads(text))

    # -- derived ------------------------------------------------------------------
    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    def data(self) -> DataDir:
        if self.is_remote:
            return DataDir(Path(self.data_dir or DEFAULT_DATA_DIR))
        return DataDir(Path(self.store))

    def store_settings(self) -> StoreSettings:
        return StoreSettings(
            location=self.store,
            data_dir=self.data_dir,
            update_url=self.update_url,
            gsp_url=self.gsp_url,
            timeout_s=self.timeout_s,
        )

    def resolved_base(self) -> str:
        """The base IRI to serve: explicit, else the build's, else the default."""
        if self.base_iri:
            return normalise_base(self.base_iri)
        recorded = self.data().recorded_config()
        return normalise_base(recorded.base_iri if recorded else DEFAULT_BASE_IRI)

    def public_root(self) -> str:
        """Where clients reach this service (for sd:endpoint and VoID)."""
        return normalise_base(self.public_url) if self.public_url else self.resolved_base()

    def limits(self) -> Limits:
        return Limits(
            max_rows=self.max_rows,
            policy=QueryPolicy(service_allow=self.service_allow, max_nesting=self.max_nesting),
            # a served embedded build is a read-only snapshot; a remote store may change
            fixed_data=not self.allow_update and not self.is_remote,
        )

    def doc_cache_bytes(self) -> int:
        """What the document cache may hold: nothing while the data can change in place."""
        return 0 if self.allow_update else int(self.doc_cache_mb * 1024 * 1024)

    def hubs_kept(self) -> int:
        """Hubs whose first pages are kept: none while the data can change in place."""
        return 0 if self.allow_update else self.max_hubs

    def federation_timeout(self) -> float:
        return self.service_timeout_s or self.timeout_s
