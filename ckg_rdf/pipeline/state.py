"""What earlier builds did, kept in SQLite in the data directory.

For each paper and step: the fingerprint of the input and the step version
that produced the paper's triples. For each named graph: a generation
counter bumped whenever the build writes or retracts in it, so a stage can
tell in one comparison whether anything it reads changed. For each stage: the
fingerprint of the inputs it last ran on. Also the recorded settings, and one
row per run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar


class Keyed(Protocol):
    """A paper as the state knows it (a PaperRecord, or just its id and fingerprint)."""

    @property
    def paper_id(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...


P = TypeVar("P", bound=Keyed)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS step_state (
    paper_id TEXT NOT NULL, step TEXT NOT NULL, fingerprint TEXT NOT NULL,
    version TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (paper_id, step));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT);
CREATE TABLE IF NOT EXISTS graph_generation (graph TEXT PRIMARY KEY, generation INTEGER);
CREATE TABLE IF NOT EXISTS stage_inputs (stage TEXT PRIMARY KEY, inputs TEXT NOT NULL);
"""


#: the page cache of the build state, in MiB
STATE_CACHE_MB = 128


class BuildState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # The citation index's B-trees outgrow SQLite's 2 MB default page cache at about
        # 20k papers; past that every insert read its pages back from the OS (the driver's
        # citation writes grew 5x from 30k to 100k papers). The cache fills only as needed.
        self.db.execute(f"PRAGMA cache_size = -{STATE_CACHE_MB * 1024}")
        self.db.executescript(_SCHEMA)
        self.run_id = 0

    def start_run(self) -> int:
        cur = self.db.execute("INSERT INTO runs(started) VALUES (datetime('now'))")
        self.db.execute("DROP TABLE IF EXISTS claimed")  # kept by builds before 0.3
        self.run_id = int(cur.lastrowid or 0)
        self.db.commit()
        return self.run_id

    # -- settings -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- per-paper state --------------------------------------------------------
    def known(
        self, paper_ids: Sequence[str], steps: Sequence[str]
    ) -> dict[str, dict[str, tuple[str, str]]]:
        """What earlier runs made of these papers: step -> paper id -> (fingerprint, version).

        Shipped with a partition so a worker runs a step only on papers whose
        input or step version changed.
        """
        out: dict[str, dict[str, tuple[str, str]]] = {s: {} for s in steps}
        for start in range(0, len(paper_ids), 500):
            chunk = paper_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for pid, step, fp, ver in self.db.execute(
                "SELECT paper_id, step, fingerprint, version FROM step_state "
                f"WHERE paper_id IN ({marks})",
                tuple(chunk),
            ):
                if step in out:
                    out[step][pid] = (fp, ver)
        return out

    def plan(self, papers: Sequence[P], step: str, version: str) -> tuple[list[P], list[P]]:
        """Split a batch into (to process, of which were built earlier from other input).

        The second list holds papers whose old triples must be retracted first:
        built by an earlier run with another fingerprint or version. A paper
        already written in this run (a duplicate cord_uid row) is added to, not
        retracted. One query per batch.
        """
        known: dict[str, tuple[str, str, int]] = {}
        ids = [p.paper_id for p in papers]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for pid, fp, ver, run in self.db.execute(
                "SELECT paper_id, fingerprint, version, run_id FROM step_state "
                f"WHERE step = ? AND paper_id IN ({marks})",
                (step, *chunk),
            ):
                known[pid] = (fp, ver, run)
        todo: list[P] = []
        stale: list[P] = []
        for paper in papers:
            row = known.get(paper.paper_id)
            if row is None:
                todo.append(paper)
            elif (row[0], row[1]) != (paper.fingerprint, version):
                todo.append(paper)
                if row[2] != self.run_id:
                    stale.append(paper)
        return todo, stale

    def mark(self, papers: Iterable[Keyed], step: str, version: str) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO step_state VALUES (?, ?, ?, ?, ?)",
            [(p.paper_id, step, p.fingerprint, version, self.run_id) for p in papers],
        )

    def papers_of(self, step: str) -> int:
        return int(
            self.db.execute("SELECT COUNT(*) FROM step_state WHERE step = ?", (step,)).fetchone()[0]
        )

    # -- graphs and stages --------------------------------------------------------
    def touch(self, graph: str) -> None:
        """Record that ``graph`` changed (a write or a retraction)."""
        self.db.execute(
            "INSERT INTO graph_generation VALUES (?, 1) "
            "ON CONFLICT(graph) DO UPDATE SET generation = generation + 1",
            (graph,),
        )

    def generation(self, graph: str) -> int:
        row = self.db.execute(
            "SELECT generation FROM graph_generation WHERE graph = ?", (graph,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def stage_inputs(self, stage: str) -> str | None:
        row = self.db.execute(
            "SELECT inputs FROM stage_inputs WHERE stage = ?", (stage,)
        ).fetchone()
        return None if row is None else str(row[0])

    def set_stage_inputs(self, stage: str, inputs: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO stage_inputs VALUES (?, ?)", (stage, inputs))

    def forget_stage(self, stage: str) -> None:
        self.db.execute("DELETE FROM stage_inputs WHERE stage = ?", (stage,))

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()
