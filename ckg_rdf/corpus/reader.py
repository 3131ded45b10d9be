"""Joining metadata rows and full-text parses into one PaperRecord per paper.

Papers come first from metadata.csv (each row joined with its full text, found
by PMCID or SHA, PMC preferred), then from the parses no row claimed (their
``paper_id`` SHA identifies them). Problems are yielded alongside records so
the caller can count and report them; nothing usable is dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, MutableSet
from pathlib import Path

from ckg_rdf.corpus.fulltext import FullText, FullTextError, read_fulltext
from ckg_rdf.corpus.layout import CorpusLayout, parse_id
from ckg_rdf.corpus.metadata import MetadataRow, read_metadata
from ckg_rdf.corpus.normalise import (
    clean_title,
    normalise_doi,
    normalise_numeric_id,
    normalise_pmcid,
    normalise_pmid,
)
from ckg_rdf.corpus.records import AuthorRecord, PaperRecord, Problem


def parse_metadata_authors(text: str) -> list[AuthorRecord]:
    """'Last, First M; Last, First' -> AuthorRecords (organisations keep the whole name as last)."""
    authors = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        last, _, given = part.partition(",")
        names = given.split()
        authors.append(
            AuthorRecord(
                first=names[0] if names else "", last=last.strip(), middle=tuple(names[1:])
            )
        )
    return authors


def read_corpus(
    layout: CorpusLayout, claimed: MutableSet[str] | None = None
) -> Iterator[PaperRecord | Problem]:
    """Every paper of the release in one pass, metadata rows first, then unclaimed parses.

    ``claimed`` collects the ids of parses joined to a metadata row. The build
    reads a release by partitions instead (:mod:`ckg_rdf.corpus.partitions`);
    this is the simple whole-corpus reader for tools and tests.
    """
    claimed = set() if claimed is None else claimed
    if layout.metadata_csv is not None:
        for item in read_metadata(layout.metadata_csv):
            if isinstance(item, Problem):
                yield item
                continue
            claimed.update(row_claims(item))
            record, problems = record_from_row(item, layout)
            yield from problems
            yield record
    for path in layout.iter_json_files():
        if parse_id(path) in claimed:
            continue
        record, problems = record_from_parse(path)
        if record is not None and record.paper_id in claimed:
            continue
        yield from problems
        if record is not None:
            claimed.add(record.paper_id)
            yield record


def row_claims(row: MetadataRow) -> list[str]:
    """The ids of the parse files a metadata row names (PMCID if it lists a PMC parse, SHAs)."""
    pmcid = normalise_pmcid(row.get("pmcid"))
    keys = [pmcid] if pmcid and row.get("pmc_json_files") else []
    keys.extend(row.multi("sha"))
    return keys


def record_from_parse(path: Path, *, body: bool = True) -> tuple[PaperRecord | None, list[Problem]]:
    """A paper from a parse file no metadata row names, and what was wrong with it
    (``body=False``: without its body paragraphs, see :func:`read_fulltext`)."""
    try:
        text = read_fulltext(path, body=body)
    except FullTextError as exc:
        return None, [Problem(str(path), str(exc))]
    problems = [_unsafe_problem(text.path, text.unsafe_strings)] if text.unsafe_strings else []
    return _from_fulltext(text), problems


def record_from_row(
    row: MetadataRow, layout: CorpusLayout, *, body: bool = True
) -> tuple[PaperRecord, list[Problem]]:
    """A paper from a metadata row, joined with its first readable full-text parse
    (``body=False``: without its body paragraphs, see :func:`read_fulltext`)."""
    problems: list[Problem] = []
    shas = row.multi("sha")
    pmcid = normalise_pmcid(row.get("pmcid"))
    digest = hashlib.sha1(repr(sorted(row.fields.items())).encode()).hexdigest()
    record = PaperRecord(
        paper_id=row.get("cord_uid"),
        cord_uid=row.get("cord_uid"),
        title=clean_title(row.get("title")),
        abstract=" ".join(row.get("abstract").split()),
        shas=shas,
        doi=normalise_doi(row.get("doi")),
        pmid=normalise_pmid(row.get("pubmed_id")),
        pmcid=pmcid,
        arxiv_id=row.get("arxiv_id"),
        s2_id=normalise_numeric_id(row.get("s2_id")),
        mag_id=normalise_numeric_id(row.get("mag_id")),
        who_covidence_id=row.get("who_covidence_id"),
        publish_time=row.get("publish_time"),
        journal=row.get("journal"),
        license=row.get("license"),
        urls=row.multi("url"),
        sources=row.multi("source_x"),
        authors=parse_metadata_authors(row.get("authors")),
    )
    # Which parse files does the row name? PMC first (cleaner text), then each PDF.
    wanted: list[tuple[str, Path | None]] = []
    if pmcid and row.get("pmc_json_files"):
        wanted.append((pmcid, layout.find_pmc_parse(pmcid)))
    for sha in shas:
        wanted.append((sha, layout.find_pdf_parse(sha)))
    found = [(k, p) for k, p in wanted if p is not None]
    if wanted and not found and (row.get("pdf_json_files") or row.get("pmc_json_files")):
        problems.append(
            Problem(
                f"{layout.metadata_csv}:{row.line}",
                f"full text listed ({', '.join(k for k, _ in wanted)}) but not in the corpus: "
                "loaded from metadata only",
                kind="missing-full-text",
            )
        )
    files: list[str] = []
    for _key, path in found:
        assert path is not None
        try:
            text = read_fulltext(path, body=body)
        except FullTextError as exc:
            problems.append(Problem(str(path), f"{exc}: paper loaded from metadata only"))
            continue
        if text.unsafe_strings:
            problems.append(_unsafe_problem(text.path, text.unsafe_strings))
        _merge(record, text)
        digest = hashlib.sha1((digest + text.digest).encode()).hexdigest()
        files.append(str(path))
        break
    record.files = (str(layout.metadata_csv), *files)
    record.fingerprint = digest
    return record, problems


def _unsafe_problem(path: str, unsafe_strings: int) -> Problem:
    return Problem(
        path,
        f"{unsafe_strings} string(s) held characters RDF/XML cannot carry (lone "
        "surrogates, NUL, U+FFFF); replaced by U+FFFD, paper loaded",
        kind="warning",
    )


def _merge(record: PaperRecord, text: FullText) -> None:
    """Add a parse's content to a metadata record: the row wins where both speak."""
    record.has_full_text = True
    record.title = record.title or text.title
    record.abstract = record.abstract or " ".join(text.abstract)
    record.body = text.body
    record.bib_entries = text.bib_entries
    record.doi = record.doi or text.doi
    if text.authors:
        record.authors = text.authors


def _from_fulltext(text: FullText) -> PaperRecord:
    return PaperRecord(
        paper_id=text.paper_id,
        title=text.title,
        abstract=" ".join(text.abstract),
        body=text.body,
        shas=(text.paper_id,) if not text.paper_id.startswith("PMC") else (),
        pmcid=text.paper_id if text.paper_id.startswith("PMC") else "",
        doi=text.doi,
        authors=text.authors,
        bib_entries=text.bib_entries,
        files=(text.path,),
        fingerprint=text.digest,
        has_full_text=True,
    )
