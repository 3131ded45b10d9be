"""A release cut into partitions that can be read alone, in any process, in any order.

Joining a release is order-dependent: a parse file is a paper of its own only
if no metadata row names it. So a cheap first pass (:meth:`CorpusPlan.scan`)
reads the id columns of ``metadata.csv`` once, records every parse a row
claims and where each run of ``batch_size`` rows starts and ends (byte
offsets at row boundaries), then lists the parse files no row claimed. After
that, every partition is independent:

* a :class:`Partition` of rows is a byte span of ``metadata.csv`` (plus the
  cord_uids it holds, so the driver can look up what was built before);
* a partition of parses is a list of unclaimed parse files.

:func:`read_partition` turns one into :class:`PaperRecord`s anywhere. The
scan keeps its lists in SQLite (temporary tables of the connection it is
given), so memory does not grow with the release; it also gives the exact
number of papers to expect, so progress needs no second listing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ckg_rdf.corpus.layout import CorpusLayout, parse_id
from ckg_rdf.corpus.metadata import MetadataRow, RowSpan, first_row_at, read_metadata
from ckg_rdf.corpus.reader import record_from_parse, record_from_row, row_claims
from ckg_rdf.corpus.records import PaperRecord, Problem

_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS plan_claims (parse_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS plan_spans (
    part INTEGER PRIMARY KEY, start INTEGER, stop INTEGER, lines INTEGER);
CREATE TEMP TABLE IF NOT EXISTS plan_rows (part INTEGER, paper_id TEXT);
CREATE INDEX IF NOT EXISTS temp.plan_rows_part ON plan_rows(part);
CREATE TEMP TABLE IF NOT EXISTS plan_parses (seq INTEGER PRIMARY KEY, path TEXT, parse_id TEXT);
"""
_CHUNK = 5_000


@dataclass(frozen=True)
class Partition:
    """One independent piece of a release: a span of metadata rows, or parse files."""

    index: int
    rows: RowSpan | None = None
    parses: tuple[str, ...] = ()
    #: the paper ids it is expected to hold (cord_uids, or parse file ids)
    ids: tuple[str, ...] = ()
    #: paper ids not to yield (parses found to duplicate a paper read elsewhere)
    skip: frozenset[str] = field(default_factory=frozenset)


