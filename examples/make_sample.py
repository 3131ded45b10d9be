"""Derive the bundled sample (examples/cord19-sample/) from the full shared sample.

Run from the repository root:  python examples/make_sample.py ../shared/cord19-sample

It keeps the files byte-identical (JSON copied, CSV rows re-written with the
same csv dialect) and picks:

* the first 600 metadata rows, the row whose full text is in the sample
  (6pqjnkkw), and every row that a kept full-text paper cites;
* the full-text parses most connected by citations inside the sample, up to
  about 6.5 MB, plus the three non-bioRxiv parses (one per other subset) and
  the parse of 6pqjnkkw.
"""

from __future__ import annotations

import collections
import csv
import shutil
import sys
from pathlib import Path

from ckg_rdf.corpus.layout import CorpusLayout, parse_id
from ckg_rdf.corpus.normalise import normalise_doi, title_key
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import PaperRecord

FIRST_ROWS = 600
JSON_BUDGET = 6_500_000
KEEP_ROWS = {"6pqjnkkw"}


def main(src: Path, dst: Path) -> None:
    layout = CorpusLayout.discover(src)
    papers = [p for p in read_corpus(layout) if isinstance(p, PaperRecord)]
    by_doi = {p.doi: p.paper_id for p in papers if p.doi}
    by_title: dict[str, list[str]] = collections.defaultdict(list)
    for p in papers:
        if title_key(p.title):
            by_title[title_key(p.title)].append(p.paper_id)
    edges = []
    for p in papers:
        for b in p.bib_entries:
            cited = by_doi.get(normalise_doi(b.doi)) if b.doi else None
            if cited is None and len(by_title.get(title_key(b.title), [])) == 1:
                cited = by_title[title_key(b.title)][0]
            if cited and cited != p.paper_id:
                edges.append((p.paper_id, cited))
    files = {parse_id(f): f for f in layout.iter_json_files()}
    degree: collections.Counter[str] = collections.Counter()
    for a, b in edges:
        degree[a] += 1
        degree[b] += 1
    chosen: set[str] = set()
    size = 0
    for pid, _ in degree.most_common():
        if pid in files and size + files[pid].stat().st_size <= JSON_BUDGET:
            chosen.add(pid)
            size += files[pid].stat().st_size
    for f in files.values():
        if f.parent.name != "biorxiv_medrxiv":
            chosen.add(parse_id(f))
    cited_rows = {b for a, b in edges if a in chosen and b not in files}
    shutil.rmtree(dst, ignore_errors=True)
    for pid in sorted(chosen):
        target = dst / files[pid].parent.name / files[pid].name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files[pid], target)
    with (src / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        uid = header.index("cord_uid")
        sha = header.index("sha")
        rows = []
        for i, row in enumerate(reader):
            shas = {s.strip() for s in row[sha].split(";")}
            keep = i < FIRST_ROWS or row[uid] in KEEP_ROWS | cited_rows or shas & set(files)
            if keep:
                rows.append(row)
                for s in shas & set(files):
                    target = dst / files[s].parent.name / files[s].name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(files[s], target)
    with (dst / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(
        f"{len(rows)} metadata rows, {len(list(dst.rglob('*.json')))} parses, "
        f"{len(cited_rows)} cited rows"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent / "cord19-sample")
