"""What the running app holds: settings, the worker pool, templates, counts, the index.

Routes get these through FastAPI dependencies (:mod:`ckg_rdf.service.deps`),
never through globals, so a test can build as many apps as it likes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates

from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.service.pool import QueryPool
from ckg_rdf.service.settings import Settings
from ckg_rdf.service.similar import SimilarIndexes
from ckg_rdf.service.tasks import Failure, VoidCounts, VoidTask


@dataclass
class ServiceState:
    settings: Settings
    pool: QueryPool
    minter: IriMinter
    templates: Jinja2Templates
    similar: SimilarIndexes
    _counts: asyncio.Task[VoidCounts | Failure] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return self.minter.base

    def start_counting(self) -> None:
        """Count the graph in the background once, so startup does not wait for it."""
        if self._counts is None:
            self._counts = asyncio.get_running_loop().create_task(self._count())

    async def _count(self) -> VoidCounts | Failure:
        result = await self.pool.run(VoidTask(), timeout_s=self.settings.stats_timeout_s)
        assert isinstance(result, VoidCounts | Failure)
        return result

    async def counts(self) -> VoidCounts | Failure:
        """The graph's counts (computed once; a Failure if counting timed out)."""
        self.start_counting()
        assert self._counts is not None
        return await asyncio.shield(self._counts)