class CorpusPlan:
    """The scan of a release and the partitions it yields.

    ``db`` is any SQLite connection; the plan uses temporary tables only.
    """

    def __init__(
        self,
        layout: CorpusLayout,
        db: sqlite3.Connection,
        *,
        batch_size: int = 256,
        limit: int | None = None,
    ) -> None:
        self.layout = layout
        self.db = db
        self.batch_size = batch_size
        self.limit = limit
        self.rows = 0
        self.parses = 0
        self.problems: list[Problem] = []
        db.executescript(_SCHEMA)
        for table in ("plan_claims", "plan_spans", "plan_rows", "plan_parses"):
            db.execute(f"DELETE FROM temp.{table}")

    @property
    def total(self) -> int:
        """Papers to expect (rows plus unclaimed parses), known after :meth:`scan`."""
        return self.rows + self.parses

    # -- the scan ----------------------------------------------------------------
    def scan(self) -> CorpusPlan:
        """One pass over metadata.csv (rows, claims, spans), one listing of the parses."""
        if self.layout.metadata_csv is not None:
            self._scan_rows(self.layout.metadata_csv)
        self._scan_parses()
        return self

    def _scan_rows(self, path: Path) -> None:
        start = first_row_at(path)
        part, in_part = 0, 0
        claims: list[tuple[str]] = []
        ids: list[tuple[int, str]] = []
        last: MetadataRow | None = None
        for item in read_metadata(path):
            if isinstance(item, Problem):
                self.problems.append(item)
                continue
            if self.limit is not None and self.rows >= self.limit:
                break
            self.rows += 1
            in_part += 1
            last = item
            claims.extend((k,) for k in row_claims(item))
            ids.append((part, item.get("cord_uid")))
            if in_part == self.batch_size:
                self._span(part, start, item)
                start = RowSpan(item.end, item.end, item.line)
                part, in_part = part + 1, 0
            if len(ids) >= _CHUNK:
                self._flush(claims, ids)
        if in_part and last is not None:
            self._span(part, start, last)
        self._flush(claims, ids)

    def _span(self, part: int, start: RowSpan, last: MetadataRow) -> None:
        self.db.execute(
            "INSERT INTO temp.plan_spans VALUES (?, ?, ?, ?)",
            (part, start.start, last.end, start.lines),
        )

    def _flush(self, claims: list[tuple[str]], ids: list[tuple[int, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO temp.plan_claims VALUES (?)", claims)
        self.db.executemany("INSERT INTO temp.plan_rows VALUES (?, ?)", ids)
        claims.clear()
        ids.clear()

    def _scan_parses(self) -> None:
        room = None if self.limit is None else max(self.limit - self.rows, 0)
        files = ((str(p), parse_id(p)) for p in self.layout.iter_json_files())
        while chunk := list(islice(files, _CHUNK)):
            self.db.executemany(
                "INSERT INTO temp.plan_parses(path, parse_id) SELECT ?1, ?2 WHERE NOT EXISTS "
                "(SELECT 1 FROM temp.plan_claims WHERE parse_id = ?2)",
                chunk,
            )
        self.parses = int(self.db.execute("SELECT COUNT(*) FROM temp.plan_parses").fetchone()[0])
        if room is not None:
            self.parses = min(self.parses, room)

    # -- partitions ----------------------------------------------------------------
    def partitions(self) -> Iterator[Partition]:
        """Row partitions in file order, then parse partitions; generated lazily."""
        spans = self.db.execute(
            "SELECT part, start, stop, lines FROM temp.plan_spans ORDER BY part"
        )
        n = 0
        for part, start, stop, lines in spans.fetchall():
            ids = tuple(
                r[0]
                for r in self.db.execute(
                    "SELECT paper_id FROM temp.plan_rows WHERE part = ?", (part,)
                )
            )
            yield Partition(n, rows=RowSpan(start, stop, lines), ids=ids)
            n += 1
        remaining = self.parses
        last_seq = 0
        while remaining > 0:
            rows = self.db.execute(
                "SELECT seq, path, parse_id FROM temp.plan_parses "
                "WHERE seq > ? ORDER BY seq LIMIT ?",
                (last_seq, min(self.batch_size, remaining)),
            ).fetchall()
            if not rows:
                return
            last_seq = rows[-1][0]
            remaining -= len(rows)
            yield Partition(n, parses=tuple(r[1] for r in rows), ids=tuple(r[2] for r in rows))
            n += 1

    def claim(self, paper_ids: Iterable[str]) -> set[str]:
        """Claim the ids of papers read from unclaimed parses; return those already claimed
        (a parse whose inner ``paper_id`` is another paper's: a duplicate)."""
        taken: set[str] = set()
        for pid in paper_ids:
            cur = self.db.execute("INSERT OR IGNORE INTO temp.plan_claims VALUES (?)", (pid,))
            if cur.rowcount == 0:
                taken.add(pid)
        return taken


def read_partition(
    layout: CorpusLayout, partition: Partition, *, body: bool = True
) -> tuple[list[PaperRecord], list[Problem]]:
    """The papers of one partition and the problems met reading them (``body=False``:
    without their body paragraphs, when no step reads them).

    Row-level problems of metadata.csv were reported by the scan and are not
    repeated; problems with the full texts are reported here.
    """
    records: list[PaperRecord] = []
    problems: list[Problem] = []
    if partition.rows is not None and layout.metadata_csv is not None:
        for item in read_metadata(layout.metadata_csv, partition.rows):
            if isinstance(item, Problem):
                continue
            record, found = record_from_row(item, layout, body=body)
            problems.extend(found)
            records.append(record)
    seen: set[str] = set()
    for path in partition.parses:
        record, found = record_from_parse(Path(path), body=body)
        if record is not None and (record.paper_id in seen or record.paper_id in partition.skip):
            continue
        problems.extend(found)
        if record is not None:
            seen.add(record.paper_id)
            records.append(record)
    return records, problems
