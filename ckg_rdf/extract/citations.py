"""Resolving bibliography entries to papers of the corpus: the one place the rule lives.

The rule in full, with examples, is in docs/identity.md ("Citations"); in short:

**Exact keys.** A bibliography entry cites a corpus paper if, in this order of
precedence, its DOI, its PMID, its PMCID or its normalised title
(:func:`~ckg_rdf.corpus.normalise.title_key` of
:func:`~ckg_rdf.corpus.normalise.citation_title`) equals that paper's. An
identifier shared by several papers gives way to the next key; a title shared by
several papers resolves nothing (two papers called "Clinical vignettes" must not
both be cited), fuzzily neither. A paper never cites itself, and an identifier
of the citing paper's own found in its bibliography is ignored: bioRxiv/medRxiv
PDFs print their DOI on every page, and the parse files that as references.

**Fuzzy titles.** An entry no exact key resolves is matched on its title
(:func:`title_similarity`). The score is rapidfuzz's normalised Indel similarity
of the two :func:`~ckg_rdf.corpus.normalise.fuzzy_title` forms, and a paper is
cited when

* the score is at least :data:`FUZZY_THRESHOLD` (0.90), comparing the whole
  titles, the reference without a venue appended after a full stop (". Lancet.
  2020") or authors put before it ("Liqun Fang. Epidemiological ..."), or a
  reference cut short at either end with as much of the paper's title (at
  least half of it and four content words; under six content words, only up
  to punctuation in the paper's title or after a function word);
* every content word of each side is matched by the other side up to a plural
  or a typo (:func:`words_agree`): "... in mice" never matches "... in humans",
  nor "influenza A" "influenza B"; a number only one side has is taken for a
  PDF line number, numbers on both sides that differ ("140 patients" / "138
  patients", "part 1" / "part 2") reject the pair;
* no other candidate comes within :data:`AMBIGUITY_MARGIN` of the best one, and
  no other paper shares the best one's normalised title (two copies of one
  preprint cite nothing, as with exact keys).

Candidates come from a blocking index kept next to the keys: every eligible
paper title is posted under its content words and adjacent word pairs
(``title_grams``, hashed to 64-bit integers), with their document frequencies
(``gram_df``). An entry looks up only its :data:`BLOCK_KEYS` rarest grams
(skipping any posted more than :data:`MAX_POSTINGS` times) and scores the
:data:`MAX_CANDIDATES` papers that share most of them, so the work per entry
does not grow with the corpus. Everything lives in SQLite: memory stays flat
at any corpus size, and re-runs see the papers of earlier builds.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from ckg_rdf.corpus.normalise import (
    STOPWORDS,
    citation_title,
    content_words,
    covid_names,
    fuzzy_title,
    title_key,
)
from ckg_rdf.corpus.records import PaperRecord

#: identifier columns in order of precedence
KEYS = ("doi", "pmid", "pmcid", "title_key")
#: the method of a resolution found by fuzzy title matching
FUZZY = "title_fuzzy"
#: every method a :class:`Resolution` can carry, exact keys first
METHODS = (*KEYS, FUZZY)

#: lowest similarity (0-1) at which two titles are taken for the same paper
FUZZY_THRESHOLD = 0.90
#: a second candidate this close to the best one makes the entry ambiguous
AMBIGUITY_MARGIN = 0.02
#: the report's score bands for fuzzy matches, highest first
SCORE_BANDS = ((0.95, "0.95-1.00"), (0.90, "0.90-0.95"))
#: a reference cut short must keep this share of the paper title's length ...
MIN_TRUNCATED_SHARE = 0.5
#: ... and at least this many content words (and 30 characters) ...
MIN_TRUNCATED_WORDS = 4
#: ... and, to match anywhere rather than at a break in the title, this many
MIN_TRUNCATED_WORDS_ANYWHERE = 6
#: a title needs this many content words (and 20 characters) to be matched fuzzily
MIN_CONTENT_WORDS = 3
#: a word is matched by a word of the other title spelt this close (Indel similarity)
WORD_SIMILARITY = 0.85
#: blocking: how many of an entry's rarest grams are looked up
BLOCK_KEYS = 4
#: blocking: grams posted more often than this are too common to look up
MAX_POSTINGS = 1000
#: blocking: at most this many postings are read per entry
POSTINGS_BUDGET = 2000
#: blocking: how many candidates (most grams shared) are scored per entry
MAX_CANDIDATES = 10
#: entries resolved per round of fuzzy matching (bounds memory)
CHUNK = 1000

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
CREATE TABLE IF NOT EXISTS paper_titles (
    id INTEGER PRIMARY KEY, paper_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, source TEXT NOT NULL, year INTEGER);
CREATE TABLE IF NOT EXISTS title_grams (
    gram INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (gram, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gram_df (gram INTEGER PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS title_grams_new (gram INTEGER NOT NULL, id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS title_grams_new_id ON title_grams_new(id);
CREATE TEMP TABLE IF NOT EXISTS fuzzy_grams (gram INTEGER PRIMARY KEY);
CREATE TEMP TABLE IF NOT EXISTS fuzzy_ids (id INTEGER PRIMARY KEY);
"""
# columns added to bib_refs after the first release (ALTER TABLE on older stores)
_BIB_COLUMNS = (("title", "TEXT"), ("year", "INTEGER"))


