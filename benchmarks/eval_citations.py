"""Precision and recall of the citation resolver against an independent reference resolver.

The reference is written here from scratch, without the project's code: it reads
metadata.csv and the JSON parses itself, cleans bibliography titles with its own
hand-written rules (boilerplate, "Title:" prefixes, a hand list of venues and
preprint servers, author names before the title, markup, hyphenation), matches
DOIs (found anywhere in the identifier string, the citing paper's own ignored)
and then titles by brute force over every (entry, paper) pair with rapidfuzz:
whole titles at ratio >= 90, or a reference cut short (at least half of the
title, four words) matching the start or the end of a title at partial ratio
>= 95; in both cases every word of one title must be found in the other (typos
allowed, numbers may differ on one side only) and the best paper must be unique.

The project's resolver (``CitationIndex``: exact keys, then fuzzy titles behind
its blocking index) runs on the same corpus; the script prints its counts by
key and score band, its time per entry, precision and recall per bibliography
entry and per cites edge against the reference, and every disagreement, for
checking by hand.

    python benchmarks/eval_citations.py [CORPUS ...] [--sample N] [--seed S]

Default corpora: ../shared/cord19-sample (if present) and examples/cord19-sample.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import random
import re
import sqlite3
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# --- the reference resolver (no ckg_rdf code) --------------------------------------------


@dataclass
class Paper:
    pid: str
    title: str = ""
    doi: str = ""
    bib: list[tuple[str, str, str]] = field(default_factory=list)  # (ref_id, title, doi)


OWN_DOI = re.compile(
    r"copyright holder for this preprint.{0,300}?https?://doi\.org/(10\.1101/[\d.\s]{6,40})",
    re.I | re.S,
)


def own_doi(doc: dict) -> str:
    for para in doc.get("body_text", []) + doc.get("back_matter", []):
        m = OWN_DOI.search(para.get("text", ""))
        if m:
            # the parse may break the DOI after a dot: "10.1101/2020.02. 10.20021725"
            squeezed = re.sub(r"(?<=\.)\s+(?=\d)", "", m.group(1))
            core = re.match(r"10\.1101/(\d{4}\.\d\d\.\d\d\.\d{6,8}|\d{6,8})(?!\d)", squeezed)
            if core:
                return core.group(0).lower()
    return ""


def pick_doi(raw: str) -> str:
    m = re.search(r"10\.\d{4,9}/\S+", raw.lower())
    if not m:
        return ""
    doi = m.group(0).rstrip(".,;")
    if doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1]
    if doi.startswith("10.1101/"):
        core = re.match(r"10\.1101/(\d{4}\.\d\d\.\d\d\.\d{6,8}|\d{6,8})(?!\d)", doi)
        doi = core.group(0) if core else doi
    return doi


def read_reference_corpus(root: Path) -> dict[str, Paper]:
    parses = {p.stem: p for p in root.rglob("*.json")}
    papers: dict[str, Paper] = {}
    claimed: set[str] = set()

    def add_parse(paper: Paper, doc: dict, from_row: bool) -> None:
        if not from_row or not paper.title:
            paper.title = doc["metadata"].get("title", "")
        paper.doi = paper.doi or own_doi(doc)
        paper.bib = [
            (
                b.get("ref_id") or key,
                b.get("title", ""),
                pick_doi((b.get("other_ids", {}).get("DOI") or [""])[0]),
            )
            for key, b in doc.get("bib_entries", {}).items()
        ]

    meta = root / "metadata.csv"
    if meta.exists():
        with meta.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                paper = Paper(row["cord_uid"], row["title"], pick_doi(row["doi"]))
                shas = [s.strip() for s in row["sha"].split(";") if s.strip()]
                claimed.update(shas)
                for sha in shas:
                    if sha in parses:
                        add_parse(paper, json.loads(parses[sha].read_bytes()), from_row=True)
                        break
                papers[paper.pid] = paper
    for sha, path in sorted(parses.items()):
        if sha not in claimed:
            paper = Paper(sha)
            add_parse(paper, json.loads(path.read_bytes()), from_row=False)
            papers[sha] = paper
    return papers


BOILERPLATE = [
    r"\(?which was not (?:peer[- ]reviewed|certified by peer review)\)?",
    r"(?:the )?copyright holder for this preprint",
    r"(?:is )?(?:the )?author/funder",
    r"who has granted (?:bio|med)rxiv a licen[cs]e to display the preprint in perpetuity",
    r"(?:it )?is made available under an?",
    r"cc[- ]by[-a-z ]*\d\.\d( international)?( licen[cs]e)?",
    r"international licen[cs]e",
    r"all rights reserved",
    r"no reuse allowed without permission",
    r"doi: (?:bio|med)rxiv preprint",
]
# venues and preprint servers seen appended to titles in CORD-19 parses (hand list)
VENUES = [
    r"(?:the )?(?:bio|med|chem)rxiv",
    r"arxiv",
    r"ssrn",
    r"preprints?(?: published| at)?",
    r"the lancet(?: [a-z ]+)?",
    r"lancet",
    r"radiology",
    r"science \(80",
    r"jama",
    r"n engl j med",
    r"nature",
    r"eurosurveillance",
    r"euro surveill",
    r"emerging infectious diseases",
    r"influenza (?:and )?other respir(?:atory|\.)? viruses",
    r"open biology",
    r"statistics in medicine",
    r"bulletin of",
    r"infect dis poverty",
    r"clin infect dis",
    r"j med virol",
    r"plos one",
    r"\d{4}\.?$",
]
VENUE_TAIL = re.compile(r"[.,;]\s*\[?(?:" + "|".join(VENUES) + r")\b.*$", re.I | re.S)
AUTHOR_HEAD = re.compile(
    r"^(?:[^.]{2,60}?(?:,\s*and others|\bet al)\.|[^.]{2,60}?\((?:19|20)\d\d\)"
    r"|(?:[A-Z][A-Za-z-]+,?\s+(?:and\s+)?){1,4}[A-Z][A-Za-z-]+\.)\s+(?=[A-Z])"
)
GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "µ": "mu", "μ": "mu"}
COVID = re.compile(
    r"\b(?:(?:novel )?coronavirus (?:2019ncov|covid19|sarscov2)|2019 novel coronavirus|"
    r"coronavirus disease 2019|2019ncov|covid19|sarscov2|sars cov 2)\b"
)
STOP = set("a an the of in on for to and or with by from at as is are its into via using".split())


def ref_clean(title: str) -> str:
    """The reference's own cleaning of a title, then its comparison form."""
    t = html.unescape(title)
    t = re.sub(r"<[^>]*>", "", t)
    for pattern in BOILERPLATE:
        t = re.sub(pattern, " ", t, flags=re.I)
    t = " ".join(t.split()).strip(" .,;:")
    t = re.sub(r"^(?:[Tt]itle\s*:\s*|TITLE\s*:\s*|Title\s+(?=[A-Z]))", "", t)
    t = re.sub(r"\s*(?:running|brief|short) title\b.*$", "", t, flags=re.I)
    for _ in range(2):
        m = VENUE_TAIL.search(t)
        if m and m.start() >= 20:
            t = t[: m.start()]
    m = AUTHOR_HEAD.match(t)
    if m and len(t[m.end() :].split()) >= 5:
        t = t[m.end() :]
    for k, v in GREEK.items():
        t = t.replace(k, v)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    t = re.sub(r"(?<=[A-Za-z0-9])-\s*(?=[a-z0-9])", "", t).lower()  # not "coronavirus-The"
    t = " ".join(re.findall(r"[a-z0-9]+", t))
    t = COVID.sub("covid19", t)
    t = re.sub(r"\bcovid19( covid19)+\b", "covid19", t)
    return re.sub(r"(?:\s+\d{1,3}){2,}$", "", t)


