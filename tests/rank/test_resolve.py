"""Names resolve the same whether the store's names are read once (``NameIndex``, what a
server does on a build that cannot change) or scanned per request (what the CLI does)."""

from __future__ import annotations

import pytest

from ckg_rdf.rank.resolve import NameIndex, Resolved, ResolveError, resolve
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG, SKOS


def _outcome(store: GraphReader, kind: str, text: str, names: NameIndex | None) -> object:
    try:
        found: Resolved = resolve(store, kind, text, names)
    except ResolveError as exc:
        return ("error", str(exc))
    return (found.iri.value, found.label)


def _names(store: GraphReader, cls: object) -> list[str]:
    rows = store.query(
        f"SELECT DISTINCT ?n WHERE {{ ?x a {cls} . {{ ?x {SKOS.prefLabel} ?n }} "
        f"UNION {{ ?x {SKOS.altLabel} ?n }} UNION {{ ?x {SKOS.notation} ?n }} }} ORDER BY ?n"
    )
    return [r["n"].value for r in rows]


@pytest.mark.parametrize(("kind", "cls"), [("topic", CKG.Topic), ("concept", CKG.Concept)])
def test_every_name_in_any_case_resolves_as_the_scan_resolves_it(
    sample_store: GraphReader, kind: str, cls: object
) -> None:
    names = NameIndex()
    every = _names(sample_store, cls)
    assert len(every) > (5 if kind == "topic" else 500)
    texts = every[:: max(1, len(every) // 300)]  # a spread of them, as typed in any case
    texts += [t.upper() for t in texts[:50]] + [t.title() for t in texts[:50]]
    texts += ["no such name anywhere", "  " + every[0] + "  "]
    for text in texts:
        assert _outcome(sample_store, kind, text, names) == _outcome(
            sample_store, kind, text, None
        ), text


def test_an_ambiguous_name_is_refused_by_both(sample_store: GraphReader) -> None:
    """A name two concepts share names both, read once or scanned."""
    rows = sample_store.query(
        f"SELECT ?n WHERE {{ ?a a {CKG.Concept} ; {SKOS.altLabel}|{SKOS.prefLabel} ?n . "
        f"?b a {CKG.Concept} ; {SKOS.altLabel}|{SKOS.prefLabel} ?n . FILTER(?a != ?b) }} LIMIT 1"
    )
    shared = [r["n"].value for r in rows]
    if not shared:
        pytest.skip("no name shared by two concepts in this build")
    read_once = _outcome(sample_store, "concept", shared[0], NameIndex())
    assert read_once == _outcome(sample_store, "concept", shared[0], None)
    assert read_once[0] == "error"