@dataclass(frozen=True, slots=True)
class Resolution:
    """One bibliography entry of ``citing`` resolved to the corpus paper ``cited``.

    ``method`` is one of :data:`METHODS`; ``score`` is the title similarity of a
    fuzzy match (1.0 for exact keys); ``ref_id`` names the entry in the citing
    paper's bibliography.
    """

    citing: str
    cited: str
    method: str
    score: float = 1.0
    ref_id: str = ""

    @property
    def band(self) -> str:
        """The score band of a fuzzy match ("0.90-0.95"), "" for an exact key."""
        return score_band(self.score) if self.method == FUZZY else ""


def score_band(score: float) -> str:
    for low, label in SCORE_BANDS:
        if score >= low:
            return label
    return f"below {SCORE_BANDS[-1][0]:.2f}"


class ResolutionCounts:
    """Running counts of resolutions for the build summary (constant memory)."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, res: Resolution) -> None:
        if res.method == FUZZY:
            self._counts[f"resolved by fuzzy title {res.band}"] += 1
        else:
            self._counts[f"resolved by {res.method}"] += 1

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def report(self) -> dict[str, int]:
        """The counts by key ("resolved by doi", ...) then by fuzzy score band, highest
        band first ("resolved by fuzzy title 0.95-1.00", ...); empty ones left out."""
        order = [f"resolved by {k}" for k in KEYS]
        order += [f"resolved by fuzzy title {label}" for _, label in SCORE_BANDS]
        rank = {k: i for i, k in enumerate(order)}
        keys = sorted(self._counts, key=lambda k: (rank.get(k, len(order)), k))
        return {k: self._counts[k] for k in keys}


def report_counts(resolutions: Iterable[Resolution]) -> dict[str, int]:
    """Counts for the build summary: entries resolved by each key and fuzzy score band.

    ``{"resolved by doi": 139, ..., "resolved by fuzzy title 0.95-1.00": 94}``
    """
    counts = ResolutionCounts()
    for res in resolutions:
        counts.add(res)
    return counts.report()


#: a paper's title for the fuzzy index: (paper id, source title, year, fuzzy form, its
#: grams, or None when the title is too short or generic to match on)
TitleRow = tuple[str, str, "int | None", str, "tuple[int, ...] | None"]


@dataclass(frozen=True)
class CitationRows:
    """What the citation index stores of a batch of papers, computed without the index.

    Pure and picklable, so the cleaning, keys and grams of every title and
    bibliography entry (most of the per-paper cost) run on the workers of a
    partitioned build; the driver only inserts (:meth:`CitationIndex.add_rows`).
    """

    keys: list[tuple[str, str, str, str, str]]
    refs: list[tuple[str, str, str, str, str, str, str, int | None]]
    titles: list[TitleRow]

    def __len__(self) -> int:
        return len(self.keys)


def citation_rows(papers: Iterable[PaperRecord]) -> CitationRows:
    """The keys, bibliography entries and title grams of ``papers``."""
    keys = []
    refs = []
    titles: list[TitleRow] = []
    for p in papers:
        title = citation_title(p.title)
        keys.append((p.paper_id, p.doi, p.pmid, p.pmcid, title_key(title)))
        fuzzy = fuzzy_title(title)
        grams = tuple(sorted(title_grams(fuzzy))) if _eligible(fuzzy) else None
        titles.append((p.paper_id, title, paper_year(p), fuzzy, grams))
        for b in p.bib_entries:
            ref_title = citation_title(b.title)
            refs.append(
                (
                    p.paper_id,
                    b.ref_id,
                    _unless_own(b.doi, p.doi),
                    _unless_own(b.pmid, p.pmid),
                    _unless_own(b.pmcid, p.pmcid),
                    title_key(ref_title),
                    ref_title,
                    b.year,
                )
            )
    return CitationRows(keys, refs, titles)


#: how a caller runs a function over batches: ``map`` or an executor's ordered ``map``
Mapper = Callable[
    [Callable[["FuzzyBatch"], list["Decision"]], Iterable["FuzzyBatch"]], Iterable[list["Decision"]]
]


@dataclass(frozen=True)
class FuzzyBatch:
    """Distinct entry titles no key resolved, with their candidates: all that scoring
    needs, and no index (pure data, so it could be scored anywhere)."""

    #: (entry year, the entry title's variants), one per distinct (title, year)
    entries: list[tuple[int | None, list[str]]]
    #: each entry's candidate row ids, most shared grams first
    shortlists: list[list[int]]
    #: row id -> (paper id, its title, its year)
    papers: dict[int, tuple[str, PaperTitle, int | None]]


#: what scoring decided for one (title, year): the winning paper and its score, or None
Decision = tuple[str, float] | None


def score_fuzzy(batch: FuzzyBatch) -> list[Decision]:
    """For each entry, the candidate that wins clearly, or None. Whether it may be linked
    also depends on who cites (never itself) and on no other paper sharing the winner's
    title: the caller checks both."""
    out: list[Decision] = []
    for (year, variants), ids in zip(batch.entries, batch.shortlists, strict=True):
        refs = _with_unified(variants)
        scored = []
        for i in ids:
            paper_id, title, paper_year = batch.papers[i]
            score = _similarity(refs, title)
            if score is not None:
                scored.append((score, paper_id, paper_year))
        if not scored:
            out.append(None)
            continue
        scored.sort(reverse=True)
        best = scored[0][0]
        close = [c for c in scored if c[0] >= best - AMBIGUITY_MARGIN]
        if len(close) > 1:
            close = _by_year(close, year)
        out.append((close[0][1], round(close[0][0], 4)) if len(close) == 1 else None)
    return out


class _Memo:
    """A bounded memory of decisions: the oldest are forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: dict = {}

    def get(self, key: object, default: object = None) -> object:
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __setitem__(self, key: object, value: object) -> None:
        if len(self.data) >= self.size:
            del self.data[next(iter(self.data))]
        self.data[key] = value


