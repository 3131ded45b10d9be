"""The pages of hubs, the entities a large part of the corpus links to, computed once per build.

A concept page counts its papers, authors and co-occurring concepts and lists the
first twenty of each: queries that read every paper of the concept. For most concepts
that is a few dozen papers; for *human* or *COVID-19* in a full release it is hundreds
of thousands, seconds of CPU per query, on every request (issue 21). The same holds
for topics (each has a tenth of the corpus), large institutions and prolific authors.

So, for the build being served, :class:`HubPages` finds the entities of those kinds
with at least ``hub_links`` links (an author: 40% of it, see :class:`HubKind`; one
aggregate query per kind) and runs, in the
background, exactly the selects their page runs when it is first opened (counts, the
first page of each list, the charts), keeping the rows. A page request then runs only
what is not kept (its description, which is bounded, and any later page of a list).
The rows are the same queries' rows, computed on the same snapshot: a hub page is
identical whether it was kept or not (``tests/service/test_hubs.py``).

The work runs in the backend's background lane (one niced worker process of its own),
costliest hubs first across kinds (the slowest pages first), and starts again when a
new build is swapped in; until a hub's rows are kept its page is computed per request
as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from dataclasses import dataclass, field

from ckg_rdf.service.backends import BACKGROUND, QueryBackend
from ckg_rdf.service.explore import ENTITY_PAGES, selects
from ckg_rdf.service.tasks import NamedSelect, PageData, PageTask, Payload, QueryTask

log = logging.getLogger("ckg_rdf.service")


@dataclass(frozen=True)
class HubKind:
    """A kind of entity that can be a hub."""

    #: the pattern linking an item to an entity ?e of the kind
    link: str
    #: the share of ``hub_links`` at which a page of this kind costs as much as a concept
    #: page at ``hub_links``: an author page runs more selects per paper (measured at 30k
    #: papers: about 0.43 ms per paper for the most prolific author, 0.15-0.25 for *human*)
    share: float = 1.0

    def threshold(self, min_links: int) -> int:
        return max(1, math.ceil(min_links * self.share))


#: the kinds that can be hubs
HUB_KINDS: dict[str, HubKind] = {
    "concept": HubKind("?paper ckg:associatedConcept ?e"),
    "topic": HubKind("?paper ckg:associatedTopic ?e"),
    "institution": HubKind("?entry ckg:entryAffiliation ?e"),
    "author": HubKind("?paper ckg:authoredBy ?e", share=0.4),
}


def hubs_query(kind: str, min_links: int, limit: int) -> str:
    """The entities of ``kind`` with at least its threshold of links, largest first."""
    hub = HUB_KINDS[kind]
    return (
        f"SELECT ?e (COUNT(*) AS ?n) WHERE {{ {hub.link} }} GROUP BY ?e "
        f"HAVING (COUNT(*) >= {hub.threshold(min_links)}) ORDER BY DESC(?n) ?e LIMIT {int(limit)}"
    )


@dataclass
class HubPages:
    """Rows of the hubs' first pages for one build (see the module docstring)."""

    min_links: int
    max_hubs: int
    timeout_s: float
    build_id: str | None = None
    #: the rows of each select of a hub's first page
    rows: dict[NamedSelect, list[dict[str, str]]] = field(default_factory=dict)
    #: hubs found for this build, and how many of them are kept so far
    found: int = 0
    done: int = 0
    _task: asyncio.Task[None] | None = None

    def start(self, backend: QueryBackend) -> None:
        """Compute the hubs of the build ``backend`` serves, unless already under way."""
        if self.max_hubs <= 0 or (self._task is not None and self.build_id == backend.build_id):
            return
        self.stop()
        self.build_id, self.rows, self.found, self.done = backend.build_id, {}, 0, 0
        self._task = asyncio.get_running_loop().create_task(self._compute(backend))

    @property
    def computing(self) -> bool:
        """Whether the hubs of the current build are still being computed."""
        return self._task is not None and not self._task.done()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def kept(self, page: tuple[NamedSelect, ...], build_id: str | None) -> dict[str, list]:
        """The rows already kept for the selects of ``page`` (by result key), for this build."""
        if build_id != self.build_id:
            return {}
        return {s.result_key: self.rows[s] for s in page if s in self.rows}

    async def _compute(self, backend: QueryBackend) -> None:
        build = backend.build_id
        try:
            hubs: list[tuple[float, str, str]] = []
            for kind, hub in HUB_KINDS.items():
                query = hubs_query(kind, self.min_links, self.max_hubs)
                result = await backend.run(
                    QueryTask(query, format="json"), lane=BACKGROUND, timeout_s=self.timeout_s
                )
                if not isinstance(result, Payload):
                    log.warning("could not find the %s hubs: %s", kind, result)
                    continue
                bindings = json.loads(result.body)["results"]["bindings"]
                hubs += [
                    (int(b["n"]["value"]) / hub.share, kind, b["e"]["value"]) for b in bindings
                ]
            hubs.sort(key=lambda h: -h[0])  # the costliest first, whatever their kind
            self.found = len(hubs)
            for _, kind, iri in hubs:
                page = selects(ENTITY_PAGES[kind], iri, {})
                data = await backend.run(
                    PageTask(iri, page, describe=False), lane=BACKGROUND, timeout_s=self.timeout_s
                )
                if backend.build_id != build:
                    return  # a new build: its own computation takes over
                if isinstance(data, PageData):
                    for select in page:
                        self.rows[select] = data.rows[select.result_key]
                    self.done += 1
            log.info("kept the first pages of %d hubs of build %s", self.done, build)
        except asyncio.CancelledError:
            raise
        except Exception:  # the pages still work, computed per request
            log.exception("computing the hub pages failed")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
