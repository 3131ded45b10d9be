"""How citation resolution scales: time per paper and per bibliography entry, and memory,
from 10k to 1M corpus papers.

The corpus is synthetic but built from the real sample's words: each paper title either
draws its words from the word frequencies of the shared sample's titles, or is a real
sample title with one or two content words swapped (families of near-identical titles,
which is what makes fuzzy matching hard). A fixed set of citing papers carries entries
of three kinds: a corpus title with one defect of issue 16 (a line number, a venue, a
typo, a lost hyphen, a cut), a sibling of a corpus title that must not link, and a title
not in the corpus. Printed per corpus size: index time per paper (including the sorted merge of its
postings that resolving starts with), resolve time per entry, peak memory of the
process, and how many planted links were found (and how many wrong).

    python benchmarks/bench_citations.py [--sizes 10000 100000 1000000] [--entries 20000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckg_rdf.corpus.layout import CorpusLayout  # noqa: E402
from ckg_rdf.corpus.normalise import (  # noqa: E402
    STOPWORDS,
    citation_title,
    covid_names,
    fuzzy_title,
)
from ckg_rdf.corpus.reader import read_corpus  # noqa: E402
from ckg_rdf.corpus.records import BibEntry, PaperRecord  # noqa: E402
from ckg_rdf.extract.citations import CitationIndex  # noqa: E402

BATCH = 256
STOP = {"a", "an", "the", "of", "in", "on", "for", "to", "and", "with", "by", "from", "at"}


def sample_titles(root: Path) -> list[str]:
    out = []
    for p in read_corpus(CorpusLayout.discover(root)):
        if isinstance(p, PaperRecord) and len(p.title.split()) >= 5:
            out.append(" ".join(p.title.split()))
    return out


class TitleMaker:
    def __init__(self, titles: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.real = titles
        counts = Counter(w for t in titles for w in re.findall(r"[A-Za-z][\w-]*", t))
        self.words = list(counts)
        self.cum = list(itertools.accumulate(counts.values()))
        # rare made-up words too: a large corpus has a long tail of its own
        self.tail = [
            "".join(rng.choices("abcdefghiklmnoprstuvy", k=rng.randint(5, 10)))
            for _ in range(200_000)
        ]

    def word(self) -> str:
        if self.rng.random() < 0.15:
            return self.rng.choice(self.tail)
        return self.rng.choices(self.words, cum_weights=self.cum)[0]

    def title(self) -> str:
        if self.rng.random() < 0.3:  # a sibling of a real title
            return self.sibling(self.rng.choice(self.real))
        return " ".join(self.word() for _ in range(self.rng.randint(6, 16))).capitalize()

    def sibling(self, title: str) -> str:
        """The title with one or two content words swapped for other content words."""
        words = title.split()
        slots = [i for i, w in enumerate(words) if w.lower() not in STOPWORDS and w.isalpha()]
        for i in self.rng.sample(slots, min(len(slots), self.rng.choice((1, 2)))):
            old = words[i].lower().rstrip("s")
            new = self.word()
            while new.lower() in STOPWORDS or len(new) < 3 or new.lower().rstrip("s") == old:
                new = self.word()
            words[i] = new
        return " ".join(words)

    def defect(self, title: str) -> str:
        words = title.split()
        kind = self.rng.randrange(5)
        if kind == 0 and len(words) > 4:  # a PDF line number
            words.insert(self.rng.randrange(2, len(words) - 1), str(self.rng.randint(100, 999)))
        elif kind == 1:  # a venue
            words[-1] += self.rng.choice([". medRxiv", ". bioRxiv", ". Lancet. 2020"])
        elif kind == 2:  # a typo in a long word
            long = [i for i, w in enumerate(words) if len(w) >= 7]
            if long:
                i = self.rng.choice(long)
                w = words[i]
                j = self.rng.randrange(1, len(w) - 2)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif kind == 3:  # a hyphen lost, else a "Title:" prefix
            hyphenated = [i for i, w in enumerate(words) if "-" in w.strip("-")]
            if hyphenated:
                i = self.rng.choice(hyphenated)
                words[i] = words[i].replace("-", "")
            else:
                words = ["Title:", *words]
        elif len(words) >= 12:  # cut short after a function word
            cut = next((i for i in range(len(words) * 2 // 3, len(words)) if words[i] in STOP), 0)
            words = words[: cut + 1] if cut else words
        return " ".join(words)


def _form(title: str) -> str:
    return covid_names(fuzzy_title(citation_title(title)))


def run(size: int, entries: int, maker: TitleMaker, rng: random.Random, args_show: int) -> None:
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        db = sqlite3.connect(Path(tmp) / "state.sqlite")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        index = CitationIndex(db)
        kept: list[tuple[str, str]] = []  # corpus papers to cite: (id, title)
        keep_every = max(1, size // (entries // 3 + 1))
        t_index = 0.0
        batch = []
        for n in range(size + 1):
            if n < size:
                title = maker.title()
                if n % keep_every == 0:
                    kept.append((f"p{n}", title))
                batch.append(PaperRecord(f"p{n}", title=title))
            if len(batch) == BATCH or n == size:
                t0 = time.perf_counter()
                index.add_papers(batch)
                db.commit()
                t_index += time.perf_counter() - t0
                batch = []
        planted: dict[tuple[str, str], str | None] = {}
        citing = []
        for c in range(entries // 20):
            bib = []
            for r in range(20):
                ref = f"b{r}"
                kind = rng.random()
                if kind < 0.4 and kept:
                    pid, title = rng.choice(kept)
                    bib.append(BibEntry(ref, maker.defect(title)))
                    planted[(f"c{c}", ref)] = pid
                elif kind < 0.6 and kept:
                    bib.append(BibEntry(ref, maker.sibling(rng.choice(kept)[1])))
                    planted[(f"c{c}", ref)] = None
                else:
                    bib.append(BibEntry(ref, maker.title()))
            citing.append(
                PaperRecord(
                    f"c{c}", title=f"Citing paper number {c} of the benchmark", bib_entries=bib
                )
            )
        for i in range(0, len(citing), BATCH):
            index.add_papers(citing[i : i + BATCH])
        db.commit()
        n_entries = index.count_refs()
        t0 = time.perf_counter()
        index._merge_postings()  # resolve() starts with it: the index's work, timed as such
        db.commit()
        t_index += time.perf_counter() - t0
        t0 = time.perf_counter()
        found = {(r.citing, r.ref_id): (r.cited, r.method) for r in index.resolve()}
        t_resolve = time.perf_counter() - t0
        linked = [k for k, v in planted.items() if v is not None]
        right = sum(1 for k in linked if found.get(k, (None,))[0] == planted[k])
        wrong = [k for k, (cited, _) in found.items() if k in planted and cited != planted[k]]
        # a "sibling" that came out identical to another corpus title (the swapped word was
        # the one it replaced elsewhere, or another name of COVID-19) rightly links to it
        same = 0
        for k in wrong:
            entry = next(b for b in citing[int(k[0][1:])].bib_entries if b.ref_id == k[1])
            cited_title = db.execute(
                "SELECT source FROM paper_titles WHERE paper_id = ?", (found[k][0],)
            ).fetchone()[0]
            if _form(entry.title) == _form(cited_title):
                same += 1
            elif args_show:
                print("   wrong:", entry.title, "->", cited_title, found[k], planted[k])
        size_mb = (Path(tmp) / "state.sqlite").stat().st_size / 1e6
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{size:>9,} papers  index {1e6 * t_index / size:6.0f} us/paper  "
            f"resolve {1e3 * t_resolve / n_entries:5.2f} ms/entry ({n_entries:,} entries)  "
            f"planted links found {right}/{len(linked)}, wrong {len(wrong) - same} "
            f"(+{same} to an identical title)  "
            f"db {size_mb:,.0f} MB  peak RSS {rss:,.0f} MB",
            flush=True,
        )
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--sample", type=Path, default=ROOT.parent / "shared" / "cord19-sample")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--show", type=int, default=0, help="print N wrong links")
    args = parser.parse_args()
    if not args.sample.exists():
        args.sample = ROOT / "examples" / "cord19-sample"
    rng = random.Random(args.seed)
    maker = TitleMaker(sample_titles(args.sample), rng)
    for size in args.sizes:
        run(size, args.entries, maker, random.Random(args.seed + size), args.show)


if __name__ == "__main__":
    main()