#: decisions kept per resolve (entry titles, and whether a paper's title is shared)
MEMO_SIZE = 200_000


class CitationIndex:
    """Paper keys, bibliography entries and the title index, and how they resolve."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.executescript(_SCHEMA)
        have = {row[1] for row in db.execute("PRAGMA table_info(bib_refs)")}
        for name, kind in _BIB_COLUMNS:
            if name not in have:
                db.execute(f"ALTER TABLE bib_refs ADD COLUMN {name} {kind}")

    def add_papers(self, papers: Iterable[PaperRecord]) -> None:
        self.add_rows(citation_rows(papers))

    def add_rows(self, rows: CitationRows) -> None:
        """Store rows made by :func:`citation_rows` (on a worker, perhaps): inserts only."""
        # an earlier build's entries of these papers are replaced; a new paper has none, and
        # on a first build a lookup per paper in a large index was a tenth of the driver's time
        known = self._existing([r[0] for r in rows.keys])
        self.db.executemany("INSERT OR REPLACE INTO paper_keys VALUES (?, ?, ?, ?, ?)", rows.keys)
        self.db.executemany("DELETE FROM bib_refs WHERE citing = ?", [(pid,) for pid in known])
        self.db.executemany(
            "INSERT OR REPLACE INTO bib_refs "
            "(citing, ref_id, doi, pmid, pmcid, title_key, title, year) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows.refs,
        )
        self._index_titles(rows.titles)

    def count_refs(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM bib_refs").fetchone()[0]

    def resolve(self, mapper: Mapper | None = None) -> Iterator[Resolution]:
        """Each bibliography entry that resolves, with the key that resolved it.

        Exact keys first, in one indexed join; the entries they leave are
        matched on their titles in chunks of :data:`CHUNK`: the index finds
        each chunk's candidates here, and ``mapper`` (the build's executor:
        ``mapper(fn, batches)`` gives ``fn(batch)`` in order) scores them, so
        on a cluster the costly part runs on the workers. Plain ``map`` when
        None.
        """
        self._merge_postings()
        # A unique match gives the paper, no match NULL (try the next key); several
        # matches also give NULL, except for the title, which they make ambiguous ('')
        # so that fuzzy matching does not pick one of the papers sharing it.
        lookups = ", ".join(
            f"(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(k.paper_id) "
            f"{'WHEN COUNT(*) > 1 THEN ' + repr('') if key == 'title_key' else ''} END "
            f"FROM paper_keys k WHERE r.{key} != '' AND k.{key} = r.{key}) AS by_{key}"
            for key in KEYS
        )
        ready: deque[Resolution] = deque()
        #: per batch in flight: each distinct (title, year) and the entries citing with it
        waiting: deque[dict[tuple[str, int | None], list[tuple[str, str]]]] = deque()
        # A popular reference is cited by thousands of papers under the same title: its
        # candidates are found and scored once, not once per citing paper.
        decided = _Memo(MEMO_SIZE)
        shared = _Memo(MEMO_SIZE)

        def link(citing: str, ref_id: str, decision: Decision) -> None:
            if decision is None or decision[0] == citing:
                return
            cited, score = decision
            if cited not in shared:
                shared[cited] = self._title_shared(cited)
            if not shared.get(cited):
                ready.append(Resolution(citing, cited, FUZZY, score, ref_id))

        def batches() -> Iterator[FuzzyBatch]:
            """Fuzzy batches of distinct titles; resolutions met on the way (exact keys,
            titles already decided) wait in ``ready``."""
            cursor = self.db.execute(
                f"SELECT r.citing, r.ref_id, r.title, r.year, {lookups} FROM bib_refs r"
            )
            pending: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
            while rows := cursor.fetchmany(CHUNK):
                for citing, ref_id, title, year, *found in rows:
                    for key, cited in zip(KEYS, found, strict=True):
                        if cited is not None:
                            if cited and cited != citing:
                                ready.append(Resolution(citing, cited, key, ref_id=ref_id))
                            break
                    else:
                        if not title:
                            continue
                        if (title, year) in decided:
                            link(citing, ref_id, decided.get((title, year)))  # type: ignore[arg-type]
                        else:
                            pending.setdefault((title, year), []).append((citing, ref_id))
                if len(pending) >= CHUNK:
                    yield self._candidates(pending, waiting)
                    pending = {}
            if pending:
                yield self._candidates(pending, waiting)

        for decisions in (mapper or map)(score_fuzzy, batches()):
            while ready:
                yield ready.popleft()
            for key, decision in zip(waiting.popleft().items(), decisions, strict=True):
                (title_year, citers) = key
                decided[title_year] = decision
                for citing, ref_id in citers:
                    link(citing, ref_id, decision)
            while ready:
                yield ready.popleft()
        while ready:
            yield ready.popleft()

    # --- the title index ---------------------------------------------------------------

    def _index_titles(self, titles: list[TitleRow]) -> None:
        """Post each paper's title under its grams; replace what an earlier build posted.

        New postings are appended to ``title_grams_new`` (cheap, in id order) and
        merged into the gram-ordered index in one sorted pass before resolving
        (:meth:`_merge_postings`): inserting them one by one at random places of a
        large B-tree would cost a page read per posting.
        """
        added: list[tuple[int, int]] = []
        removed: list[tuple[int, int]] = []
        df: Counter[int] = Counter()
        earlier = self._earlier_titles([t[0] for t in titles])
        for paper_id, source, year, title, grams in titles:
            old = earlier.get(paper_id)
            if old is not None and old[1] == title:
                self.db.execute(
                    "UPDATE paper_titles SET source = ?, year = ? WHERE id = ?",
                    (source, year, old[0]),
                )
                continue
            if old is not None:
                self.db.execute("DELETE FROM title_grams_new WHERE id = ?", (old[0],))
                for gram in title_grams(old[1]):
                    removed.append((gram, old[0]))
            if grams is None:  # not eligible for fuzzy matching
                if old is not None:
                    self.db.execute("DELETE FROM paper_titles WHERE id = ?", (old[0],))
                    del earlier[paper_id]
                continue
            if old is not None:
                row_id = old[0]
                self.db.execute(
                    "UPDATE paper_titles SET title = ?, source = ?, year = ? WHERE id = ?",
                    (title, source, year, row_id),
                )
            else:
                cur = self.db.execute(
                    "INSERT INTO paper_titles (paper_id, title, source, year) VALUES (?, ?, ?, ?)",
                    (paper_id, title, source, year),
                )
                row_id = cur.lastrowid
                assert row_id is not None
            earlier[paper_id] = (row_id, title)
            added.extend((gram, row_id) for gram in grams)
        for gram, row_id in removed:  # a changed title (rare): only postings already merged
            if self.db.execute(
                "DELETE FROM title_grams WHERE gram = ? AND id = ?", (gram, row_id)
            ).rowcount:
                df[gram] -= 1
        self.db.executemany("INSERT INTO title_grams_new VALUES (?, ?)", added)
        self.db.executemany(
            "UPDATE gram_df SET df = df + ? WHERE gram = ?", [(n, g) for g, n in df.items()]
        )
        self.db.execute("DELETE FROM gram_df WHERE df <= 0")

    def _rows_for(self, select: str, paper_ids: list[str]) -> Iterator[tuple[object, ...]]:
        """The rows of ``select ... WHERE paper_id IN (...)`` for ``paper_ids``, 500 ids a
        query: one query per id was a tenth of the driver's time on a first build."""
        for i in range(0, len(paper_ids), 500):
            chunk = paper_ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(f"{select} WHERE paper_id IN ({marks})", chunk)

    def _existing(self, paper_ids: list[str]) -> set[str]:
        """Those of ``paper_ids`` an earlier build gave keys (and so bibliography entries)."""
        return {row[0] for row in self._rows_for("SELECT paper_id FROM paper_keys", paper_ids)}

    def _earlier_titles(self, paper_ids: list[str]) -> dict[str, tuple[int, str]]:
        """The title row (id, title) an earlier build posted for each of ``paper_ids``."""
        select = "SELECT paper_id, id, title FROM paper_titles"
        return {pid: (row_id, title) for pid, row_id, title in self._rows_for(select, paper_ids)}

    def _merge_postings(self) -> None:
        """Move the postings added since the last resolve into the index, in gram order."""
        if self.db.execute("SELECT 1 FROM title_grams_new LIMIT 1").fetchone() is None:
            return
        self.db.execute(
            "INSERT OR IGNORE INTO title_grams SELECT gram, id FROM title_grams_new "
            "ORDER BY gram, id"
        )
        self.db.execute(
            "INSERT INTO gram_df (gram, df) SELECT gram, COUNT(*) FROM title_grams_new "
            "WHERE true GROUP BY gram ORDER BY gram "
            "ON CONFLICT (gram) DO UPDATE SET df = df + excluded.df"
        )
        self.db.execute("DELETE FROM title_grams_new")

    def _candidates(
        self,
        pending: dict[tuple[str, int | None], list[tuple[str, str]]],
        waiting: deque[dict[tuple[str, int | None], list[tuple[str, str]]]],
    ) -> FuzzyBatch:
        """Distinct unresolved titles with the candidates the index gives them; what each
        title stands for is queued on ``waiting`` in the same order."""
        entries = []
        grams_of = []
        kept: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
        for (title, year), citers in pending.items():
            variants = title_variants(title)
            if variants:
                entries.append((year, variants))
                grams_of.append(title_grams(min(variants, key=len)))
                kept[(title, year)] = citers
        waiting.append(kept)
        if not entries:
            return FuzzyBatch([], [], {})
        df = self._gram_df({g for grams in grams_of for g in grams})
        chosen = [_rarest(grams, df) for grams in grams_of]
        postings = self._postings({g for grams in chosen for g in grams})
        shortlists = []
        for grams in chosen:
            hits: Counter[int] = Counter()
            for gram in grams:
                hits.update(postings.get(gram, ()))
            shortlists.append([i for i, _ in hits.most_common(MAX_CANDIDATES)])
        papers = self._titles({i for ids in shortlists for i in ids})
        return FuzzyBatch(entries, shortlists, papers)

    def _title_shared(self, paper_id: str) -> bool:
        """Whether another paper has the same normalised title: its twin may lie beyond the
        candidates, and a shared title resolves nothing (the exact rule)."""
        return (
            self.db.execute(
                "SELECT COUNT(*) FROM paper_keys k JOIN paper_keys o ON o.title_key = k.title_key "
                "WHERE k.paper_id = ? AND k.title_key != ''",
                (paper_id,),
            ).fetchone()[0]
            > 1
        )

    # The small temporary table comes first in each of these joins (CROSS JOIN fixes
    # SQLite's join order): the other way round, a GROUP BY would scan the whole index.
    def _fill(self, table: str, values: Iterable[int]) -> None:
        self.db.execute(f"DELETE FROM {table}")
        self.db.executemany(f"INSERT INTO {table} VALUES (?)", ((v,) for v in values))

    def _gram_df(self, grams: set[int]) -> dict[int, int]:
        self._fill("fuzzy_grams", grams)
        return dict(
            self.db.execute(
                "SELECT d.gram, d.df FROM fuzzy_grams g CROSS JOIN gram_df d ON d.gram = g.gram"
            )
        )

    def _postings(self, grams: set[int]) -> dict[int, list[int]]:
        self._fill("fuzzy_grams", grams)
        return {
            gram: list(map(int, ids.split(",")))
            for gram, ids in self.db.execute(
                "SELECT g.gram, group_concat(t.id) FROM fuzzy_grams g "
                "CROSS JOIN title_grams t ON t.gram = g.gram GROUP BY g.gram"
            )
        }

    def _titles(self, ids: set[int]) -> dict[int, tuple[str, PaperTitle, int | None]]:
        self._fill("fuzzy_ids", ids)
        return {
            row_id: (paper_id, PaperTitle(source, title), year)
            for row_id, paper_id, title, source, year in self.db.execute(
                "SELECT p.id, p.paper_id, p.title, p.source, p.year FROM fuzzy_ids f "
                "CROSS JOIN paper_titles p ON p.id = f.id"
            )
        }


