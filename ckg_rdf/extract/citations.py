"""Resolving bibliography entries to papers of the corpus: the one place the rule lives.

**Rule.** A bibliography entry cites a corpus paper if, in this order of
precedence, its DOI, its PMID, its PMCID or its normalised title
(:func:`ckg_rdf.corpus.normalise.title_key`) equals that paper's. A key shared
by several corpus papers is ambiguous and resolves nothing (two papers called
"Clinical vignettes" must not both be cited). A paper never cites itself.

Papers' keys and pending entries live in SQLite next to the store, so the
resolution is one indexed join however large the corpus, re-runs see papers
from earlier builds, and memory stays flat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ckg_rdf.corpus.normalise import title_key
from ckg_rdf.corpus.records import PaperRecord

#: identifier columns in order of precedence
KEYS = ("doi", "pmid", "pmcid", "title_key")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS paper_keys (
    paper_id TEXT PRIMARY KEY, doi TEXT, pmid TEXT, pmcid TEXT, title_key TEXT);
CREATE INDEX IF NOT EXISTS paper_keys_doi ON paper_keys(doi);
CREATE INDEX IF NOT EXISTS paper_keys_pmid ON paper_keys(pmid);
CREATE INDEX IF NOT EXISTS paper_keys_pmcid ON paper_keys(pmcid);
CREATE INDEX IF NOT EXISTS paper_keys_title ON paper_keys(title_key);
CREATE TABLE IF NOT EXISTS bib_refs (
    citing TEXT NOT NULL, ref_id TEXT NOT NULL,
    doi TEXT, pmid TEXT, pmcid TEXT, title_key TEXT,
    PRIMARY KEY (citing, ref_id));
"""


@dataclass(frozen=True, slots=True)
class Resolution:
    citing: str
    cited: str
    method: str


class CitationIndex:
    """Paper keys and bibliography entries, and the join that resolves them."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)

    def add_papers(self, papers: Iterable[PaperRecord]) -> None:
        rows = []
        refs = []
        for p in papers:
            rows.append((p.paper_id, p.doi, p.pmid, p.pmcid, title_key(p.title)))
            refs.extend(
                (p.paper_id, b.ref_id, b.doi, b.pmid, b.pmcid, title_key(b.title))
                for b in p.bib_entries
            )
        self.db.executemany("INSERT OR REPLACE INTO paper_keys VALUES (?, ?, ?, ?, ?)", rows)
        self.db.executemany("DELETE FROM bib_refs WHERE citing = ?", [(r[0],) for r in rows])
        self.db.executemany("INSERT OR REPLACE INTO bib_refs VALUES (?, ?, ?, ?, ?, ?)", refs)

    def count_refs(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM bib_refs").fetchone()[0]

    def resolve(self) -> Iterator[Resolution]:
        """Each bibliography entry that resolves, with the key that resolved it."""
        lookups = ", ".join(
            f"(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(k.paper_id) END FROM paper_keys k "
            f"WHERE r.{key} != '' AND k.{key} = r.{key}) AS by_{key}"
            for key in KEYS
        )
        sql = f"SELECT r.citing, {lookups} FROM bib_refs r"
        for row in self.db.execute(sql):
            citing = row[0]
            for key, cited in zip(KEYS, row[1:], strict=True):
                if cited is not None:
                    if cited != citing:
                        yield Resolution(citing, cited, key)
                    break
