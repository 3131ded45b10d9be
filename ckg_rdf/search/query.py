"""Searching the index: parse, correct typos, rank with BM25, filter, count facets, page.

One search is a handful of SQLite statements on a read-only connection:

1. the query text becomes an FTS5 expression: every term must match (a quoted
   phrase as a phrase; the last term also as a prefix, for as-you-type); a word
   that matches nothing is replaced by the indexed words within edit distance
   1 (2 for long words) that share its first letter (rapidfuzz over the
   spelling table); when all terms together match nothing, any term may match;
2. the matches go into a temporary table with their score: BM25 over the
   weighted columns, times a popularity factor (citations, papers), times 4 when
   the whole query is the label or a synonym of the resource;
3. the page, the per-kind top hits and each facet's counts (over the other
   filters) are read from that table.

A deadline stops a search that runs too long (SQLite's progress handler).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ckg_rdf.search.index import KINDS, WEIGHTS
from ckg_rdf.search.text import KEY_SEP, MIN_SPELL, fold, fts_string, parse_terms, words

#: snippet markers (replaced by <mark> after escaping, in the service)
MARK_START, MARK_END = "\x02", "\x03"
#: facets counted for every search
FACETS = ("type", "year", "concept_type", "topic")
#: at most this many values per facet
FACET_VALUES = 30
#: the last word is also searched as a prefix when it alone matches at most this many
PREFIX_BELOW = 500


class SearchUnavailable(Exception):
    """There is no index to search (the data directory has none yet)."""


class SearchTimeout(Exception):
    """The search ran past its deadline."""


@dataclass(frozen=True)
class SearchRequest:
    q: str
    page: int = 1
    per_page: int = 20
    kind: str | None = None
    year: int | None = None
    concept_type: str | None = None
    topic: str | None = None
    #: > 0: also the best ``group`` hits of each kind (the grouped results page)
    group: int = 0
    facets: bool = True


@dataclass(frozen=True)
class SearchHit:
    iri: str
    kind: str
    label: str
    detail: str
    year: int | None
    concept_type: str | None
    popularity: float
    score: float
    #: a stretch of the abstract with the matches between MARK_START and MARK_END
    snippet: str = ""
    #: the whole query is this resource's label or one of its synonyms
    exact: bool = False


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    q: str
    total: int = 0
    page: int = 1
    per_page: int = 20
    hits: list[SearchHit] = field(default_factory=list)
    groups: dict[str, list[SearchHit]] = field(default_factory=dict)
    facets: dict[str, list[FacetValue]] = field(default_factory=lambda: {f: [] for f in FACETS})
    #: words that matched nothing -> the indexed word searched instead
    corrections: dict[str, str] = field(default_factory=dict)
    #: no resource matched every term: these match any of them
    relaxed: bool = False
    #: the FTS5 expression that was run
    expression: str = ""
    took_ms: float = 0.0


def concept_type_label(notation: str) -> str:
    """GENE_OR_PROTEIN -> gene or protein (how the graph's type individuals are labelled)."""
    return notation.replace("_", " ").lower()


class Searcher:
    """Searches one index file; one per thread (a SQLite connection is not shared)."""

    def __init__(self, path: Path, *, fuzzy: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise SearchUnavailable(
                f"no search index at {self.path}: build the graph with 'ckg build' "
                "(the search stage writes it)"
            )
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.db.execute("PRAGMA temp_store = MEMORY")
        self.db.execute(
            "CREATE TEMP TABLE hits (id INTEGER PRIMARY KEY, score REAL, kind TEXT, "
            "year INTEGER, concept_type TEXT)"
        )
        self.fuzzy = fuzzy
        self._deadline = 0.0

    def close(self) -> None:
        self.db.close()

    # -- the deadline ------------------------------------------------------------------
    def _progress(self) -> int:
        return 1 if time.perf_counter() > self._deadline else 0

    def _check(self, deadline_s: float) -> None:
        if time.perf_counter() > self._deadline:
            raise SearchTimeout(
                f"the search took longer than {deadline_s:g} s; make the query more specific"
            )

    # -- building the FTS expression ----------------------------------------------------
    def _matches(self, expression: str) -> bool:
        row = self.db.execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (expression,))
        return row.fetchone() is not None

    def _hits_at_most(self, expression: str, limit: int) -> bool:
        row = self.db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)",
            (expression, limit + 1),
        ).fetchone()
        return int(row[0]) <= limit

    def _known(self, word: str, prefix: bool) -> bool:
        if prefix:
            row = self.db.execute(
                "SELECT 1 FROM spell WHERE term >= ? AND term < ? LIMIT 1", (word, word + "\uffff")
            ).fetchone()
        else:
            row = self.db.execute("SELECT 1 FROM spell WHERE term = ?", (word,)).fetchone()
        return row is not None

    def _corrections(self, word: str) -> list[str]:
        """Indexed words close to ``word`` (same first letter), most frequent first."""
        from rapidfuzz.distance import DamerauLevenshtein

        limit = 1 if len(word) <= 6 else 2
        rows = self.db.execute(
            "SELECT term, df FROM spell WHERE term >= ? AND term < ? "
            "AND length(term) BETWEEN ? AND ?",
            (word[0], word[0] + "\uffff", len(word) - limit, len(word) + limit),
        ).fetchall()
        scored = []
        for term, df in rows:
            d = DamerauLevenshtein.distance(word, term, score_cutoff=limit)
            if d <= limit:
                scored.append((d, -int(df), term))
        scored.sort()
        return [t for _, _, t in scored[:3]]

    def expression(self, q: str) -> tuple[str, str, dict[str, str]]:
        """(all terms, any term, corrections) as FTS5 expressions; empty when nothing to
        search for."""
        terms = parse_terms(q)
        parts: list[str] = []
        corrections: dict[str, str] = {}
        for i, (text, phrase) in enumerate(terms):
            ws = words(text)
            last = i == len(terms) - 1
            if phrase or len(ws) != 1:
                whole = fts_string(" ".join(ws))
                # the last chunk as typed so far: its last word may be unfinished
                prefix = last and not phrase and len(ws[-1]) >= 2
                parts.append(f"({whole} OR {whole} *)" if prefix else whole)
                continue
            w = ws[0]
            exact = fts_string(w)
            options = [exact]
            # the last word may be unfinished (as-you-type): also as a prefix, unless it is
            # a common word already (a prefix of a common word costs much and adds little)
            if last and len(w) >= 3 and self._hits_at_most(exact, PREFIX_BELOW):
                options.append(exact + " *")
            if (
                self.fuzzy
                and len(w) >= MIN_SPELL
                and w.isalpha()
                and not self._known(w, prefix=last)
                and not self._matches(" OR ".join(options))
            ):
                fixes = self._corrections(w)
                if fixes:
                    corrections[w] = fixes[0]
                    options += [fts_string(f) for f in fixes]
            parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        return " AND ".join(parts), " OR ".join(parts), corrections

    # -- searching ------------------------------------------------------------------------
    def search(self, req: SearchRequest, *, deadline_s: float = 5.0) -> SearchResult:
        started = time.perf_counter()
        self._deadline = started + deadline_s
        self.db.set_progress_handler(self._progress, 1000)
        try:
            self._check(deadline_s)
            result = self._search(req)
            self._check(deadline_s)
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc):
                raise SearchTimeout(
                    f"the search took longer than {deadline_s:g} s; make the query more specific"
                ) from None
            raise
        finally:
            self.db.set_progress_handler(None, 0)
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def _search(self, req: SearchRequest) -> SearchResult:
        result = SearchResult(q=req.q, page=req.page, per_page=req.per_page)
        every, any_, result.corrections = self.expression(req.q)
        if not every:
            return result
        self.db.execute("DELETE FROM temp.hits")
        key = KEY_SEP + fold(req.q.replace('"', " ")) + KEY_SEP
        insert = (
            "INSERT INTO temp.hits SELECT d.id, "
            f"bm25(fts, {', '.join(str(w) for w in WEIGHTS)}) * d.boost "
            "* (CASE WHEN instr(d.keys, ?) > 0 THEN 4.0 ELSE 1.0 END), "
            "d.kind, d.year, d.concept_type FROM fts JOIN docs d ON d.id = fts.rowid "
            "WHERE fts MATCH ?"
        )
        n = self.db.execute(insert, (key, every)).rowcount
        result.expression = every
        if n == 0 and any_ != every:
            n = self.db.execute(insert, (key, any_)).rowcount
            result.relaxed = n > 0
            result.expression = any_
        if n == 0:
            return result
        where, params = self._filters(req)
        result.total = int(
            self.db.execute(f"SELECT COUNT(*) FROM temp.hits h WHERE {where}", params).fetchone()[0]
        )
        offset = (max(1, req.page) - 1) * req.per_page
        rows = self.db.execute(
            f"SELECT h.id, h.score FROM temp.hits h WHERE {where} "
            "ORDER BY h.score, h.id LIMIT ? OFFSET ?",
            (*params, req.per_page, offset),
        ).fetchall()
        page_ids = [int(r[0]) for r in rows]
        scores = {int(r[0]): float(r[1]) for r in rows}
        group_ids: list[int] = []
        if req.group > 0:
            kinds = [
                str(k)
                for (k,) in self.db.execute(
                    f"SELECT DISTINCT h.kind FROM temp.hits h WHERE {where}", params
                )
            ]
            best = []
            for kind in kinds:  # the top few of each kind: a bounded sort per kind
                best += self.db.execute(
                    f"SELECT h.id, h.score FROM temp.hits h WHERE {where} AND h.kind = ? "
                    "ORDER BY h.score, h.id LIMIT ?",
                    (*params, kind, req.group),
                ).fetchall()
            for i, score in sorted(best, key=lambda r: (r[1], r[0])):
                group_ids.append(int(i))
                scores[int(i)] = float(score)
        hits = self._hits(page_ids + group_ids, scores, result.expression, key)
        result.hits = [hits[i] for i in page_ids if i in hits]
        for i in group_ids:
            if i in hits:
                result.groups.setdefault(hits[i].kind, []).append(hits[i])
        if req.facets:
            result.facets = self._facets(req)
        return result

    def _filters(self, req: SearchRequest, *, skip: str = "") -> tuple[str, tuple[object, ...]]:
        clauses: list[str] = ["1"]
        params: list[object] = []
        if req.kind and skip != "type":
            clauses.append("h.kind = ?")
            params.append(req.kind)
        if req.year is not None and skip != "year":
            clauses.append("h.year = ?")
            params.append(req.year)
        if req.concept_type and skip != "concept_type":
            clauses.append("h.concept_type = ?")
            params.append(req.concept_type)
        if req.topic and skip != "topic":
            clauses.append(
                "EXISTS (SELECT 1 FROM facets f WHERE f.facet = 'topic' AND f.value = ? "
                "AND f.doc = h.id)"
            )
            params.append(req.topic)
        return " AND ".join(clauses), tuple(params)

    def _hits(
        self, ids: list[int], scores: dict[int, float], expression: str, key: str
    ) -> dict[int, SearchHit]:
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        marks = ",".join("?" * len(unique))
        out: dict[int, SearchHit] = {}
        rows = self.db.execute(
            "SELECT d.id, d.iri, d.kind, f.label, d.detail, d.year, d.concept_type, "
            "d.popularity, d.keys FROM docs d JOIN fts f ON f.rowid = d.id "
            f"WHERE d.id IN ({marks})",
            unique,
        ).fetchall()
        snippets: dict[int, str] = {}
        for row in rows:
            if row[2] == "paper":  # one row at a time: FTS5 then reads just that document
                found = self.db.execute(
                    f"SELECT snippet(fts, 3, '{MARK_START}', '{MARK_END}', '…', 32) FROM fts "
                    "WHERE fts MATCH ? AND rowid = ?",
                    (expression, row[0]),
                ).fetchone()
                snippets[int(row[0])] = str(found[0] or "") if found else ""
        for i, iri, kind, label, detail, year, ctype, pop, keys in rows:
            snippet = snippets.get(int(i), "") if kind == "paper" else ""
            out[int(i)] = SearchHit(
                iri=str(iri),
                kind=str(kind),
                label=str(label),
                detail=str(detail),
                year=year,
                concept_type=ctype,
                popularity=float(pop),
                score=-float(scores.get(int(i), 0.0)),
                snippet=snippet if MARK_START in snippet else "",
                exact=key in str(keys),
            )
        return out

    def _facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        facets: dict[str, list[FacetValue]] = {}
        queries: dict[str, tuple[str, Callable[[str], str]]] = {
            "type": ("SELECT h.kind, COUNT(*) FROM temp.hits h WHERE {w} GROUP BY h.kind", str),
            "year": (
                "SELECT h.year, COUNT(*) FROM temp.hits h WHERE {w} AND h.year IS NOT NULL "
                "GROUP BY h.year ORDER BY h.year DESC",
                str,
            ),
            "concept_type": (
                "SELECT h.concept_type, COUNT(*) FROM temp.hits h WHERE {w} "
                "AND h.concept_type IS NOT NULL GROUP BY h.concept_type",
                concept_type_label,
            ),
            "topic": (
                "SELECT f.value, COUNT(*) FROM temp.hits h JOIN facets f ON f.doc = h.id "
                "AND f.facet = 'topic' WHERE {w} GROUP BY f.value",
                str,
            ),
        }
        for name, (sql, label) in queries.items():
            where, params = self._filters(req, skip=name)
            rows = self.db.execute(sql.format(w=where), params).fetchall()
            values = [FacetValue(str(v), label(str(v)), int(c)) for v, c in rows]
            if name == "type":
                order = {k: i for i, k in enumerate(KINDS)}
                values.sort(key=lambda v: order.get(v.value, 99))
            elif name != "year":
                values.sort(key=lambda v: (-v.count, v.label))
            facets[name] = values[:FACET_VALUES]
        if facets.get("topic"):
            facets["topic"] = self._label_topics(facets["topic"])
        return facets

    def _label_topics(self, values: list[FacetValue]) -> list[FacetValue]:
        marks = ",".join("?" * len(values))
        labels = {
            str(iri): str(label)
            for iri, label in self.db.execute(
                f"SELECT d.iri, f.label FROM docs d JOIN fts f ON f.rowid = d.id "
                f"WHERE d.iri IN ({marks})",
                [v.value for v in values],
            )
        }
        return [FacetValue(v.value, labels.get(v.value, v.value), v.count) for v in values]
