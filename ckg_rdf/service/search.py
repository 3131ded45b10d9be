"""The app's side of search: the index file read in a small thread pool, with a deadline.

Search does not touch the RDF store, so it does not take a query worker: the
index is a local SQLite file (``DATA/search.sqlite``) the build keeps in step
with the graph, opened read-only, one connection per thread. FTS5 answers in
milliseconds; a deadline (SQLite's progress handler) stops the rare search
that would not. When a build replaces the file, the next search opens the new
one.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ckg_rdf.search import Searcher, SearchRequest, SearchResult, SearchUnavailable


class SearchService:
    def __init__(self, path: Path, *, threads: int = 2, deadline_s: float = 5.0) -> None:
        self.path = Path(path)
        self.deadline_s = deadline_s
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="ckg-search")
        self._local = threading.local()

    def _searcher(self) -> Searcher:
        try:
            stat = os.stat(self.path)
        except OSError:
            raise SearchUnavailable(
                "this graph has no search index yet: run 'ckg build' (its search stage writes it)"
            ) from None
        ident = (stat.st_dev, stat.st_ino)
        current: tuple[tuple[int, int], Searcher] | None = getattr(self._local, "searcher", None)
        if current is not None and current[0] == ident:
            return current[1]
        if current is not None:
            current[1].close()
        searcher = Searcher(self.path)
        self._local.searcher = (ident, searcher)
        return searcher

    def _run(self, request: SearchRequest) -> SearchResult:
        return self._searcher().search(request, deadline_s=self.deadline_s)

    async def search(self, request: SearchRequest) -> SearchResult:
        """Raises SearchUnavailable (no index) or SearchTimeout (past the deadline)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, request)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
