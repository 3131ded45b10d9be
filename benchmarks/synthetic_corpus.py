"""Make a CORD-19-shaped corpus of any size from the real sample's text (for bench_scale).

    python benchmarks/synthetic_corpus.py OUT --papers 100000

Every paper gets a metadata row in the final release's 19-column format;
``--full-text`` of them (0.4 by default, about the final release's share) also
get a PDF parse in ``document_parses/pdf_json/<sha>.json``, and ``--orphans``
parses have no row at all (they exercise the unclaimed-parse partitions).
The text is real: titles are spliced from two real titles (so they stay
distinct), abstracts are real sentences shuffled across papers, bodies and
author lists are those of the sample's parses. About one bibliography entry
in five is rewritten to cite another synthetic paper by its title (and one in
three of those by its DOI too), so citation resolution has real work.

Deterministic for a given ``--seed``; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "cord19-sample"
COLUMNS = (
    "cord_uid", "sha", "source_x", "title", "doi", "pmcid", "pubmed_id", "license",
    "abstract", "publish_time", "authors", "journal", "mag_id", "who_covidence_id",
    "arxiv_id", "pdf_json_files", "pmc_json_files", "url", "s2_id",
)  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def cord_uid(i: int) -> str:
    """An 8-character id like CORD-19's, distinct for each ``i``."""
    out = []
    for _ in range(8):
        i, r = divmod(i, 36)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _read_source(source: Path) -> tuple[list[dict[str, str]], list[dict]]:
    csv.field_size_limit(2**31 - 1)
    with (source / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("title")]
    parses = [json.loads(p.read_text()) for p in sorted(source.rglob("*.json"))]
    parses = [p for p in parses if p.get("body_text")]
    return rows, parses


def _splice(a: str, b: str) -> str:
    wa, wb = a.split(), b.split()
    return " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])


def generate(
    out: Path, papers: int, full_text: float, orphans: int, seed: int, source: Path
) -> dict:
    rng = random.Random(seed)
    rows, parses = _read_source(source)
    sentences = [s for r in rows for s in _SENTENCE.split(r.get("abstract", "")) if len(s) > 20]
    parse_dir = out / "document_parses" / "pdf_json"
    parse_dir.mkdir(parents=True, exist_ok=True)
    titles: list[str] = []
    dois: list[str] = []
    n_parses = 0
    with (out / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(papers + orphans):
            base = rows[i % len(rows)]
            title = (
                base["title"]
                if i < len(rows)
                else _splice(base["title"], rng.choice(rows)["title"])
            )
            abstract = " ".join(rng.sample(sentences, rng.randint(3, 9)))
            doi = f"10.5555/synthetic.{i}"
            sha = hashlib.sha1(f"synthetic-{seed}-{i}".encode()).hexdigest()
            has_text = i >= papers or rng.random() < full_text
            if has_text:
                _write_parse(parse_dir / f"{sha}.json", sha, title, abstract, rng.choice(parses),
                             titles, dois, rng)  # fmt: skip
                n_parses += 1
            titles.append(title)
            dois.append(doi)
            if i >= papers:  # an orphan parse: no metadata row names it
                continue
            pmcid = f"PMC9{i:07d}" if rng.random() < 0.55 else ""
            row = dict(base)
            row.update(
                cord_uid=cord_uid(i + 36**7),
                sha=sha if has_text else "",
                title=title,
                doi=doi,
                pmcid=pmcid,
                pubmed_id=str(30_000_000 + i) if rng.random() < 0.65 else "",
                abstract=abstract,
                pdf_json_files=f"document_parses/pdf_json/{sha}.json" if has_text else "",
                pmc_json_files="",
                mag_id="",
                s2_id=str(200_000_000 + i),
            )
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return {"papers": papers, "parses": n_parses, "orphan parses": orphans}


def _write_parse(
    path: Path, sha: str, title: str, abstract: str, base: dict, titles: list[str],
    dois: list[str], rng: random.Random,
) -> None:  # fmt: skip
    bib = {}
    for key, entry in base.get("bib_entries", {}).items():
        entry = dict(entry)
        if titles and rng.random() < 0.2:
            j = rng.randrange(len(titles))
            entry["title"] = titles[j]
            if rng.random() < 0.33:
                entry["other_ids"] = {"DOI": [dois[j]]}
        bib[key] = entry
    doc = {
        "paper_id": sha,
        "metadata": {"title": title, "authors": base["metadata"].get("authors", [])},
        "abstract": [{"text": abstract, "cite_spans": [], "ref_spans": [], "section": "Abstract"}],
        "body_text": base["body_text"],
        "bib_entries": bib,
        "ref_entries": base.get("ref_entries", {}),
        "back_matter": base.get("back_matter", []),
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write (created)")
    parser.add_argument("--papers", type=int, default=10_000, help="metadata rows (default 10000)")
    parser.add_argument("--full-text", type=float, default=0.4, help="share with a parse (0.4)")
    parser.add_argument("--orphans", type=int, default=None, help="parses without a row (1%%)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=SAMPLE, help="the real sample to draw from")
    args = parser.parse_args(argv)
    if not (args.source / "metadata.csv").is_file():
        print(f"error: no metadata.csv in {args.source} (give --source)", file=sys.stderr)
        return 2
    orphans = args.papers // 100 if args.orphans is None else args.orphans
    counts = generate(args.out, args.papers, args.full_text, orphans, args.seed, args.source)
    print(", ".join(f"{v} {k}" for k, v in counts.items()), f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
