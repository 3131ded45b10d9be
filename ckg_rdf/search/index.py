"""The full-text index: one SQLite file (FTS5) with a row per searchable resource.

```
docs    id, iri, kind, detail, year, concept_type, popularity, boost, keys, hash
fts     label, names, concepts, body      (FTS5, rowid = docs.id, BM25-ranked)
facets  (facet, value, doc)               multi-valued facets ("topic" -> topic IRI)
spell   (term, df)                        unstemmed words, for typo tolerance
meta    schema version, the index's id
```

Writers (the build's sink and stage) call :meth:`SearchIndex.put` and friends;
every write compares a hash of the document first, so re-indexing what did
not change writes nothing. Readers (the service) open the file read-only
through :mod:`ckg_rdf.search.query`. WAL mode, so a build can write while a
server reads.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ckg_rdf.search.text import TOKENIZER, keys_field, spell_words

#: bump when the layout or what a column means changes (the file is then rebuilt)
SCHEMA_VERSION = "2"
#: what a search document is about
KINDS = ("paper", "author", "institution", "concept", "topic")
#: BM25 weights of the FTS columns (label, names, concepts, body)
WEIGHTS = (10.0, 4.0, 2.0, 1.0)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    year INTEGER,
    concept_type TEXT,
    popularity REAL NOT NULL DEFAULT 0,
    boost REAL NOT NULL DEFAULT 1,
    keys TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_kind ON docs(kind);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    label, names, concepts, body, tokenize='{TOKENIZER}', prefix='2 3');
CREATE TABLE IF NOT EXISTS facets (
    facet TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_doc ON facets(doc);
CREATE TABLE IF NOT EXISTS spell (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class SearchDoc:
    """One searchable resource: what is matched (label, names, concepts, body), what is
    shown (label, detail), what is filtered on (kind, year, concept_type, facets) and
    what ranks it besides BM25 (popularity, exact-match keys)."""

    iri: str
    kind: str
    label: str
    #: other names: synonyms, authors of a paper, affiliations of an author
    names: str = ""
    #: labels of the concepts the resource is about (a paper's, an author's papers')
    concepts: str = ""
    #: long text: a paper's abstract
    body: str = ""
    #: one line shown under the label
    detail: str = ""
    year: int | None = None
    #: a concept's type (its skos:notation, e.g. GENE_OR_PROTEIN)
    concept_type: str | None = None
    #: in-corpus citations of a paper; papers of an author, institution, concept, topic
    popularity: float = 0.0
    #: texts that, typed exactly, make this the best match (label, synonyms)
    keys: tuple[str, ...] = ()
    #: multi-valued facets: (("topic", topic IRI), ...)
    facets: tuple[tuple[str, str], ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha1(repr(self).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Enrichment:
    """What the build's stage adds to a paper the step indexed: its concepts' labels,
    its citations and its topics."""

    concepts: str = ""
    popularity: float = 0.0
    facets: tuple[tuple[str, str], ...] = ()
    detail: str | None = None


@dataclass
class WriteCounts:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


#: how much each kind's BM25 counts: people and places match through the concepts of
#: their papers, which should not push the papers themselves down a mixed list
KIND_WEIGHTS = {"author": 0.6, "institution": 0.6}


def boost(popularity: float, kind: str = "paper") -> float:
    """The factor BM25 is multiplied by: grows with the log of citations or papers."""
    return (1.0 + 0.25 * math.log1p(max(0.0, popularity))) * KIND_WEIGHTS.get(kind, 1.0)


class SearchIndex:
    """The index file, open for writing (the build) or reading back documents."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self._meta("schema")
        if version is not None and version != SCHEMA_VERSION:
            self._drop()
        self.db.executescript(_SCHEMA)
        if self._meta("schema") is None:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('uid', ?)", (uuid.uuid4().hex,))
            self.db.commit()
        self.counts = WriteCounts()
        #: changes to the spelling table, written at the next commit
        self._spell: Counter[str] = Counter()

    # -- housekeeping -------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return None
        return None if row is None else str(row[0])

    def _drop(self) -> None:
        for table in ("meta", "docs", "fts", "facets", "spell"):
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.commit()

    @property
    def uid(self) -> str:
        """A random id made when the file was created: a new file means re-index everything."""
        return self._meta("uid") or ""

    def commit(self) -> None:
        self._flush_words()
        self.db.commit()

    def close(self) -> None:
        self.commit()
        self.db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading back ----------------------------------------------------------------
    def get(self, iri: str) -> SearchDoc | None:
        row = self.db.execute(
            "SELECT d.id, d.kind, f.label, f.names, f.concepts, f.body, d.detail, d.year, "
            "d.concept_type, d.popularity, d.keys FROM docs d JOIN fts f ON f.rowid = d.id "
            "WHERE d.iri = ?",
            (iri,),
        ).fetchone()
        if row is None:
            return None
        doc_id, kind, label, names, concepts, body, detail, year, ctype, pop, keys = row
        facets = tuple(
            (str(f), str(v))
            for f, v in self.db.execute(
                "SELECT facet, value FROM facets WHERE doc = ? ORDER BY facet, value", (doc_id,)
            )
        )
        return SearchDoc(
            iri=iri,
            kind=kind,
            label=label,
            names=names,
            concepts=concepts,
            body=body,
            detail=detail,
            year=year,
            concept_type=ctype,
            popularity=pop,
            keys=tuple(k for k in keys.split("\x1f") if k),
            facets=facets,
        )

    def iris(self, kind: str | None = None) -> set[str]:
        if kind is None:
            return {r[0] for r in self.db.execute("SELECT iri FROM docs")}
        return {r[0] for r in self.db.execute("SELECT iri FROM docs WHERE kind = ?", (kind,))}

    def kind_counts(self) -> dict[str, int]:
        return {
            str(k): int(n)
            for k, n in self.db.execute("SELECT kind, COUNT(*) FROM docs GROUP BY kind")
        }

    # -- writing ------------------------------------------------------------------------
    def put(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace documents (by IRI); unchanged ones are left alone. Returns how
        many were written."""
        written = 0
        for doc in docs:
            written += self._put(doc)
        return written

    def _put(self, doc: SearchDoc, known: tuple[int, str] | None = None) -> int:
        digest = doc.digest
        if known is None:
            row = self.db.execute("SELECT id, hash FROM docs WHERE iri = ?", (doc.iri,)).fetchone()
            known = (int(row[0]), str(row[1])) if row else None
        if known is not None and known[1] == digest:
            self.counts.unchanged += 1
            return 0
        values = (
            doc.kind,
            doc.detail,
            doc.year,
            doc.concept_type,
            float(doc.popularity),
            boost(doc.popularity, doc.kind),
            keys_field(doc.keys),
            digest,
        )
        if known is not None:
            doc_id = known[0]
            self._forget_words(doc_id)
            self.db.execute("DELETE FROM fts WHERE rowid = ?", (doc_id,))
            self.db.execute("DELETE FROM facets WHERE doc = ?", (doc_id,))
            self.db.execute(
                "UPDATE docs SET kind = ?, detail = ?, year = ?, concept_type = ?, "
                "popularity = ?, boost = ?, keys = ?, hash = ? WHERE id = ?",
                (*values, doc_id),
            )
        else:
            cur = self.db.execute(
                "INSERT INTO docs (iri, kind, detail, year, concept_type, popularity, boost, "
                "keys, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.iri, *values),
            )
            doc_id = int(cur.lastrowid or 0)
        self.db.execute(
            "INSERT INTO fts (rowid, label, names, concepts, body) VALUES (?, ?, ?, ?, ?)",
            (doc_id, doc.label, doc.names, doc.concepts, doc.body),
        )
        if doc.facets:
            self.db.executemany(
                "INSERT OR IGNORE INTO facets VALUES (?, ?, ?)",
                [(f, v, doc_id) for f, v in doc.facets],
            )
        self._count_words(spell_words((doc.label, doc.names, doc.concepts, doc.body)), +1)
        self.counts.written += 1
        self.counts.by_kind[doc.kind] += 1
        return 1

    def put_papers_text(self, docs: Sequence[SearchDoc]) -> int:
        """Papers from the build's step (title, abstract, authors): what a paper was
        enriched with (concepts, citations, topics) is kept until the stage says otherwise."""
        written = 0
        for doc in docs:
            old = self.get(doc.iri)
            if old is not None:
                doc = replace(
                    doc, concepts=old.concepts, popularity=old.popularity, facets=old.facets
                )
            written += self._put(doc)
        return written

    def enrich(self, updates: dict[str, Enrichment]) -> int:
        """Set the concepts, citations and topics of papers already indexed (others are
        skipped: the caller indexes them first)."""
        written = 0
        for iri, e in updates.items():
            old = self.get(iri)
            if old is None:
                continue
            new = replace(
                old,
                concepts=e.concepts,
                popularity=e.popularity,
                facets=tuple(sorted(e.facets)),
                detail=old.detail if e.detail is None else e.detail,
            )
            written += self._put(new)
        return written

    def sync(self, kind: str, docs: Iterable[SearchDoc]) -> WriteCounts:
        """Make the documents of ``kind`` exactly ``docs``: write what changed, delete
        documents of that kind no longer given."""
        known = {
            str(iri): (int(i), str(h))
            for i, iri, h in self.db.execute(
                "SELECT id, iri, hash FROM docs WHERE kind = ?", (kind,)
            )
        }
        counts = WriteCounts()
        seen: set[str] = set()
        for doc in docs:
            seen.add(doc.iri)
            counts.written += self._put(doc, known.get(doc.iri))
        gone = [iri for iri in known if iri not in seen]
        counts.deleted = self.delete(gone)
        return counts

    def delete(self, iris: Iterable[str]) -> int:
        deleted = 0
        for iri in iris:
            row = self.db.execute("SELECT id FROM docs WHERE iri = ?", (iri,)).fetchone()
            if row is None:
                continue
            doc_id = int(row[0])
            self._forget_words(doc_id)
            self.db.execute("DELETE FROM fts WHERE rowid = ?", (doc_id,))
            self.db.execute("DELETE FROM facets WHERE doc = ?", (doc_id,))
            self.db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
            deleted += 1
        self.counts.deleted += deleted
        return deleted

    # -- the spelling table -------------------------------------------------------------
    def _forget_words(self, doc_id: int) -> None:
        row = self.db.execute(
            "SELECT label, names, concepts, body FROM fts WHERE rowid = ?", (doc_id,)
        ).fetchone()
        if row is not None:
            self._count_words(spell_words(row), -1)

    def _count_words(self, terms: set[str], delta: int) -> None:
        for t in terms:
            self._spell[t] += delta

    def _flush_words(self) -> None:
        changed = [(t, d) for t, d in self._spell.items() if d]
        self._spell.clear()
        if not changed:
            return
        self.db.executemany(
            "INSERT INTO spell VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            changed,
        )
        self.db.executemany(
            "DELETE FROM spell WHERE term = ? AND df <= 0", [(t,) for t, d in changed if d < 0]
        )

    def optimize(self) -> None:
        """Merge the FTS segments (after a large write)."""
        self.commit()
        self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self.db.commit()