def words_of(t: str) -> list[str]:
    return [w for w in t.split() if w not in STOP]


def same_words(a: str, b: str) -> bool:
    """Every word of each side has a counterpart in the other; numbers may be extra on one side."""

    def lost(x: str, y: str) -> tuple[list[str], list[str]]:
        ys = words_of(y)
        joined = {"".join(ys[i : i + n]) for n in (2, 3) for i in range(len(ys))}
        xs = words_of(x)
        xjoined = {
            i
            for n in (2, 3)
            for s in range(len(xs) - n + 1)
            if "".join(xs[s : s + n]) in ys
            for i in range(s, s + n)
        }
        words, numbers = [], []
        for i, w in enumerate(xs):
            if i in xjoined or w in ys or w in joined:
                continue
            if w.isdigit():
                numbers.append(w)
            elif any(ch.isdigit() for ch in w) or not any(
                fuzz.ratio(w.rstrip("s"), v.rstrip("s")) >= 85 for v in ys + list(joined)
            ):
                words.append(w)
        return words, numbers

    wa, na = lost(a, b)
    wb, nb = lost(b, a)
    return not wa and not wb and not (na and nb)


def reference_resolve(papers: dict[str, Paper]) -> dict[tuple[str, str], tuple[str, str]]:
    """(citing, ref_id) -> (cited, how) for every entry the reference resolves."""
    by_doi: dict[str, list[str]] = {}
    for p in papers.values():
        if p.doi:
            by_doi.setdefault(p.doi, []).append(p.pid)
    pids = [p.pid for p in papers.values()]
    forms = [ref_clean(p.title) for p in papers.values()]
    ok = [len(f) >= 20 and len(words_of(f)) >= 3 for f in forms]
    out: dict[tuple[str, str], tuple[str, str]] = {}
    pending = []
    for p in papers.values():
        for ref_id, title, doi in p.bib:
            if doi and doi != p.doi and len(by_doi.get(doi, [])) == 1:
                if by_doi[doi][0] != p.pid:
                    out[(p.pid, ref_id)] = (by_doi[doi][0], "doi")
                continue
            form = ref_clean(title)
            if len(form) >= 20 and len(words_of(form)) >= 3:
                pending.append((p.pid, ref_id, form))
    if not pending:
        return out
    scores = process.cdist(
        [f for *_, f in pending], forms, scorer=fuzz.ratio, score_cutoff=90, workers=2
    )
    by_len = sorted(range(len(forms)), key=lambda i: len(forms[i]))
    for row, (citing, ref_id, form) in enumerate(pending):
        hits = [(scores[row, j], j) for j in scores[row].nonzero()[0] if ok[j]]
        hits = [(s, j) for s, j in hits if same_words(form, forms[j])]
        how = "title"
        if not hits and len(form) >= 30 and len(words_of(form)) >= 4:
            # cut short: the reference is the start or the end of a title up to twice as long
            band = [j for j in by_len if ok[j] and len(form) < len(forms[j]) <= 2 * len(form)]
            for _, s, j in process.extract(
                form,
                {j: forms[j] for j in band},
                scorer=fuzz.partial_ratio,
                score_cutoff=95,
                limit=None,
            ):
                al = fuzz.partial_ratio_alignment(form, forms[j])
                title = forms[j]
                head = title[: al.dest_start] if al else ""
                words = head.split() if head.endswith(" ") else head.split()[:-1]
                at_start = al is not None and all(w in STOP for w in words)
                if al is None or (not at_start and al.dest_end < len(title) - 2):
                    continue
                if same_words(form, title[al.dest_start : al.dest_end]):
                    hits.append((s, j))
            how = "title (truncated)"
        if not hits:
            continue
        hits.sort(reverse=True)
        if len(hits) > 1 and hits[1][0] >= hits[0][0] - 2:
            continue
        cited = pids[hits[0][1]]
        if cited != citing:
            out[(citing, ref_id)] = (cited, how)
    return out