def _by_year(close: list[tuple[float, str, int | None]], year: int | None) -> list:
    """Break a tie between equally good candidates by year: the one candidate published
    within a year of the entry's, when every candidate's year is known. Years are not
    a guard on their own: parses misread them (2020 as 2002) too often."""
    if year is None or any(c[2] is None for c in close):
        return close
    near = [c for c in close if abs(c[2] - year) <= 1]
    return near if len(near) == 1 else close


def _unless_own(value: str, own: str) -> str:
    """A bibliography identifier, or "" when it is the citing paper's own (page boilerplate)."""
    return "" if own and value == own else value


_PREPRINT_DATE = re.compile(r"^10\.1101/(\d{4})\.\d{2}\.\d{2}\.")


def paper_year(paper: PaperRecord) -> int | None:
    """The paper's year: from publish_time, else from a dated bioRxiv/medRxiv DOI."""
    if paper.publish_time[:4].isdigit():
        return int(paper.publish_time[:4])
    match = _PREPRINT_DATE.match(paper.doi)
    return int(match.group(1)) if match else None


# --- titles ------------------------------------------------------------------------------


def _eligible(fuzzy: str) -> bool:
    return len(fuzzy) >= 20 and len(content_words(fuzzy)) >= MIN_CONTENT_WORDS


