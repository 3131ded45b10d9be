"""The similar-papers index as the server holds it: loaded once, reloaded when stale.

The index (``ckg_rdf.embed.index.SimilarityIndex``) lives in this process, so
it is in memory once however many query workers there are, and a search (under
a millisecond) needs no round trip. Everything that touches the store goes
through the worker pool, like every other store access of the service: a
worker compares the store's embedding fingerprint with the saved index in
the data directory's ``index/`` and rebuilds it there when it is stale or missing (with the
long statistics limit); this process then loads the files in a thread, off the
event loop.

Beside the vector index it loads the BM25 index of the hybrid recommendations
(``DataDir.bm25_dir``, checked and rebuilt by the same worker task) and holds
both in one :class:`~ckg_rdf.recommend.recommender.Recommender`.

The first load starts with the server. Afterwards the fingerprint is checked
again at most every ``check_interval_s``, in the background: requests keep
using the index they have until a fresh one is loaded. (A read-only worker
sees the store as it was when it opened, so in practice a reload happens after
``--allow-update`` writes or when workers were restarted.)
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ckg_rdf.embed import missing_extra_message
from ckg_rdf.embed.similar import NO_EMBEDDINGS
from ckg_rdf.service.tasks import Failure, IndexInfo, IndexTask

if TYPE_CHECKING:
    from ckg_rdf.service.backends import QueryBackend

log = logging.getLogger("ckg_rdf.service")

LOADING = "the similar-papers index is still loading; try again in a moment"


class SimilarUnavailable(Exception):
    """No index to search; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class SimilarIndexes:
    """The app's one :class:`SimilarityIndex` (or why there is none)."""

    def __init__(
        self,
        backend: QueryBackend,
        index_dir: Path,
        *,
        lexical_dir: Path | None = None,
        load_timeout_s: float = 600.0,
        check_interval_s: float = 30.0,
    ) -> None:
        self.backend = backend
        self.index_dir = index_dir
        self.lexical_dir = lexical_dir
        self.load_timeout_s = load_timeout_s
        self.check_interval_s = check_interval_s
        self.index = None  # type: ignore[var-annotated]  # SimilarityIndex | None
        self.recommender = None  # type: ignore[var-annotated]  # Recommender | None
        self.fingerprint: str | None = None
        self.problem: SimilarUnavailable | None = None
        self.loads = 0
        self._task: asyncio.Task[None] | None = None
        self._checked_at = 0.0

    def start(self) -> None:
        """Begin loading (or checking) in the background unless that is under way or recent."""
        due = time.monotonic() - self._checked_at >= self.check_interval_s
        if self._task is None or (self._task.done() and due):
            self._task = asyncio.get_running_loop().create_task(self._refresh())

    async def get(self, wait_s: float):  # type: ignore[no-untyped-def]  # -> SimilarityIndex
        """The index to search; :class:`SimilarUnavailable` when there is none (yet).

        Waits at most ``wait_s`` for a first load; once an index is held it is
        returned at once, even while a newer one loads.
        """
        self.start()
        assert self._task is not None
        if self.index is None and not self._task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._task), wait_s)
            except TimeoutError:
                raise SimilarUnavailable(LOADING, 503) from None
        if self.index is not None:
            return self.index
        raise self.problem or SimilarUnavailable(LOADING, 503)

    async def _refresh(self) -> None:
        why = missing_extra_message()
        if why:
            self.problem = SimilarUnavailable(why, 503)
            self._checked_at = time.monotonic()
            return
        try:
            from ckg_rdf.service.backends import PAGES

            result = await self.backend.run(
                IndexTask(
                    str(self.index_dir),
                    known=self.fingerprint,
                    lexical_directory=str(self.lexical_dir) if self.lexical_dir else None,
                ),
                lane=PAGES,
                timeout_s=self.load_timeout_s,
                heavy_ok=True,
            )
            if isinstance(result, Failure):
                log.warning("similar-papers index unavailable: %s", result.message)
                self.problem = SimilarUnavailable(
                    f"the similar-papers index could not be loaded: {result.message}", 503
                )
                return
            assert isinstance(result, IndexInfo)
            await self._take(result)
        except Exception as exc:  # faiss missing, unreadable files: say so, keep serving
            log.exception("could not load the similar-papers index")
            self.problem = SimilarUnavailable(
                f"the similar-papers index could not be loaded: {type(exc).__name__}: {exc}", 503
            )
        finally:
            self._checked_at = time.monotonic()

    async def _take(self, info: IndexInfo) -> None:
        if info.directory is None:  # the index held is still current
            return
        try:
            if info.empty:
                self.index, self.problem = None, SimilarUnavailable(NO_EMBEDDINGS, 404)
                self.recommender = None
            else:
                index, recommender = await asyncio.to_thread(_load, info)
                self.index, self.recommender = index, recommender
                self.problem = None
                self.loads += 1
            self.fingerprint = info.fingerprint
        finally:
            if info.temporary:
                await asyncio.to_thread(shutil.rmtree, info.directory, True)
            if info.lexical_temporary and info.lexical_directory:
                await asyncio.to_thread(shutil.rmtree, info.lexical_directory, True)

    async def get_recommender(self, wait_s: float):  # type: ignore[no-untyped-def]
        """The :class:`Recommender` over the held indexes (see :meth:`get`)."""
        index = await self.get(wait_s)
        if self.recommender is None or self.recommender.similarity is not index:
            from ckg_rdf.recommend.recommender import Recommender

            self.recommender = Recommender(index, None)
        return self.recommender

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()


def _load(info: IndexInfo):  # type: ignore[no-untyped-def]  # -> (SimilarityIndex, Recommender)
    """Both indexes from the directories the worker named (the BM25 one may be absent)."""
    from ckg_rdf.embed.index import SimilarityIndex
    from ckg_rdf.recommend.lexical import LexicalIndex
    from ckg_rdf.recommend.recommender import Recommender

    assert info.directory is not None
    index = SimilarityIndex.load(Path(info.directory))
    lexical = None
    if info.lexical_directory:
        try:
            lexical = LexicalIndex.load(Path(info.lexical_directory))
        except (OSError, ValueError, KeyError) as exc:  # hybrid goes on without keywords
            log.warning("the BM25 index could not be loaded: %s", exc)
    return index, Recommender(index, lexical)
