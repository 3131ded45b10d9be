"""What the running app holds: settings, the query backend, IRIs, templates, counts, indexes.

Routes get these through FastAPI dependencies (:mod:`ckg_rdf.service.deps`),
never through globals, so a test can build as many apps as it likes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates

from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.service.backends import BACKGROUND, QueryBackend
from ckg_rdf.service.doc_cache import DocumentCache
from ckg_rdf.service.hubs import HubPages
from ckg_rdf.service.search import SearchService
from ckg_rdf.service.settings import ServiceSettings
from ckg_rdf.service.similar import SimilarIndexes
from ckg_rdf.service.tasks import Failure, VoidCounts, VoidTask


@dataclass
class ServiceState:
    settings: ServiceSettings
    backend: QueryBackend
    iris: IriScheme
    templates: Jinja2Templates
    similar: SimilarIndexes
    #: the full-text index (a local file the build keeps; searched in threads)
    search: SearchService
    #: documents and pages already rendered from the build served
    documents: DocumentCache = field(default_factory=lambda: DocumentCache(0))
    #: the first pages of the hubs of the build served, computed in the background
    hubs: HubPages = field(default_factory=lambda: HubPages(1, 0, 1.0))
    #: counts of the graph, computed once per build served
    _counts: dict[str | None, asyncio.Task[VoidCounts | Failure]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.iris.base

    @property
    def public_root(self) -> str:
        """Where clients reach this service (configured; never the request's Host header)."""
        return self.settings.public_root()

    @property
    def build_id(self) -> str | None:
        return self.backend.build_id

    def start_counting(self) -> None:
        """Count the graph in the background once per build, so no request waits for it."""
        key = self.build_id
        if key not in self._counts:
            self._counts.clear()
            self._counts[key] = asyncio.get_running_loop().create_task(self._count())

    async def _count(self) -> VoidCounts | Failure:
        result = await self.backend.run(
            VoidTask(), lane=BACKGROUND, timeout_s=self.settings.stats_timeout_s, heavy_ok=True
        )
        assert isinstance(result, VoidCounts | Failure)
        return result

    async def counts(self) -> VoidCounts | Failure:
        """The graph's counts (computed once per build; a Failure if counting failed)."""
        self.start_counting()
        return await asyncio.shield(self._counts[self.build_id])