def gram_id(gram: str) -> int:
    """A stable signed 64-bit id for a gram (SQLite's INTEGER)."""
    digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def title_grams(fuzzy: str) -> set[int]:
    """The blocking grams of a fuzzy title: its content words and adjacent pairs of them
    (with the names of COVID-19 written one way, see :func:`covid_names`)."""
    words = content_words(covid_names(fuzzy))
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return {gram_id(g) for g in grams}


def _rarest(grams: set[int], df: Mapping[int, int]) -> list[int]:
    """The entry's rarest grams in the corpus, at most :data:`BLOCK_KEYS` of them and
    :data:`POSTINGS_BUDGET` postings in all (the rarest one always)."""
    known = sorted((df[g], g) for g in grams if 0 < df.get(g, 0) <= MAX_POSTINGS)
    chosen: list[int] = []
    total = 0
    for n, gram in known[:BLOCK_KEYS]:
        if chosen and total + n > POSTINGS_BUDGET:
            break
        chosen.append(gram)
        total += n
    return chosen


# A sentence break: where a venue may have been appended or authors prepended.
_BREAK = re.compile(r"(?<=[\w)\]?!])[.?!]*\.\s+(?=\S)|\s+\((?:19|20)\d{2}\)\s+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_JOURNAL_WORD = re.compile(
    r"\b(?:j|journal|proc|proceedings|natl|acad|sci|science|nature|lancet|jama|bmj|nejm|"
    r"plos|bmc|med|medicine|rev|res|lett|ann|arch|bull|bulletin|clin|infect|dis|virol|"
    r"immunol|microbiol|epidemiol|biol|chem|radiology|eurosurveillance|elife|cell|internet|"
    r"electronic|online|epub|print)\b",
    re.I,
)
# "Part 2", "Vol. II": what tells one paper of a series from the next is never dropped
_PART = re.compile(
    r"\b(?:[Pp]art|PART|[Vv]ol|[Vv]olume|[Ss]ection|[Cc]hapter|[Ss]eries|[Ss]upplement)\b"
    r"|\b(?:II|III|IV|VI|VII|VIII|IX|XI|XII)\b"
)


