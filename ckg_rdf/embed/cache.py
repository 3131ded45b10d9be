"""On-disk cache of text-part vectors, so a re-run embeds only what changed.

Keyed by (paper, part, text hash, model): a changed title re-embeds the title
only; a different model never reuses another model's vectors. SQLite because it
is in the standard library, safe against a crash mid-write, and one file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorCache:
    """(paper, part, text_hash, model) -> float32 vector; ``path=None`` keeps it in memory."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path) if path else ":memory:")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vec (paper TEXT, part TEXT, hash TEXT, model TEXT,"
            " v BLOB, PRIMARY KEY (paper, part, model))"
        )
        self.hits = 0
        self.misses = 0

    def get(self, paper: str, part: str, hash_: str, model: str) -> np.ndarray | None:
        row = self._db.execute(
            "SELECT v FROM vec WHERE paper=? AND part=? AND model=? AND hash=?",
            (paper, part, model, hash_),
        ).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return np.frombuffer(row[0], dtype="<f4").astype(np.float32)

    def latest(self, paper: str, part: str, model: str) -> np.ndarray | None:
        """The cached vector of a part whatever its text (the build's body vectors)."""
        row = self._db.execute(
            "SELECT v FROM vec WHERE paper=? AND part=? AND model=?", (paper, part, model)
        ).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype="<f4").astype(np.float32)

    def put_many(self, rows: Iterable[tuple[str, str, str, str, np.ndarray]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vec VALUES (?,?,?,?,?)",
            ((p, part, h, m, np.asarray(v, "<f4").tobytes()) for p, part, h, m, v in rows),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
