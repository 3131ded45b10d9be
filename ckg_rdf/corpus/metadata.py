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

    def get(self, column: str) -> str:
        return self.fields.get(column, "").strip()

    def multi(self, column: str) -> tuple[str, ...]:
        """A multi-valued cell ('a; b') as a tuple of non-empty values."""
        return tuple(v.strip() for v in self.get(column).split(";") if v.strip())


def count_rows(path: Path) -> int:
    """A quick estimate of the number of data rows (newlines minus the header)."""
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return max(n - 1, 0)


def read_metadata(path: Path) -> Iterator[MetadataRow | Problem]:
    """Yield each usable row of ``path``, and a Problem for each unusable one."""
    source = str(path)
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            yield Problem(source, "the file is empty")
            return
        except csv.Error as exc:
            yield Problem(source, f"cannot read the header: {exc}")
            return
        header = [h.strip() for h in header]
        missing_required = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing_required:
            yield Problem(
                source,
                f"missing required column(s) {', '.join(missing_required)}; "
                f"found {', '.join(header[:25])}: metadata skipped",
            )
            return
        missing = [c for c in FINAL_COLUMNS if c not in header]
        if missing:
            yield Problem(
                source, f"missing column(s) {', '.join(missing)}: read as empty", kind="warning"
            )
        width = len(header)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Problem(f"{source}:{reader.line_num}", f"malformed CSV: {exc}")
                continue
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != width:
                yield Problem(
                    f"{source}:{line}", f"expected {width} fields, found {len(values)}: row skipped"
                )
                continue
            if _has_undecodable("".join(values)):
                yield Problem(f"{source}:{line}", "the row is not valid UTF-8: row skipped")
                continue
            if has_unsafe("".join(values)):
                values = [safe_text(v) for v in values]
                yield Problem(
                    f"{source}:{line}",
                    "characters RDF/XML cannot carry (NUL, U+FFFF, ...) replaced by U+FFFD; "
                    "row loaded",
                    kind="warning",
                )
            row = MetadataRow(line, dict(zip(header, values, strict=True)))
            if not row.get("cord_uid"):
                yield Problem(f"{source}:{line}", "empty cord_uid: row skipped")
                continue
            yield row


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _has_undecodable(text: str) -> bool:
    """True if decoding with surrogateescape met bytes that are not UTF-8."""
    return _UNDECODABLE.search(text) is not None
