"""Splitting a line-based RDF dump (N-Quads, N-Triples) into N files of about equal size.

Offline loaders of the big stores (``oxigraph load``, QLever's index builder,
Neptune's bulk loader) read many files in parallel. Each line of N-Quads or
N-Triples is a statement, so cutting between lines keeps every file valid.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO


class LineShards:
    """A binary sink for ``export``: lines go to ``count`` files, ``per_file`` lines each
    (the last file takes the rest)."""

    def __init__(self, directory: Path, count: int, per_file: int, ext: str, *, gz: bool) -> None:
        self.directory = directory
        self.count = count
        self.per_file = max(per_file, 1)
        self.ext = ext
        self.gz = gz
        self.paths: list[Path] = []
        self._fh: IO[bytes] | None = None
        self._lines = 0
        self._partial = b""
        directory.mkdir(parents=True, exist_ok=True)

    def _next_file(self) -> IO[bytes]:
        if self._fh is not None:
            self._fh.close()
        n = len(self.paths) + 1
        path = self.directory / f"part-{n:05d}-of-{self.count:05d}.{self.ext}"
        if self.gz:
            path = path.with_name(path.name + ".gz")
        self.paths.append(path)
        self._fh = gzip.open(path, "wb", compresslevel=3) if self.gz else path.open("wb")
        self._lines = 0
        return self._fh

    def write(self, data: bytes) -> int:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        fh = self._fh or self._next_file()
        for line in lines:
            if self._lines >= self.per_file and len(self.paths) < self.count:
                fh = self._next_file()
            fh.write(line + b"\n")
            self._lines += 1
        return len(data)

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._partial:
            self.write(b"\n")
        if self._fh is None:
            self._next_file()
        assert self._fh is not None
        self._fh.close()
        # a store smaller than expected still yields the promised number of files
        while len(self.paths) < self.count:
            self._next_file().close()
