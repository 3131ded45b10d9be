"""Plain typed records read from a corpus; the rest of the pipeline consumes these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    """Where an institution is, as the full-text parse wrote it."""

    settlement: str = ""
    region: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Affiliation:
    institution: str
    laboratory: str = ""
    location: Location = field(default_factory=Location)


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """One author entry of one paper, before identity resolution."""

    first: str
    last: str
    middle: tuple[str, ...] = ()
    suffix: str = ""
    email: str = ""
    affiliations: tuple[Affiliation, ...] = ()


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One bibliography entry of a paper, kept only as far as resolution needs it."""

    ref_id: str
    title: str = ""
    year: int | None = None
    venue: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    arxiv: str = ""


@dataclass(slots=True)
class PaperRecord:
    """Everything the corpus says about one paper.

    ``paper_id`` is the cord_uid when a metadata row exists, else the SHA-1 of
    the full-text parse (the JSON ``paper_id``).
    """

    paper_id: str
    title: str = ""
    abstract: str = ""
    body: list[str] = field(default_factory=list)
    cord_uid: str = ""
    shas: tuple[str, ...] = ()
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    arxiv_id: str = ""
    s2_id: str = ""
    mag_id: str = ""
    who_covidence_id: str = ""
    publish_time: str = ""
    journal: str = ""
    license: str = ""
    urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: list[AuthorRecord] = field(default_factory=list)
    bib_entries: list[BibEntry] = field(default_factory=list)
    #: files this record was read from (for fingerprints and problem reports)
    files: tuple[str, ...] = ()
    #: a digest of the input this record was built from; changes when the input does
    fingerprint: str = ""
    has_full_text: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A piece of input that could not be used: where, and why."""

    source: str
    reason: str
    kind: str = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