def title_variants(title: str) -> list[str]:
    """The fuzzy forms a reference's title is compared under: as written, and without
    what looks like a venue appended after a full stop or authors put before it.

    Only eligible forms are returned; an entry with none is not matched fuzzily.
    """
    parts = _BREAK.split(title)
    heads = [parts]
    if len(parts) > 1 and _looks_like_authors(parts[0]):
        heads.append(parts[1:])
    out: list[str] = []
    for head in heads:
        cut = head
        while True:
            form = fuzzy_title(" ".join(cut))
            if _eligible(form) and form not in out:
                out.append(form)
            if len(cut) < 2 or not _looks_like_venue(cut[-1]):
                break
            cut = cut[:-1]
    return out


def _looks_like_venue(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 8 or _PART.search(text):
        return False
    if _YEAR.search(text) or _JOURNAL_WORD.search(text):
        return True
    # a journal's name is capitalised: "The Lancet Global Health", "Influenza Other Respir Viruses"
    return len(words) <= 6 and all(
        w[0].isupper() or w[0] in "([" or w.isdigit() or w.lower() in STOPWORDS for w in words
    )


def _looks_like_authors(text: str) -> bool:
    words = text.replace(",", " ").split()
    if not words or len(words) > 8:
        return False
    if re.search(r"\bet al\b|\band others\b", text):
        return True
    return all(w[0].isupper() or w.lower() in {"and", "others"} for w in words)


class PaperTitle:
    """A corpus paper's title as fuzzy matching compares it (computed once per candidate)."""

    __slots__ = ("source", "plain", "unified", "_edges")

    def __init__(self, source: str, plain: str | None = None) -> None:
        self.source = source  # the citation title, punctuation kept
        self.plain = fuzzy_title(source) if plain is None else plain
        self.unified = covid_names(self.plain)
        self._edges: frozenset[str] | None = None

    def edges(self) -> frozenset[str]:
        """The title's leading and trailing runs of punctuation-separated parts, in fuzzy
        form: where a citation may cut it ("Assessing spread risk ... beyond China" of
        "Assessing spread risk ... beyond China, January-April 2020: a travel ...")."""
        if self._edges is None:
            parts = [p for p in _PUNCTUATION_BREAK.split(self.source) if p.strip()]
            cuts = [(parts[:k], parts[k:]) for k in range(1, len(parts))]
            cuts += [(parts[k:], parts[:k]) for k in range(1, len(parts))]
            # never up to a part number: "... patients (part II)" is not "... patients"
            runs = [" ".join(kept) for kept, dropped in cuts if not _PART.search(" ".join(dropped))]
            forms = {fuzzy_title(r) for r in runs}
            self._edges = frozenset(forms | {covid_names(f) for f in forms})
        return self._edges


_PUNCTUATION_BREAK = re.compile(r"[,;:.!?]+\s+|\s+[-–—]+\s+|\s*[()\[\]]+\s*")


def title_similarity(reference: str, paper: str) -> float | None:
    """The similarity of a bibliography entry's title to a corpus paper's title under the
    rule (the module docstring), or None when the two are not taken for the same paper.

    Both are raw titles; they are cleaned (:func:`citation_title`) and compared in
    fuzzy form (:func:`title_variants` of the reference), as written and with the
    names of COVID-19 unified (:func:`covid_names`): a preprint retitled from
    "2019-nCoV" to "COVID-19" matches either way, and "... novel coronavirus
    disease" still matches as the truncation of "... novel coronavirus disease 2019".
    """
    variants = title_variants(citation_title(reference))
    return _similarity(_with_unified(variants), PaperTitle(citation_title(paper)))


def _with_unified(variants: list[str]) -> list[tuple[str, str, int]]:
    """Each variant, with COVID-19's names unified, and its number of content words
    (once per entry, not once per candidate)."""
    return [(v, covid_names(v), len(content_words(v))) for v in variants]


def _similarity(refs: list[tuple[str, str, int]], paper: PaperTitle) -> float | None:
    best: float | None = None
    for plain, unified, words in refs:
        best = _align(plain, paper.plain, paper, words, best)
        if unified != plain or paper.unified != paper.plain:
            best = _align(unified, paper.unified, paper, words, best)
    return best


def _align(ref: str, title: str, paper: PaperTitle, words: int, best: float | None) -> float | None:
    """``best``, or a better similarity of ``ref`` to ``title`` (whole, or cut short);
    ``words`` is the number of content words of the reference as written."""
    floor = FUZZY_THRESHOLD if best is None else best + 1e-9
    lcs = (len(ref) + len(title) - Indel.distance(ref, title)) // 2
    whole = 2 * lcs / (len(ref) + len(title))
    if whole >= floor and words_agree(ref, title):
        best, floor = whole, whole + 1e-9
    if not 30 <= len(ref) < len(title) or len(ref) < MIN_TRUNCATED_SHARE * len(title):
        return best
    slack = max(4, len(ref) // 10)
    if 2 * lcs / (2 * len(ref) - slack) < floor:  # no window of the title can reach the floor
        return best
    if words < MIN_TRUNCATED_WORDS or _ORGANISATION.search(ref):
        return best
    # A short reference only matches up to a break in the title (". medRxiv" aside, a
    # citation drops a subtitle: "..., from 2019 to 2020: a data-driven analysis") or
    # when it stops on a function word ("The impact of ... in Wuhan on the").
    anywhere = words >= MIN_TRUNCATED_WORDS_ANYWHERE
    for window, at_start in _cuts(title, len(ref), slack):
        score = Indel.normalized_similarity(ref, window)
        if score < floor or not words_agree(ref, window):
            continue
        dropped = title[len(window) :] if at_start else title[: len(title) - len(window)]
        if _FUZZY_PART.search(dropped):  # "... patients" is not "... patients (part II)"
            continue
        if anywhere or (at_start and ref.rsplit(" ", 1)[-1] in STOPWORDS):
            best, floor = score, score + 1e-9
        elif window in paper.edges():
            best, floor = score, score + 1e-9
    return best


_FUZZY_PART = re.compile(
    r"\b(?:part|vol|volume|section|chapter|series|supplement|ii|iii|iv|vi|vii|viii|ix|xi|xii)\b"
)
# A reference that reads like an author group is never taken for part of a title
# (a parse appended "... COVID-19 Working Group" to a paper's title).
_ORGANISATION = re.compile(
    r"\b(?:working group|study group|consortium|collaborat\w*|investigators|committee"
    r"|centre|center|institute|organi[sz]ation|ministry|department)\b"
)


def _cuts(title: str, length: int, slack: int) -> Iterator[tuple[str, bool]]:
    """``title`` cut at a word boundary to about ``length`` characters: (the start of the
    title, True) or (the end of it, False)."""
    for i, c in enumerate(title):
        if c == " ":
            if abs(i - length) <= slack:
                yield title[:i], True
            if abs(len(title) - i - 1 - length) <= slack:
                yield title[i + 1 :], False


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude plural stem: "studies" -> "study", "viruses" -> "virus", "cells" -> "cell"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_DIGIT = re.compile(r"\d")


def _joined(words: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    """Every run of two or three adjacent words, written together: (start, end, stem)."""
    for n in (2, 3):
        for i in range(len(words) - n + 1):
            yield i, i + n, _stem("".join(words[i : i + n]))


@dataclass(frozen=True, slots=True)
class _Words:
    """A title's words as the word check uses them (cached: a title meets many others)."""

    words: tuple[str, ...]
    counts: Counter[str]  # stems of the words other than stop words, with repeats
    singles: frozenset[str]  # stems of all the words
    joined: frozenset[str]  # stems of runs of two or three words written together
    runs: tuple[tuple[int, int, str], ...]
    spelt: tuple[str, ...]  # singles without a digit, five letters or more

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def of(title: str) -> _Words:
        words = tuple(title.split())
        runs = tuple(_joined(words))
        singles = frozenset(_stem(w) for w in words)
        joined = frozenset(stem for _, _, stem in runs)
        return _Words(
            words=words,
            counts=Counter(_stem(w) for w in words if w not in STOPWORDS),
            singles=singles,
            joined=joined,
            runs=runs,
            spelt=tuple(f for f in singles if len(f) >= 5 and not _DIGIT.search(f)),
        )


def _unmatched(mine: _Words, other: _Words) -> Iterator[str]:
    """The words of one title (content words and numbers) the other title does not match.

    Each word of the other title matches one occurrence: a word written twice here
    needs two there ("... with COVID-19 on therapeutic COVID-19" is not "... with
    COVID-19 on therapeutic").
    """
    unused = other.counts.copy()
    left = []
    for i, word in enumerate(mine.words):
        if word in STOPWORDS:
            continue
        stem = _stem(word)
        if unused[stem] > 0:
            unused[stem] -= 1
        else:
            left.append((i, word, stem))
    if not left:
        return
    covered = {i for i, j, stem in mine.runs if stem in other.singles for i in range(i, j)}
    for i, word, stem in left:
        if i in covered or stem in other.joined:  # "real time" against "realtime"
            continue
        if len(stem) >= 5 and not _DIGIT.search(word):  # "ace2" / "ace": exact or nothing
            near = process.extractOne(  # another word: this one's match is used up
                stem,
                [f for f in other.spelt if f != stem],
                scorer=Indel.normalized_similarity,
                score_cutoff=WORD_SIMILARITY,
            )
            if near is not None:
                continue
        if any(_swapped(word, o) for o in other.words) or any(
            _swapped(stem, f) for f in other.singles
        ):
            continue
        yield word


def _swapped(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with two adjacent letters swapped ("stduy" / "study")."""
    if len(a) != len(b) or len(a) < 4:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
        and a[diff[0]].isalpha()
        and a[diff[1]].isalpha()
    )


def words_agree(a: str, b: str) -> bool:
    """Whether every content word of each title is matched by a word of the other.

    A word is matched by the same word up to a plural ("cells" / "cell"), each
    occurrence by one (a word written twice needs two), by another word of five
    letters or more spelt within :data:`WORD_SIMILARITY` of it ("coronaviurs",
    "modelling" / "modeling"; not "mice" / "humans", "male" / "female") or with
    two adjacent letters swapped ("stduies", "cvoid19"), or by two or three
    adjacent words of the other title written together ("real time" /
    "realtime", "b 0 at1" / "b0at1"). Words with a digit must match exactly
    ("ace2" is not "ace", "cd4" not "cd8"). Stop words may go unmatched; bare
    numbers may go unmatched on one side only (PDF line numbers inserted into a
    title), not on both ("140 patients" / "138 patients", "part 1" / "part 2").
    """
    words_a, words_b = _Words.of(a), _Words.of(b)
    unmatched_numbers = 0
    for words, other in ((words_a, words_b), (words_b, words_a)):
        numbers = False
        for word in _unmatched(words, other):
            if not word.isdigit():
                return False
            numbers = True
        unmatched_numbers += numbers
    return unmatched_numbers < 2
