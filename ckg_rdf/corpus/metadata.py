"""Streaming CORD-19's metadata.csv, one validated row at a time.

Rows that cannot be used (wrong field count, no cord_uid, bytes that are not
UTF-8) are reported as :class:`Problem` with their line number and skipped;
every other row is yielded. The file is never held in memory.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ckg_rdf.corpus.normalise import has_unsafe, safe_text
from ckg_rdf.corpus.records import Problem

#: the columns of the final release (2022-06-02)
FINAL_COLUMNS = (
    "cord_uid", "sha", "source_x", "title", "doi", "pmcid", "pubmed_id", "license",
    "abstract", "publish_time", "authors", "journal", "mag_id", "who_covidence_id",
    "arxiv_id", "pdf_json_files", "pmc_json_files", "url", "s2_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("cord_uid",)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, slots=True)
class MetadataRow:
    line: int
    fields: dict[str, str]
    #: byte offset just past the row in the file (where the next row starts)
    end: int = 0

    def get(self, column: str) -> str:
        return self.fields.get(column, "").strip()

    def multi(self, column: str) -> tuple[str, ...]:
        """A multi-valued cell ('a; b') as a tuple of non-empty values."""
        return tuple(v.strip() for v in self.get(column).split(";") if v.strip())


@dataclass(frozen=True, slots=True)
class RowSpan:
    """A run of whole rows of metadata.csv: bytes ``[start, end)``, after ``lines`` lines.

    Spans are cut at row boundaries found by a full read (a quoted cell may
    hold newlines), so each can be read alone, in any process, in any order.
    """

    start: int
    end: int
    lines: int


def count_rows(path: Path) -> int:
    """A quick estimate of the number of data rows (newlines minus the header)."""
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return max(n - 1, 0)


class _Lines:
    """The lines of a binary file as text, counting the bytes consumed (for row offsets).

    ``csv.reader`` pulls exactly the lines of one record before returning it,
    so after each row ``pos`` is the byte offset where the next row starts.
    """

    def __init__(self, fh: BinaryIO, end: int | None) -> None:
        self.fh = fh
        self.pos = fh.tell()
        self.end = end

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.end is not None and self.pos >= self.end:
            raise StopIteration
        raw = self.fh.readline()
        if not raw:
            raise StopIteration
        self.pos += len(raw)
        return raw.decode("utf-8", "surrogateescape")


def first_row_at(path: Path) -> RowSpan:
    """Where the rows start: the (empty) span just past the header."""
    with path.open("rb") as fh:
        lines = _Lines(fh, None)
        reader = csv.reader(lines)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            pass
        return RowSpan(lines.pos, lines.pos, reader.line_num)


def read_metadata(path: Path, span: RowSpan | None = None) -> Iterator[MetadataRow | Problem]:
    """Yield each usable row of ``path`` (of ``span`` only, if given), and a Problem for
    each unusable one. Header problems are reported only when reading the whole file."""
    source = str(path)
    with path.open("rb") as fh:
        lines = _Lines(fh, None)
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            yield Problem(source, "the file is empty")
            return
        except csv.Error as exc:
            yield Problem(source, f"cannot read the header: {exc}")
            return
        header = [h.strip() for h in header]
        if header:
            header[0] = header[0].removeprefix("\ufeff")
        missing_required = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing_required:
            if span is None:
                yield Problem(
                    source,
                    f"missing required column(s) {', '.join(missing_required)}; "
                    f"found {', '.join(header[:25])}: metadata skipped",
                )
            return
        missing = [c for c in FINAL_COLUMNS if c not in header]
        if missing and span is None:
            yield Problem(
                source, f"missing column(s) {', '.join(missing)}: read as empty", kind="warning"
            )
        skipped_lines = 0
        if span is not None:
            fh.seek(span.start)
            lines = _Lines(fh, span.end)
            reader = csv.reader(lines)
            skipped_lines = span.lines
        yield from _rows(reader, lines, header, source, skipped_lines)


def _rows(
    reader: Any, lines: _Lines, header: list[str], source: str, skipped_lines: int
) -> Iterator[MetadataRow | Problem]:
    width = len(header)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(f"{source}:{skipped_lines + reader.line_num}", f"malformed CSV: {exc}")
            continue
        line = skipped_lines + reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != width:
            yield Problem(
                f"{source}:{line}", f"expected {width} fields, found {len(values)}: row skipped"
            )
            continue
        joined = "".join(values)
        if _has_undecodable(joined):
            yield Problem(f"{source}:{line}", "the row is not valid UTF-8: row skipped")
            continue
        if has_unsafe(joined):
            values = [safe_text(v) for v in values]
            yield Problem(
                f"{source}:{line}",
                "characters RDF/XML cannot carry (NUL, U+FFFF, ...) replaced by U+FFFD; row loaded",
                kind="warning",
            )
        row = MetadataRow(line, dict(zip(header, values, strict=True)), lines.pos)
        if not row.get("cord_uid"):
            yield Problem(f"{source}:{line}", "empty cord_uid: row skipped")
            continue
        yield row


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _has_undecodable(text: str) -> bool:
    """True if decoding with surrogateescape met bytes that are not UTF-8."""
    return _UNDECODABLE.search(text) is not None
