"""Time each named select of an entity page, on a built store: which query makes a page slow.

``bench_routes.py`` says how long a page takes; this says which of its selects the time
goes to. For each page kind it takes the entities with the most papers (the worst case:
``--top``) and some others (``--others``), runs every select the page runs on its first
open, bound to the entity as the service binds it, and prints p50 / p99 / max ms per select
and per page (a page's selects run one after another in one task).

    python benchmarks/profile_pages.py --store DIR [--kinds author,institution,topic,concept]
        [--top 5] [--others 20]

Read-only: opens the store as the server does; run it with no server writing the store.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ckg_rdf.service.explore import ENTITY_PAGES, selects
from ckg_rdf.service.tasks import _rows
from ckg_rdf.store.embedded import EmbeddedStore
from ckg_rdf.vocab import CKG

#: how to find a kind's entities, and the link that counts its papers
ENTITIES = {
    "author": (CKG.Author, f"?paper {CKG.authoredBy} ?e"),
    "institution": (CKG.Institution, f"?a {CKG.affiliatedWith} ?e . ?paper {CKG.authoredBy} ?a"),
    "topic": (CKG.Topic, f"?paper {CKG.associatedTopic} ?e"),
    "concept": (CKG.Concept, f"?paper {CKG.associatedConcept} ?e"),
}


def entities(store: EmbeddedStore, kind: str, top: int, others: int) -> list[str]:
    cls, link = ENTITIES[kind]
    sample = [
        str(s["e"].value)
        for s in store.query(f"SELECT ?e WHERE {{ ?e a {cls} }} LIMIT {max(others * 50, 1000)}")
    ]
    step = max(1, len(sample) // max(1, others))
    chosen = sample[::step][:others]
    if top:
        biggest = store.query(
            f"SELECT ?e (COUNT(?paper) AS ?n) WHERE {{ ?e a {cls} . {link} }} "
            f"GROUP BY ?e ORDER BY DESC(?n) LIMIT {top}"
        )
        chosen = [str(s["e"].value) for s in biggest] + chosen
    return list(dict.fromkeys(chosen))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, metavar="DIR")
    parser.add_argument("--kinds", default="author,institution,topic,concept")
    parser.add_argument("--top", type=int, default=5, help="entities with the most papers")
    parser.add_argument("--others", type=int, default=20, help="other entities, spread out")
    args = parser.parse_args()
    store = EmbeddedStore(args.store / "oxigraph", read_only=True)
    print("| page | select | entities | p50 ms | p99 ms | max ms | slowest entity |")
    print("|---|---|---:|---:|---:|---:|---|")
    for kind in args.kinds.split(","):
        spec = ENTITY_PAGES[kind]
        times: dict[str, list[tuple[float, str]]] = {}
        for iri in entities(store, kind, args.top, args.others):
            total = 0.0
            for select in selects(spec, iri, {}):
                started = time.perf_counter()
                _rows(store, select)
                took = (time.perf_counter() - started) * 1000
                total += took
                times.setdefault(select.result_key, []).append((took, iri))
            times.setdefault("(whole page)", []).append((total, iri))
        for name, pairs in times.items():
            values = [t for t, _ in pairs]
            worst = max(pairs)
            print(
                f"| {kind} | {name} | {len(values)} | {statistics.median(values):.1f} | "
                f"{pct(values, 0.99):.1f} | {worst[0]:.1f} | {worst[1].rsplit('/', 1)[-1]} |"
            )


if __name__ == "__main__":
    main()
