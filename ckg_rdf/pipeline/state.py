"""What earlier builds did, kept in SQLite next to the store.

It remembers, for each paper and step, the fingerprint of the input and the
step version that produced the paper's triples, which parse files a metadata
row claimed, and settings such as the corpus directory and base IRI.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, MutableSet, Sequence
from pathlib import Path

from ckg_rdf.corpus.records import PaperRecord

#: the build state's file inside a store's data directory
STATE_FILE = "state.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS step_state (
    paper_id TEXT NOT NULL, step TEXT NOT NULL, fingerprint TEXT NOT NULL,
    version TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (paper_id, step));
CREATE TABLE IF NOT EXISTS claimed (parse_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT);
"""


def recorded_settings(store: Path) -> dict[str, str]:
    """What the last build recorded for ``store`` (``base_iri``, ``corpus_dir``).

    Opened read-only, so a server or a command can ask while a build writes;
    empty when the store was never built.
    """
    path = store / STATE_FILE
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
    except sqlite3.Error:
        return {}
    finally:
        db.close()


class BuildState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.run_id = 0

    def start_run(self) -> int:
        cur = self.db.execute("INSERT INTO runs(started) VALUES (datetime('now'))")
        # claims are made afresh by each run's pass over metadata.csv
        self.db.execute("DELETE FROM claimed")
        self.run_id = int(cur.lastrowid or 0)
        self.db.commit()
        return self.run_id

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def plan(
        self, papers: Sequence[PaperRecord], step: str, version: str
    ) -> tuple[list[PaperRecord], list[PaperRecord]]:
        """Split a batch into (to process, of which were built earlier from other input).

        The second list holds papers whose old triples must be retracted first:
        built by an earlier run with another fingerprint or version. A paper
        already written in this run (a duplicate cord_uid row) is added to, not
        retracted.
        """
        todo: list[PaperRecord] = []
        stale: list[PaperRecord] = []
        for paper in papers:
            row = self.db.execute(
                "SELECT fingerprint, version, run_id FROM step_state "
                "WHERE paper_id = ? AND step = ?",
                (paper.paper_id, step),
            ).fetchone()
            if row is None:
                todo.append(paper)
            elif (row[0], row[1]) != (paper.fingerprint, version):
                todo.append(paper)
                if row[2] != self.run_id:
                    stale.append(paper)
        return todo, stale

    def mark(self, papers: Iterable[PaperRecord], step: str, version: str) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO step_state VALUES (?, ?, ?, ?, ?)",
            [(p.paper_id, step, p.fingerprint, version, self.run_id) for p in papers],
        )

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()


class ClaimedParses(MutableSet[str]):
    """The parse ids claimed in this run (by a metadata row, or already read), on disk."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __contains__(self, item: object) -> bool:
        return (
            self.db.execute("SELECT 1 FROM claimed WHERE parse_id = ?", (item,)).fetchone()
            is not None
        )

    def __iter__(self) -> Iterator[str]:
        return (r[0] for r in self.db.execute("SELECT parse_id FROM claimed"))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM claimed").fetchone()[0])

    def add(self, value: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO claimed VALUES (?)", (value,))

    def discard(self, value: str) -> None:
        self.db.execute("DELETE FROM claimed WHERE parse_id = ?", (value,))
