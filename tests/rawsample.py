"""Independent readings of the raw sample files, for tests to compare the graph against.

Deliberately written without importing ckg_rdf: plain csv/json/re (and rapidfuzz for the
similarity the rule is defined by) over the files, following the rules documented in
docs/identity.md. The citation rule is re-implemented here from that document, matching
every bibliography entry against every paper (no blocking index), so a test comparing the
two also checks that the project's blocking loses no candidate.
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Indel


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def strip_line_numbers(title: str) -> str:
    """Trailing PDF line numbers ("... infectious virus. 2 3") and footnote marks."""
    title = re.sub(r"(\s+\d{1,3}){2,}\s*$", "", " ".join(title.split()))
    return title.rstrip(" *†‡").strip()


def title_key(title: str) -> str:
    key = words(strip_line_numbers(title))
    return key if len(key) >= 20 and len(key.split()) >= 4 else ""


def doi_in(text: str) -> str:
    """docs/identity.md: the DOI wherever it sits, bioRxiv/medRxiv DOIs cut to their core."""
    found = re.search(r"10\.\d{4,9}/[^\s\"<>]+", text.lower())
    if not found:
        return ""
    doi = found.group(0)
    while True:
        trimmed = doi.rstrip(".,;:")
        if trimmed.endswith(")") and trimmed.count(")") > trimmed.count("("):
            trimmed = trimmed[:-1]
        elif trimmed.endswith("]") and trimmed.count("]") > trimmed.count("["):
            trimmed = trimmed[:-1]
        if trimmed == doi:
            break
        doi = trimmed
    if doi.startswith("10.1101/"):
        core = re.match(r"10\.1101/(?:\d{4}\.\d\d\.\d\d\.)?\d{6,8}(?!\d)", doi)
        if core:
            doi = core.group(0)
    return doi


def pmid_of(value: object) -> str:
    text = str(value).strip().removesuffix(".0")
    return text if text.isdigit() else ""


def pmcid_of(value: object) -> str:
    text = str(value).strip().upper()
    text = "PMC" + text if text.isdigit() else text
    return text if text.startswith("PMC") and text[3:].isdigit() else ""


# the copyright line every bioRxiv/medRxiv page prints; the parse may split its DOI after a dot
PREPRINT_DOI = re.compile(
    r"copyright holder for this preprint.{0,300}?https?://doi\.org/"
    r"(10\.1101/(?:\d{4}\.\s?\d\d\.\s?\d\d\.\s?)?\d{6,8})(?![\d.]\d)",
    re.I | re.S,
)


@dataclass
class RawBib:
    ref_id: str
    title: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    year: int | None = None


@dataclass
class RawPaper:
    pid: str
    doi: str = ""
    title: str = ""
    pmid: str = ""
    pmcid: str = ""
    year: int | None = None
    authors: list[tuple[str, str]] = field(default_factory=list)  # (last, first), source order
    authors_from: str = "metadata"  # or "parse": which file the author list was read from
    institutions: list[str] = field(default_factory=list)
    bib: list[RawBib] = field(default_factory=list)


def read_sample(root: Path) -> dict[str, RawPaper]:
    parses = {p.name[: -len(".json")]: p for p in root.glob("*/*.json")}
    papers: dict[str, RawPaper] = {}
    claimed: set[str] = set()
    with (root / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            paper = RawPaper(row["cord_uid"], doi_in(row["doi"]), row["title"])
            paper.pmid, paper.pmcid = pmid_of(row["pubmed_id"]), pmcid_of(row["pmcid"])
            if row["publish_time"][:4].isdigit():
                paper.year = int(row["publish_time"][:4])
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
            paper = RawPaper(sha, pmcid=sha if sha.startswith("PMC") else "")
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
            m = PREPRINT_DOI.search(para["text"])
            if m:
                paper.doi = re.sub(r"\s", "", m.group(1)).lower()
                break
    if paper.year is None and (m := re.match(r"10\.1101/(\d{4})\.", paper.doi)):
        paper.year = int(m.group(1))
    paper.bib = []
    for key, b in doc["bib_entries"].items():
        ids = b.get("other_ids") or {}

        def first(name: str, ids: dict = ids) -> str:
            return str((ids.get(name) or [""])[0] or "")

        year = b.get("year")
        paper.bib.append(
            RawBib(
                b.get("ref_id") or key,
                b.get("title") or "",
                doi_in(first("DOI")),
                pmid_of(first("PMID")),
                pmcid_of(first("PMCID")),
                year if isinstance(year, int) else None,
            )
        )


# --- the citation rule (docs/identity.md, "Citations") ---------------------------------------

BOILERPLATE = re.compile(
    "|".join(
        [
            r"\(?which was not (?:peer[- ]reviewed|certified by peer review)\)?",
            r"(?:the )?copyright holder for this preprint(?: is)?",
            r"(?:is )?(?:the )?author/funder",
            r",? ?who has granted (?:bio|med)rxiv a licen[cs]e"
            r"(?: to display the preprint in perpetuity)?",
            r"to display the preprint in perpetuity",
            r"(?:it )?is made available under an?(?: CC[-\w. ]*?)?(?: international)?"
            r"(?: licen[cs]e)?",
            r"CC[- ]BY(?:[- ](?:NC|ND|SA))*(?: \d\.\d)?(?: International)?(?: licen[cs]e)?",
            r"International licen[cs]e",
            r"all rights reserved",
            r"no reuse allowed without permission",
            r"doi: (?:bio|med)rxiv preprint",
            r"https?://doi\.org/\S*",
        ]
    ),
    re.I,
)


def bib_title(title: str) -> str:
    """A bibliography title without the copyright-line fragments, and what they leave dangling."""
    cleaned = BOILERPLATE.sub(" ", title)
    if cleaned == title:
        return " ".join(title.split())
    cleaned = re.sub(r"\s+(?=[.,;:])", "", " ".join(cleaned.split())).lstrip(" .,;:")
    cleaned = re.sub(r"(?:(?:^|[\s.,;:]+)(?:is(?: the)?|the))+[\s.,;:]*$|[\s,;:]+$", "", cleaned)
    return cleaned.strip()


GREEK = dict(
    zip(
        "αβγδεζηθικλμµνξπρστφχψω",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu mu nu xi pi rho "
        "sigma tau phi chi psi omega".split(),
        strict=True,
    )
)


def clean(title: str) -> str:
    """All titles: markup, "Title:", running titles and headings, a preprint server tail."""
    t = html.unescape(html.unescape(title))
    t = re.sub(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&lt;/?[A-Za-z]+&gt;?", "", t)
    t = re.sub(
        r"\\([A-Za-z]+)\*?\s*",
        lambda m: m.group(1) + " " if m.group(1).lower() in GREEK.values() else "",
        t,
    )
    t = " ".join(t.replace("$", "").replace("{", "").replace("}", "").split())
    t = re.sub(r"\s*\b(?:running|short|brief)\s+(?:head|title)\b\s*:?.*$", "", t, flags=re.I)
    for pattern in (
        r"\s+(?:Correspondence(?: to)?|Corresponding author|Significance Statement"
        r"|At a Glance Commentary|Summary Background|Author Summary|Abstract|Keywords)\b",
    ):
        m = re.search(pattern, t)
        if m and m.start() >= 20:
            t = t[: m.start()]
    t = re.sub(r"^\s*(?:(?:full|article)\s+)?title\s*:\s*", "", t, flags=re.I)
    t = re.sub(r"^\s*Title\s+(?=[A-Z0-9])", "", t)
    m = re.search(
        r"[\s.,;:(\[]+(?:the\s+)?(?:(?:bio|med|chem)rxiv|arxiv|ssrn|osf\s+preprints?)\b"
        r"|[.,;]\s*(?:in\s+)?preprints?\b(?!\s+server)|\s+preprint\s+(?:published|posted)\b",
        t,
        re.I,
    )
    if m and m.start() >= 20:
        t = t[: m.start()]
    return strip_line_numbers(t).rstrip(" .,;:([")


STOP = set(
    "a an the of in on for to and or with by from at as is are be been its their into via "
    "using use among between during after before under over than this that these those".split()
)


def fuzzy(title: str) -> str:
    t = "".join(GREEK.get(c, c) for c in title)
    t = fold(t)
    t = re.sub(r"(?<=[a-z0-9])-\s+(?=[a-z])", "", t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", "", t)
    return " ".join(re.findall(r"[a-z0-9]+", t))


def unify(f: str) -> str:
    """Every name of SARS-CoV-2 / COVID-19 as "covid19"."""
    f = re.sub(
        r"\b(?:coronavirus disease (?:2019|19)|2019 novel coronavirus|novel coronavirus 2019"
        r"|sars cov 2|2019ncov|ncov2019|covid19|covid2019|sarscov2|hcov19)\b",
        "covid19",
        f,
    )
    f = re.sub(r"\bnovel coronavirus covid19\b", "covid19", f)
    return re.sub(r"\bcovid19(?: covid19)+\b", "covid19", f)


def content(f: str) -> list[str]:
    return [w for w in f.split() if w not in STOP and not w.isdigit()]


def takes_part(f: str) -> bool:
    return len(f) >= 20 and len(content(f)) >= 3


PART = re.compile(
    r"\b(?:[Pp]art|PART|[Vv]ol|[Vv]olume|[Ss]ection|[Cc]hapter|[Ss]eries|[Ss]upplement)\b"
    r"|\b(?:II|III|IV|VI|VII|VIII|IX|XI|XII)\b"
)


def venue_like(part: str) -> bool:
    ws = part.split()
    if not ws or len(ws) > 8 or PART.search(part):
        return False
    journal = (
        "j journal proc proceedings natl acad sci science nature lancet jama bmj nejm plos bmc "
        "med medicine rev res lett ann arch bull bulletin clin infect dis virol immunol microbiol "
        "epidemiol biol chem radiology eurosurveillance elife cell internet electronic online "
        "epub print"
    ).split()
    if re.search(r"\b(?:19|20)\d\d\b", part) or any(
        re.search(rf"\b{w}\b", part, re.I) for w in journal
    ):
        return True
    return len(ws) <= 6 and all(
        w[0].isupper() or w[0] in "([" or w.isdigit() or w.lower() in STOP for w in ws
    )


def authors_like(part: str) -> bool:
    ws = part.replace(",", " ").split()
    if not ws or len(ws) > 8:
        return False
    return bool(re.search(r"\bet al\b|\band others\b", part)) or all(
        w[0].isupper() or w.lower() in ("and", "others") for w in ws
    )


def variants(title: str) -> list[str]:
    parts = re.split(r"(?<=[\w)\]?!])[.?!]*\.\s+(?=\S)|\s+\((?:19|20)\d\d\)\s+", title)
    heads = [parts] + ([parts[1:]] if len(parts) > 1 and authors_like(parts[0]) else [])
    out: list[str] = []
    for head in heads:
        for n in range(len(head), 0, -1):
            f = fuzzy(" ".join(head[:n]))
            if takes_part(f) and f not in out:
                out.append(f)
            if n == 1 or not venue_like(head[n - 1]):
                break
    return out


def stem(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def runs(ws: list[str]) -> list[tuple[range, str]]:
    return [
        (range(i, i + n), stem("".join(ws[i : i + n])))
        for n in (2, 3)
        for i in range(len(ws) - n + 1)
    ]


def swaps(w: str) -> set[str]:
    """``w`` with two adjacent letters swapped, every way."""
    if len(w) < 4:
        return set()
    return {
        w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        for i in range(len(w) - 1)
        if w[i].isalpha() and w[i + 1].isalpha() and w[i] != w[i + 1]
    }


def left_over(ws: list[str], other: list[str]) -> list[str]:
    """The words of ``ws`` (not stop words) that ``other`` does not match, one by one."""
    unused = Counter(stem(w) for w in other if w not in STOP)
    singles = {stem(w) for w in other}
    joined = {s for _, s in runs(other)}
    covered = {i for r, s in runs(ws) if s in singles for i in r}
    out = []
    for i, w in enumerate(ws):
        if w in STOP:
            continue
        if unused[stem(w)] > 0:
            unused[stem(w)] -= 1
            continue
        if i in covered or stem(w) in joined:
            continue
        s = stem(w)
        if (
            len(s) >= 5
            and not re.search(r"\d", w)
            and any(
                o != s
                and len(o) >= 5
                and not re.search(r"\d", o)
                and Indel.normalized_similarity(s, o) >= 0.85
                for o in singles
            )
        ):
            continue
        if swaps(w) & set(other) or swaps(s) & singles:
            continue
        out.append(w)
    return out


def agree(a: str, b: str) -> bool:
    la, lb = left_over(a.split(), b.split()), left_over(b.split(), a.split())
    if any(not w.isdigit() for w in la + lb):
        return False
    return not (la and lb)


def parts_at_breaks(title: str) -> set[str]:
    parts = [p for p in re.split(r"[,;:.!?]+\s+|\s+[-–—]+\s+|\s*[()\[\]]+\s*", title) if p.strip()]
    fs = set()
    for k in range(1, len(parts)):
        head, tail = " ".join(parts[:k]), " ".join(parts[k:])
        if not PART.search(tail):
            fs.add(fuzzy(head))
        if not PART.search(head):
            fs.add(fuzzy(tail))
    return fs | {unify(f) for f in fs}


def score(ref: str, n_words: int, title: str, clean_title: str) -> float | None:
    best = None
    if Indel.normalized_similarity(ref, title) >= 0.9 and agree(ref, title):
        best = Indel.normalized_similarity(ref, title)
    L = len(ref)
    if not (30 <= L < len(title) and 2 * L >= len(title) and n_words >= 4):
        return best
    if re.search(
        r"\b(?:working group|study group|consortium|collaborat\w*|investigators|committee"
        r"|centre|center|institute|organi[sz]ation|ministry|department)\b",
        ref,
    ):
        return best
    slack = max(4, L // 10)
    spaces = [i for i, c in enumerate(title) if c == " "]
    cuts = [(title[:i], True) for i in spaces if abs(i - L) <= slack]
    cuts += [(title[i + 1 :], False) for i in spaces if abs(len(title) - i - 1 - L) <= slack]
    for window, at_start in cuts:
        s = Indel.normalized_similarity(ref, window)
        if s < 0.9 or (best is not None and s <= best) or not agree(ref, window):
            continue
        rest = title.removeprefix(window) if at_start else title.removesuffix(window)
        if re.search(
            r"\b(?:part|vol|volume|section|chapter|series|supplement|ii|iii|iv|vi|vii|viii|ix"
            r"|xi|xii)\b",
            rest,
        ):
            continue
        if (
            n_words >= 6
            or (at_start and ref.split()[-1] in STOP)
            or window in parts_at_breaks(clean_title)
        ):
            best = s
    return best


def expected_resolutions(papers: dict[str, RawPaper]) -> dict[tuple[str, str], tuple[str, str]]:
    """(citing, ref_id) -> (cited, method) for every bibliography entry that resolves."""
    index: dict[str, dict[str, list[str]]] = {k: {} for k in ("doi", "pmid", "pmcid", "title")}
    clean_titles = {pid: clean(p.title) for pid, p in papers.items()}
    for pid, p in papers.items():
        for key, value in (
            ("doi", p.doi),
            ("pmid", p.pmid),
            ("pmcid", p.pmcid),
            ("title", title_key(clean_titles[pid])),
        ):
            if value:
                index[key].setdefault(value, []).append(pid)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    unresolved: list[tuple[str, RawBib, str]] = []
    for pid, p in papers.items():
        for b in p.bib:
            title = clean(bib_title(b.title))
            keys = [
                ("doi", b.doi if b.doi != p.doi or not p.doi else ""),
                ("pmid", b.pmid if b.pmid != p.pmid or not p.pmid else ""),
                ("pmcid", b.pmcid if b.pmcid != p.pmcid or not p.pmcid else ""),
                ("title_key", title_key(title)),
            ]
            for method, value in keys:
                found = index["title" if method == "title_key" else method].get(value, [])
                if value and len(found) == 1:
                    if found[0] != pid:
                        out[(pid, b.ref_id)] = (found[0], method)
                    break
                if value and method == "title_key" and len(found) > 1:
                    break  # a shared title: ambiguous, not tried fuzzily either
            else:
                if title:
                    unresolved.append((pid, b, title))

    # fuzzy titles, every entry against every paper
    cands = [pid for pid in papers if takes_part(fuzzy(clean_titles[pid]))]
    plain = [fuzzy(clean_titles[pid]) for pid in cands]
    unified = [unify(f) for f in plain]
    forms = []  # (entry number, form, content words of the form as written, unified?)
    for n, (_, _, title) in enumerate(unresolved):
        for v in variants(title):
            forms.append((n, v, len(content(v)), False))
            if unify(v) != v:
                forms.append((n, unify(v), len(content(v)), True))
            else:
                forms.append((n, v, len(content(v)), True))
    if not forms:
        return out
    # the LCS of a form with a title bounds what any cut of that title can score
    lcs_plain = process.cdist([f for _, f, _, u in forms], plain, scorer=Indel.distance)
    lcs_unified = process.cdist([f for _, f, _, u in forms], unified, scorer=Indel.distance)
    scores: dict[int, dict[int, float]] = {}
    for row, (n, form, n_words, is_unified) in enumerate(forms):
        titles = unified if is_unified else plain
        dist = (lcs_unified if is_unified else lcs_plain)[row]
        for j, title in enumerate(titles):
            if is_unified and title == plain[j] and form == forms[row - 1][1]:
                continue  # nothing to unify: the plain comparison said it all
            lcs = (len(form) + len(title) - dist[j]) / 2
            L = len(form)
            if 2 * lcs / (L + len(title)) < 0.9 and not (
                30 <= L < len(title) and 2 * lcs / (2 * L - max(4, L // 10)) >= 0.9
            ):
                continue
            s = score(form, n_words, title, clean_titles[cands[j]])
            if s is not None and s > scores.setdefault(n, {}).get(j, 0.0):
                scores[n][j] = s
    for n, by_paper in scores.items():
        pid, b, _ = unresolved[n]
        ranked = sorted(((s, cands[j]) for j, s in by_paper.items()), reverse=True)
        tied = [c for s, c in ranked if s >= ranked[0][0] - 0.02]
        if len(tied) > 1 and b.year is not None and all(papers[c].year for c in tied):
            near = [c for c in tied if abs(papers[c].year - b.year) <= 1]
            tied = near if len(near) == 1 else tied
        shared = len(index["title"].get(title_key(clean_titles[tied[0]]), [])) > 1
        if len(tied) == 1 and tied[0] != pid and not shared:
            out[(pid, b.ref_id)] = (tied[0], "title_fuzzy")
    return out


def expected_citations(papers: dict[str, RawPaper]) -> set[tuple[str, str]]:
    return {(citing, cited) for (citing, _), (cited, _) in expected_resolutions(papers).items()}
