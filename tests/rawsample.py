"""Independent readings of the raw sample files, for tests to compare the graph against.

Deliberately written without importing ckg_rdf: plain csv/json/re over the files,
following the rules documented in docs/identity.md and ckg_rdf/extract/citations.py.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def title_key(title: str) -> str:
    title = re.sub(r"(\s+\d{1,3}){2,}\s*$", "", " ".join(title.split()))
    key = words(title)
    return key if len(key) >= 20 and len(key.split()) >= 4 else ""


PREPRINT_DOI = re.compile(
    r"copyright holder for this preprint.{0,300}?https?://doi\.org/(10\.1101/\S+)", re.I | re.S
)


@dataclass
class RawPaper:
    pid: str
    doi: str = ""
    title: str = ""
    authors: list[tuple[str, str]] = field(default_factory=list)  # (last, first), source order
    authors_from: str = "metadata"  # or "parse": which file the author list was read from
    institutions: list[str] = field(default_factory=list)
    bib: list[tuple[str, str]] = field(default_factory=list)  # (doi, title)


def read_sample(root: Path) -> dict[str, RawPaper]:
    parses = {p.name[: -len(".json")]: p for p in root.glob("*/*.json")}
    papers: dict[str, RawPaper] = {}
    claimed: set[str] = set()
    with (root / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            paper = RawPaper(row["cord_uid"], row["doi"].lower(), row["title"])
            paper.authors = [
                (a.split(",")[0].strip(), a.partition(",")[2].strip())
                for a in row["authors"].split(";")
                if a.strip()
            ]
            shas = [s.strip() for s in row["sha"].split(";") if s.strip()]
            claimed.update(shas)
            for sha in shas:
                if sha in parses:
                    _add_parse(paper, json.loads(parses[sha].read_bytes()), from_row=True)
                    break
            papers[paper.pid] = paper
    for sha, path in parses.items():
        if sha not in claimed:
            paper = RawPaper(sha)
            _add_parse(paper, json.loads(path.read_bytes()), from_row=False)
            papers[sha] = paper
    return papers


def _add_parse(paper: RawPaper, doc: dict, from_row: bool) -> None:
    if not from_row or not paper.title:
        paper.title = doc["metadata"]["title"]
    if doc["metadata"]["authors"]:
        paper.authors = [(a["last"], a["first"]) for a in doc["metadata"]["authors"]]
        paper.authors_from = "parse"
        paper.institutions = [
            a["affiliation"]["institution"]
            for a in doc["metadata"]["authors"]
            if a.get("affiliation", {}).get("institution", "").strip()
            and re.search(r"[A-Za-z]", a["last"])
        ]
    if not paper.doi:
        for para in doc["body_text"] + doc["back_matter"]:
            for m in PREPRINT_DOI.finditer(para["text"]):
                doi = m.group(1).rstrip(".")
                if re.fullmatch(r"10\.1101/(\d{4}\.\d{2}\.\d{2}\.)?\d{6,}", doi):
                    paper.doi = doi.lower()
                    break
            if paper.doi:
                break
    paper.bib = [
        ((b.get("other_ids", {}).get("DOI") or [""])[0].lower(), b.get("title", ""))
        for b in doc["bib_entries"].values()
    ]


def expected_citations(papers: dict[str, RawPaper]) -> set[tuple[str, str]]:
    by_doi: dict[str, list[str]] = {}
    by_title: dict[str, list[str]] = {}
    for p in papers.values():
        if p.doi:
            by_doi.setdefault(p.doi, []).append(p.pid)
        if title_key(p.title):
            by_title.setdefault(title_key(p.title), []).append(p.pid)
    edges = set()
    for p in papers.values():
        for doi, title in p.bib:
            cited = None
            if doi and len(by_doi.get(doi, [])) == 1:
                cited = by_doi[doi][0]
            elif title_key(title) and len(by_title.get(title_key(title), [])) == 1:
                cited = by_title[title_key(title)][0]
            if cited and cited != p.pid:
                edges.add((p.pid, cited))
    return edges
