"""The federation policy: SERVICE (and LOAD) targets come from a real SPARQL parse, and only
allow-listed endpoints are ever contacted.

The live tests run every bypass attempt through each entry point (GET, form POST, direct POST,
the query page) while a listener on 127.0.0.1 records connections: there must be none.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ckg_rdf.service.policy import PolicyError, QueryPolicy
from tests.service.conftest import LiveServer


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def bypasses(port: int) -> list[str]:
    """SERVICE calls to ``127.0.0.1:port`` hidden every way SPARQL allows."""
    target = f"http://127.0.0.1:{port}/x"
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        # an escaped character in a prefixed name fooled the old lexer
        f"SELECT * WHERE {{ {{ ?s dcterms:x\\' ?o }} UNION {{ SERVICE <{target}> {{ ?a ?b ?c }} }}"
        " }",
        f"SELECT * WHERE {{ {{ ?s dcterms:a\\# ?o }} UNION {{ SERVICE <{target}> {{ ?a ?b ?c }} }}"
        " }",
        # codepoint escapes are applied before parsing
        f"SELECT * WHERE {{ S\\u0045RVICE <{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}\\u002Fx> {{ ?a ?b ?c }} }}",
        # a comment that does not end the query
        f"SELECT * WHERE {{ ?s ?p ?o # }}\n SERVICE <{target}> {{ ?a ?b ?c }} }}",
        # BASE and a relative IRI; a prefix from the prologue; the predeclared ckg: prefix
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <x> {{ ?a ?b ?c }} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:x {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?a ?b ?c }} }}",
        # a variable endpoint bound by VALUES
        f"SELECT * WHERE {{ VALUES ?u {{ <{target}> }} SERVICE ?u {{ ?a ?b ?c }} }}",
        # nested subqueries, OPTIONAL and FILTER EXISTS
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}> {{ ?a ?b ?c }} }} }}",
        f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"select * where {{ service <{target}> {{ ?a ?b ?c }} }}",
    ]


@pytest.mark.parametrize("index", range(len(bypasses(1))))
def test_every_bypass_is_refused_by_the_policy(index: int) -> None:
    with pytest.raises(PolicyError) as refused:
        QueryPolicy().check_query(bypasses(7878)[index])
    assert refused.value.status == 403
    message = refused.value.message
    # it names the endpoint, or says why it could not be checked (then it is refused too)
    assert "127.0.0.1" in message or "variable" in message or "could not be checked" in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a ?type }",
        'SELECT * WHERE { ?s ?p "health service" }',
        'SELECT * WHERE { ?s ?p """multi "line" SERVICE""" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    ],
)
def test_the_word_service_elsewhere_is_not_a_service_call(query: str) -> None:
    assert QueryPolicy().check_query(query) == []


def test_an_allowed_endpoint_passes_and_others_do_not() -> None:
    policy = QueryPolicy(service_allow=("http://127.0.0.1:7878/",))
    assert policy.check_query(
        "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query> { ?s ?p ?o } }"
    ) == ["http://127.0.0.1:7878/query"]
    for other in ("http://127.0.0.1:7879/query", "http://127.0.0.2:7878/", "https://example.org/"):
        with pytest.raises(PolicyError, match="7878"):  # the message names the allow-list
            policy.check_query(f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}")


def test_a_broad_prefix_does_not_open_loopback_or_private_addresses() -> None:
    policy = QueryPolicy(service_allow=("http://",))
    for host in ("127.0.0.1", "localhost", "10.1.2.3", "192.168.0.1", "169.254.169.254", "[::1]"):
        with pytest.raises(PolicyError, match="loopback or private"):
            policy.check_query(f"SELECT * WHERE {{ SERVICE <http://{host}/x> {{ ?s ?p ?o }} }}")


def test_deep_nesting_is_refused_before_any_parser_sees_it() -> None:
    deep = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    with pytest.raises(PolicyError) as refused:
        QueryPolicy().check_query(deep)
    assert refused.value.status == 400 and "3000 deep" in refused.value.message
    parens = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with pytest.raises(PolicyError):
        QueryPolicy().check_query(parens)
    fine = "SELECT * WHERE " + "{ " * 20 + "?s ?p ?o" + " }" * 20
    assert QueryPolicy().check_query(fine) == []


def _attempts(live: LiveServer, query: str) -> list[httpx.Response]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        return [
            c.get("/sparql", params={"query": query}),
            c.post("/sparql", data={"query": query}),
            c.post(
                "/sparql",
                content=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
            c.get("/query", params={"query": query}),
        ]


def test_no_bypass_reaches_a_loopback_listener(live: LiveServer, listener: Listener) -> None:
    for query in bypasses(listener.port):
        for response in _attempts(live, query):
            assert response.status_code == 403, (query, response.text)
            assert "Traceback" not in response.text
    time.sleep(0.3)
    assert listener.connections == 0
