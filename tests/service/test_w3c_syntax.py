"""The W3C SPARQL 1.1 syntax suites: the federation policy can read every valid query and
update, and the store's parser refuses every invalid one (which makes the endpoint answer 400).

The suites ship in rdflib's source distribution on PyPI and are not kept in this repository:
``.ci/run`` unpacks their folder to ``$CKG_W3C_SPARQL11`` (by default
``~/.cache/ckg-rdf/w3c-sparql11``), and these tests skip where it is absent. Every syntax test
of every manifest in the folder counts (``syntax-query``, ``syntax-update-1``,
``syntax-update-2``, ``syntax-fed``, and the few in the evaluation folders).

The store is only asked to parse: an update goes to a read-only store, which parses it and
then refuses to write; a query is never iterated (no suite query that mentions SERVICE is
an ASK, the one form Oxigraph evaluates at once). Nothing is fetched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest

from ckg_rdf.service.policy import PolicyError, QueryPolicy
from ckg_rdf.sparql_lexer import Lexer, LexError

SUITES = Path(
    os.environ.get("CKG_W3C_SPARQL11") or Path.home() / ".cache" / "ckg-rdf" / "w3c-sparql11"
)
if not (SUITES / "syntax-query" / "manifest.ttl").is_file():
    pytest.skip(
        f"the W3C SPARQL 1.1 suites are not at {SUITES} (.ci/run unpacks them from rdflib's "
        "sdist; set CKG_W3C_SPARQL11 to put them elsewhere)",
        allow_module_level=True,
    )

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
#: the suites' own base: where the W3C publishes them
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
#: the endpoints the suites' SERVICE and LOAD name (relative ones resolve under W3C_BASE)
SUITE_ENDPOINTS = (W3C_BASE, "http://example.org/")
#: appended to a text so that the policy reads it whole (it mentions SERVICE, in a comment)
MENTION = "\n# SERVICE is named here so that the policy reads the whole text\n"
#: invalid tests the store's parser (Oxigraph's, not ours) accepts, and why: none in
#: rdflib 7.6.0's copy of the suites with pyoxigraph 0.5 (the endpoint answers 400 to all)
STORE_ACCEPTS: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    """One syntax test: its file, whether it is valid, and whether it is an update."""

    name: str  # folder/file
    path: Path
    positive: bool

    @property
    def update(self) -> bool:
        return self.path.suffix == ".ru"

    @property
    def base(self) -> str:
        return W3C_BASE + self.name

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _cases() -> list[Case]:
    """The syntax tests each manifest lists in ``mf:entries`` (a test it only describes, such
    as the withdrawn ``qname-escape-01``, is no test)."""
    import rdflib
    from rdflib.collection import Collection

    found: list[Case] = []
    for manifest in sorted(SUITES.glob("*/manifest.ttl")):
        graph = rdflib.Graph().parse(manifest, format="turtle")
        entries = [
            test
            for listed in graph.objects(None, rdflib.URIRef(MF + "entries"))
            for test in Collection(graph, listed)
        ]
        for test in entries:
            name = str(graph.value(test, rdflib.RDF.type)).removeprefix(MF)
            if not name.endswith("SyntaxTest11"):
                continue
            action = graph.value(test, rdflib.URIRef(MF + "action"))
            path = Path(unquote(urlsplit(str(action)).path))
            found.append(Case(f"{manifest.parent.name}/{path.name}", path, name.startswith("Pos")))
    return sorted(found, key=lambda c: c.name)


CASES = _cases()
POSITIVE = [c for c in CASES if c.positive]
NEGATIVE = [c for c in CASES if not c.positive]


def _params(cases: list[Case], xfail: dict[str, str]) -> list[object]:
    """One test per case, named after its file; an expected failure where ``xfail`` says."""
    return [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.xfail(strict=True, reason=xfail[c.name])] if c.name in xfail else [],
        )
        for c in cases
    ]


@pytest.fixture(scope="module")
def read_only_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    """An empty store opened read-only: it parses an update, then refuses to apply it."""
    path = tmp_path_factory.mktemp("w3c-store")
    ox.Store(str(path)).flush()
    yield ox.Store.read_only(str(path))


def store_refuses(store: ox.Store, text: str, *, update: bool, base: str) -> str | None:
    """The store's parser's SyntaxError for ``text``, or None if it parses."""
    try:
        if update:
            store.update(text, base_iri=base)
        else:
            lowered = text.lower()
            assert not ("service" in lowered and re.search(r"\bask\b", lowered)), (
                "an ASK would call its SERVICE at once"
            )
            store.query(text, base_iri=base)  # never iterated: nothing is evaluated
    except SyntaxError as exc:
        return str(exc)
    except (RuntimeError, OSError):
        pass  # parsed; the read-only store (or an unsupported function) stopped it after
    return None


def check(policy: QueryPolicy, case: Case, text: str) -> list[str]:
    method = policy.check_update if case.update else policy.check_query
    return method(text, base_iri=case.base)


def test_the_suites_hold_what_they_should() -> None:
    counts = {
        (positive, update): sum(c.positive is positive and c.update is update for c in CASES)
        for positive in (True, False)
        for update in (True, False)
    }
    assert counts == {(True, False): 63, (True, True): 42, (False, False): 35, (False, True): 21}


# -- valid queries and updates -------------------------------------------------------------
@pytest.mark.parametrize("case", _params(POSITIVE, {}))
def test_the_policy_can_read_every_valid_query_and_update(case: Case) -> None:
    text = case.text()
    # no endpoint allowed: a refusal may only be for the policy itself, never for reading
    try:
        check(QueryPolicy(), case, text)
    except PolicyError as exc:
        assert exc.status == 403 and "could not be checked" not in exc.message, exc.message
        assert "federates only with" in exc.message
    # the suites' endpoints allowed: every valid text runs
    targets = check(QueryPolicy(service_allow=SUITE_ENDPOINTS), case, text)
    assert all(t.startswith(SUITE_ENDPOINTS) for t in targets)


@pytest.mark.parametrize("case", _params(POSITIVE, {}))
def test_the_policy_reads_every_valid_text_whole(case: Case) -> None:
    """The same with SERVICE mentioned in a comment, so the lexer reads every text."""
    policy = QueryPolicy(service_allow=SUITE_ENDPOINTS)
    assert check(policy, case, case.text() + MENTION) == check(policy, case, case.text())


@pytest.mark.parametrize("case", _params(POSITIVE, {}))
def test_the_store_parses_every_valid_query_and_update(
    case: Case, read_only_store: ox.Store
) -> None:
    assert store_refuses(read_only_store, case.text(), update=case.update, base=case.base) is None


def test_the_syntax_services_are_found_and_resolved_against_the_base() -> None:
    fed = {c.name: c for c in POSITIVE}
    case = fed["syntax-fed/syntax-service-03.rq"]  # SERVICE SILENT <g>
    policy = QueryPolicy(service_allow=SUITE_ENDPOINTS)
    assert check(policy, case, case.text()) == [W3C_BASE + "syntax-fed/g"]


# -- invalid queries and updates -----------------------------------------------------------
@pytest.mark.parametrize("case", _params(NEGATIVE, STORE_ACCEPTS))
def test_the_store_refuses_every_invalid_query_and_update(
    case: Case, read_only_store: ox.Store
) -> None:
    """What makes the endpoint answer 400; the policy only ever answers with PolicyError."""
    text = case.text()
    assert store_refuses(read_only_store, text, update=case.update, base=case.base)
    for source in (text, text + MENTION):
        try:
            check(QueryPolicy(service_allow=SUITE_ENDPOINTS), case, source)
        except PolicyError as exc:
            assert exc.status in (400, 403)


# -- every other query and update in the folder ----------------------------------------------
def test_every_query_and_update_the_store_parses_is_readable_by_the_policy(
    read_only_store: ox.Store,
) -> None:
    """The evaluation tests' queries and updates too (about 500 texts): where the store
    parses one, the policy reads it whole, and its lexer finds no error in it."""
    syntax = {c.path for c in CASES}
    unreadable: list[str] = []
    read = 0
    for path in sorted(SUITES.glob("*/*.r[qu]")):
        if path in syntax:
            continue
        name = f"{path.parent.name}/{path.name}"
        update = path.suffix == ".ru"
        text = path.read_text(encoding="utf-8")
        if store_refuses(read_only_store, text, update=update, base=W3C_BASE + name):
            continue
        read += 1
        try:
            list(Lexer(text, uchar=True).tokens())
        except LexError as exc:
            unreadable.append(f"{name}: {exc}")
            continue
        policy = QueryPolicy(service_allow=SUITE_ENDPOINTS)
        method = policy.check_update if update else policy.check_query
        try:
            method(text + MENTION, base_iri=W3C_BASE + name)
        except PolicyError as exc:
            # SERVICE ?var, and endpoints on hosts outside the suites' own, are the policy
            if "could not be checked" in exc.message:
                unreadable.append(f"{name}: {exc.message}")
    assert read > 300  # the rest are drafts the final grammar dropped (BINDINGS, path {n,m})
    assert not unreadable, unreadable
