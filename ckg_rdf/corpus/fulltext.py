"""Reading one CORD-19 full-text parse (the JSON schema shared by pdf_json and pmc_json)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ckg_rdf.corpus.normalise import (
    clean_title,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    safe_text,
)
from ckg_rdf.corpus.records import Affiliation, AuthorRecord, BibEntry, Location

# bioRxiv/medRxiv PDFs print this on every page; it carries the preprint's own DOI.
_NOT_REVIEWED = r"\(which was not (?:peer-reviewed|certified by peer review)\)"
_BOILERPLATE = re.compile(
    # the PDF parse sometimes scrambles the sentence: "is the (which was not ...) The copyright..."
    rf"(?:is the(?: author/funder)?\s*)?(?:{_NOT_REVIEWED}\s*)?"
    r"(?:The )?copyright holder for this preprint"
    rf"(?:\s*{_NOT_REVIEWED})?(?:\s*is the(?: author/funder)?)?"
    r"(?:,? who has granted (?:bioRxiv|medRxiv) a license to display the preprint in perpetuity)?"
    r"\s*\.?(?:\s*It is made available under an? [^.]{0,160}?licen[cs]e\.?)?"
    r"(?:\s*(?:All rights reserved|No reuse allowed without permission)\.?)*"
    r"(?:\s*https?://doi\.org/\S+)?(?:\s*doi: (?:bioRxiv|medRxiv) preprint)?",
    re.I,
)
# what the removal leaves dangling at either end: punctuation, a lone "is" / "is the"
_BIB_LEFTOVER = re.compile(r"(?:(?:^|[\s.,;:]+)(?:is(?: the)?|the))+[\s.,;:]*$|[\s,;:]+$")
# ... and sometimes keeps only the tail: "is . https://doi.org/10.1101/... doi: medRxiv preprint"
_BOILERPLATE_TAIL = re.compile(
    r"(?:\bis \.\s*)?https?://doi\.org/10\.1101/\S*(?:\s\d[\d.]*)?\s*"
    r"doi: (?:bioRxiv|medRxiv) preprint",
    re.I,
)
# The preprint's own DOI follows the copyright line. The PDF parse sometimes splits it
# after a dot ("10.1101/2020.02. 10.20021725"); the pieces are joined again.
_PREPRINT_DOI = re.compile(
    r"copyright holder for this preprint.{0,300}?https?://doi\.org/"
    r"(10\.1101/(?:\d{4}\.\s?\d{2}\.\s?\d{2}\.\s?)?\d{6,8})(?![\d.]\d)",
    re.I | re.S,
)
# Fragments of that boilerplate which the parse files as (part of) a bibliography entry's
# title, in any order: "... bat origin. bioRxiv 2020; author/funder, who has granted ...".
_BIB_BOILERPLATE = re.compile(
    r"\(?which was not (?:peer[- ]reviewed|certified by peer review)\)?"
    r"|(?:the )?copyright holder for this preprint(?: is)?"
    r"|(?:is )?(?:the )?author/funder"
    r"|,? ?who has granted (?:bio|med)rxiv a licen[cs]e(?: to display the preprint in perpetuity)?"
    r"|to display the preprint in perpetuity"
    r"|(?:it )?is made available under an?(?: CC[-\w. ]*?)?(?: international)?(?: licen[cs]e)?"
    r"|CC[- ]BY(?:[- ](?:NC|ND|SA))*(?: \d\.\d)?(?: International)?(?: licen[cs]e)?"
    r"|International licen[cs]e"
    r"|all rights reserved|no reuse allowed without permission"
    r"|doi: (?:bio|med)rxiv preprint|https?://doi\.org/\S*",
    re.I,
)


class FullTextError(ValueError):
    """A parse file that cannot be used; the message says why."""


@dataclass(slots=True)
class FullText:
    paper_id: str
    path: str
    digest: str
    title: str = ""
    authors: list[AuthorRecord] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    bib_entries: list[BibEntry] = field(default_factory=list)
    doi: str = ""
    #: strings in which characters RDF or XML cannot carry were replaced
    unsafe_strings: int = 0


#: JSON escapes or UTF-8 bytes of characters RDF/XML cannot carry (a cheap test on the raw file)
#: Two patterns, each starting with a literal that ``re`` can skip ahead to: as one
#: alternation it tried every byte of the file (45 us a parse against 5).
_UNSAFE_RAW = (
    re.compile(
        rb"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|000[0-8bBcCeEfF]|001[0-9a-fA-F]|[fF]{3}[eEfF])"
    ),
    re.compile(rb"\xef\xbf[\xbe\xbf]"),
)


def _make_safe(node: Any) -> tuple[Any, int]:
    """The parsed JSON with unsafe characters replaced in every string; how many changed."""
    if isinstance(node, str):
        safe = safe_text(node)
        return safe, int(safe is not node)
    if isinstance(node, list):
        out, n = [], 0
        for item in node:
            value, k = _make_safe(item)
            out.append(value)
            n += k
        return out, n
    if isinstance(node, dict):
        result, n = {}, 0
        for key, item in node.items():
            value, k = _make_safe(item)
            result[safe_text(key)] = value
            n += k
        return result, n
    return node, 0


def read_fulltext(path: Path, *, body: bool = True) -> FullText:
    """Parse ``path``; raise :class:`FullTextError` with the reason if it is unusable.

    ``body=False`` leaves the body paragraphs out (``FullText.body`` is empty): cleaning
    them is a tenth of reading a parse, wasted when no step of the build reads them.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FullTextError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise FullTextError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise FullTextError(
            f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    unsafe = 0
    if any(pattern.search(raw) for pattern in _UNSAFE_RAW):
        doc, unsafe = _make_safe(doc)
    if not isinstance(doc, dict) or "paper_id" not in doc:
        raise FullTextError("not a CORD-19 parse: no top-level 'paper_id'")
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise FullTextError("'metadata' is not an object")
    paragraphs = [_text(p) for p in _list(doc.get("body_text"))]
    back = [_text(p) for p in _list(doc.get("back_matter"))]
    return FullText(
        paper_id=str(doc["paper_id"]),
        path=str(path),
        digest=hashlib.sha1(raw).hexdigest(),
        title=clean_title(str(meta.get("title") or "")),
        authors=[a for a in (_author(x) for x in _list(meta.get("authors"))) if a is not None],
        abstract=[
            t for t in (_strip_boilerplate(_text(p)) for p in _list(doc.get("abstract"))) if t
        ],
        body=[t for t in (_strip_boilerplate(p) for p in paragraphs) if t] if body else [],
        bib_entries=[
            b for b in (_bib(k, v) for k, v in _dict(doc.get("bib_entries")).items()) if b
        ],
        doi=_preprint_doi(paragraphs + back),
        unsafe_strings=unsafe,
    )


def _preprint_doi(paragraphs: list[str]) -> str:
    for text in paragraphs:
        match = _PREPRINT_DOI.search(text)
        if match is not None:
            return normalise_doi("".join(match.group(1).split()))
    return ""


#: a word every alternative of _BIB_BOILERPLATE contains (lower case): titles with none of
#: them are skipped, since the pattern's optional prefixes make re try it at every character
_BIB_HINTS = (
    "review", "copyright", "funder", "rxiv", "perpetuity", "available",
    "cc-by", "cc by", "licen", "reserved", "reuse", "doi.org",
)  # fmt: skip


def _bib_title(title: str) -> str:
    """A bibliography entry's title without the preprint boilerplate the parse mixed in."""
    low = title.lower()
    if not any(hint in low for hint in _BIB_HINTS):
        return " ".join(title.split())
    cleaned = _BIB_BOILERPLATE.sub(" ", title)
    if cleaned == title:
        return " ".join(title.split())
    cleaned = re.sub(r"\s+(?=[.,;:])", "", " ".join(cleaned.split()))
    return _BIB_LEFTOVER.sub("", cleaned.lstrip(" .,;:")).strip()


def _strip_boilerplate(text: str) -> str:
    if "preprint" in text:
        text = _sub_near(_BOILERPLATE, "copyright holder for this preprint", 80, text)
        text = _sub_near(_BOILERPLATE_TAIL, "rxiv preprint", 160, text)
    return " ".join(text.split())


def _sub_near(pattern: re.Pattern[str], anchor: str, before: int, text: str) -> str:
    """``pattern.sub(" ", text)``, trying the pattern only near each ``anchor`` (lower case).

    Both boilerplate patterns start with optional words, so ``re`` cannot skip
    ahead to a literal and tries them at every character: 60 us a paragraph.
    Every match contains its anchor at most ``before`` characters from its
    start, so searching from there finds the same matches in a few us.
    """
    low = text.lower()
    at = low.find(anchor)
    if at < 0:
        return text
    parts: list[str] = []
    done = 0
    while at >= 0:
        match = pattern.search(text, max(done, at - before))
        if match is None or match.start() > at:
            at = low.find(anchor, at + 1)
            continue
        parts.append(text[done : match.start()])
        parts.append(" ")
        done = match.end()  # never empty: every match holds its anchor
        at = low.find(anchor, max(done, at + 1))
    parts.append(text[done:])
    return "".join(parts)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(paragraph: Any) -> str:
    return str(paragraph.get("text") or "") if isinstance(paragraph, dict) else ""


def _author(entry: Any) -> AuthorRecord | None:
    if not isinstance(entry, dict):
        return None
    aff = _dict(entry.get("affiliation"))
    affiliations: tuple[Affiliation, ...] = ()
    institution = str(aff.get("institution") or "").strip()
    if institution:
        loc = _dict(aff.get("location"))
        affiliations = (
            Affiliation(
                institution=institution,
                laboratory=str(aff.get("laboratory") or "").strip(),
                location=Location(
                    settlement=str(loc.get("settlement") or "").strip(),
                    region=str(loc.get("region") or "").strip(),
                    country=str(loc.get("country") or "").strip(),
                ),
            ),
        )
    middle = tuple(str(m).strip() for m in _list(entry.get("middle")) if str(m).strip())
    return AuthorRecord(
        first=str(entry.get("first") or "").strip(),
        last=str(entry.get("last") or "").strip(),
        middle=middle,
        suffix=str(entry.get("suffix") or "").strip(),
        email=str(entry.get("email") or "").strip(),
        affiliations=affiliations,
    )


def _first_id(ids: dict[str, Any], key: str) -> str:
    value = ids.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _bib(key: str, entry: Any) -> BibEntry | None:
    if not isinstance(entry, dict):
        return None
    ids = _dict(entry.get("other_ids"))
    year = entry.get("year")
    return BibEntry(
        ref_id=str(entry.get("ref_id") or key),
        title=_bib_title(str(entry.get("title") or "")),
        year=year if isinstance(year, int) else None,
        venue=str(entry.get("venue") or "").strip(),
        doi=normalise_doi(_first_id(ids, "DOI")),
        pmid=normalise_pmid(_first_id(ids, "PMID")),
        pmcid=normalise_pmcid(_first_id(ids, "PMCID")),
        arxiv=_first_id(ids, "arXiv").strip(),
    )