# --- the project's resolver ----------------------------------------------------------------


def project_resolve(root: Path):  # type: ignore[no-untyped-def]
    from ckg_rdf.corpus.layout import CorpusLayout
    from ckg_rdf.corpus.reader import read_corpus
    from ckg_rdf.corpus.records import PaperRecord
    from ckg_rdf.extract.citations import CitationIndex

    papers = [p for p in read_corpus(CorpusLayout.discover(root)) if isinstance(p, PaperRecord)]
    index = CitationIndex(sqlite3.connect(":memory:"))
    t0 = time.perf_counter()
    index.add_papers(papers)
    t1 = time.perf_counter()
    resolutions = list(index.resolve())
    t2 = time.perf_counter()
    return papers, index.count_refs(), resolutions, t1 - t0, t2 - t1


# --- comparison ----------------------------------------------------------------------------


def evaluate(root: Path, sample: int, seed: int) -> None:
    from ckg_rdf.extract.citations import report_counts

    print(f"\n== {root}")
    papers, entries, resolutions, t_add, t_resolve = project_resolve(root)
    titles = {p.paper_id: p.title for p in papers}
    bib_titles = {(p.paper_id, b.ref_id): b.title for p in papers for b in p.bib_entries}
    mine = {(r.citing, r.ref_id): r for r in resolutions}
    print(
        f"{len(papers)} papers, {entries} bibliography entries; project: {len(mine)} entries"
        f" resolved -> {len({(r.citing, r.cited) for r in resolutions})} cites edges"
    )
    print(
        f"  time: index {t_add:.2f} s + resolve {t_resolve:.2f} s = "
        f"{1000 * (t_add + t_resolve) / max(entries, 1):.3f} ms per entry"
    )
    for key, n in report_counts(resolutions).items():
        print(f"  {key:<36}{n:>6}")

    t0 = time.perf_counter()
    ref = reference_resolve(read_reference_corpus(root))
    t_ref = time.perf_counter() - t0
    hows: dict[str, int] = {}
    for _, how in ref.values():
        hows[how] = hows.get(how, 0) + 1
    ref_edges = {(c, cited) for (c, _), (cited, _) in ref.items()}
    print(
        f"reference: {len(ref)} entries -> {len(ref_edges)} edges in {t_ref:.1f} s ("
        + ", ".join(f"{k} {v}" for k, v in sorted(hows.items()))
        + ")"
    )

    my_entries = {k: r.cited for k, r in mine.items()}
    ref_entries = {k: v[0] for k, v in ref.items()}
    tp = sum(1 for k, v in my_entries.items() if ref_entries.get(k) == v)
    my_edges = {(r.citing, r.cited) for r in resolutions}
    tp_e = len(my_edges & ref_edges)
    print(
        f"entries: precision {tp / max(len(my_entries), 1):.4f} ({tp}/{len(my_entries)}), "
        f"recall {tp / max(len(ref_entries), 1):.4f} ({tp}/{len(ref_entries)})"
    )
    print(
        f"edges:   precision {tp_e / max(len(my_edges), 1):.4f} ({tp_e}/{len(my_edges)}), "
        f"recall {tp_e / max(len(ref_edges), 1):.4f} ({tp_e}/{len(ref_edges)})"
    )

    def show(key: tuple[str, str], cited: str, note: str) -> None:
        print(f"  [{note}] {key[0][:12]} {key[1]} -> {cited[:12]}")
        print(f"      entry: {bib_titles.get(key, '')[:150]}")
        print(f"      paper: {titles.get(cited, '')[:150]}")

    only_mine = sorted(k for k, v in my_entries.items() if ref_entries.get(k) != v)
    only_ref = sorted(k for k, v in ref_entries.items() if my_entries.get(k) != v)
    print(f"\nonly the project ({len(only_mine)}):")
    for k in only_mine:
        r = mine[k]
        show(k, r.cited, f"{r.method} {r.score:.3f}")
    print(f"\nonly the reference ({len(only_ref)}):")
    for k in only_ref:
        show(k, ref_entries[k], ref[k][1])
    fuzzy = sorted(k for k, r in mine.items() if r.method == "title_fuzzy")
    if sample and fuzzy:
        rng = random.Random(seed)
        picked = rng.sample(fuzzy, min(sample, len(fuzzy)))
        print(
            f"\nrandom fuzzy links to check by hand ({len(picked)} of {len(fuzzy)}, seed {seed}):"
        )
        for k in sorted(picked):
            r = mine[k]
            agreed = "agreed" if ref_entries.get(k) == r.cited else "project only"
            show(k, r.cited, f"{r.score:.3f}, {agreed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="print N random fuzzy links")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    corpora = args.corpora or [
        p
        for p in (ROOT.parent / "shared/cord19-sample", ROOT / "examples/cord19-sample")
        if p.exists()
    ]
    for root in corpora:
        evaluate(root, args.sample, args.seed)


if __name__ == "__main__":
    main()
