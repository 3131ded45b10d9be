"""Normalising identifiers and titles so the same thing compares equal."""

from __future__ import annotations

import re
import unicodedata

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_TRAILING_LINE_NUMBERS = re.compile(r"(?:\s+\d{1,3}){2,}\s*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


#: characters RDF/XML, SPARQL XML results and pyoxigraph cannot carry: C0 controls but
#: tab/newline/return, lone surrogates (from ``"\ud800"`` escapes in JSON), U+FFFE/U+FFFF
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def safe_text(text: str) -> str:
    """``text`` with every character RDF or XML cannot carry replaced by U+FFFD."""
    return _UNSAFE.sub("\ufffd", text) if _UNSAFE.search(text) else text


def ascii_fold(text: str) -> str:
    """Strip accents: 'Müller' -> 'Muller'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalise_doi(doi: str) -> str:
    doi = _DOI_PREFIX.sub("", doi.strip()).strip().lower()
    return doi if doi.startswith("10.") and "/" in doi else ""


def normalise_pmid(pmid: str | int) -> str:
    text = str(pmid).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text if text.isdigit() else ""


def normalise_pmcid(pmcid: str) -> str:
    text = pmcid.strip().upper()
    if text.isdigit():
        text = "PMC" + text
    return text if text.startswith("PMC") and text[3:].isdigit() else ""


def normalise_numeric_id(value: str) -> str:
    """pandas turned integer ids into floats ('220118792.0'); undo that."""
    text = value.strip()
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def clean_title(title: str) -> str:
    """Remove PDF-parse noise from a title: trailing line numbers and footnote marks."""
    title = " ".join(title.split())
    title = _TRAILING_LINE_NUMBERS.sub("", title)
    return title.rstrip(" *†‡").strip()


def title_key(title: str) -> str:
    """A key under which two spellings of the same title compare equal.

    Lower-cased, accents stripped, punctuation removed. Titles shorter than
    four words or 20 characters give no key: "Introduction" or "Editorial"
    would otherwise join unrelated papers.
    """
    key = _NON_ALNUM.sub(" ", ascii_fold(clean_title(title)).lower()).strip()
    if len(key) < 20 or key.count(" ") < 3:
        return ""
    return key


def slug(text: str) -> str:
    """A lower-case ASCII slug for use in an IRI segment."""
    return _NON_ALNUM.sub("-", ascii_fold(text).lower()).strip("-")
