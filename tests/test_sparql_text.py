"""``outer_limit``: the LIMIT that bounds a query's answer, read from its text.

The service serialises a SELECT in one engine call when the query's own LIMIT is within
the row cap, so a wrong reading would let a query past the cap: every case where the
text ends in LIMIT but the LIMIT is not the outer one must read as None.
"""

from __future__ import annotations

import pytest

from ckg_rdf.sparql_text import outer_limit

Q = "SELECT * WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        (f"{Q} LIMIT 10", 10),
        (f"{Q}LIMIT 10", 10),
        (f"{Q} limit 10 offset 20", 10),
        (f"{Q} OFFSET 20 LIMIT 7", 7),
        (f"{Q} ORDER BY ?s LIMIT 3 # the first three\n", 3),
        (f"{Q} LIMIT\n  5\n", 5),
        (f"{Q} \\u004CIMIT 4", 4),  # the parser applies \\u escapes first
    ],
)
def test_a_text_that_ends_in_limit_gives_it(text: str, limit: int) -> None:
    assert outer_limit(text) == limit


@pytest.mark.parametrize(
    "text",
    [
        Q,
        "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 3 } }",  # a subquery's
        f"{Q} # LIMIT 5",  # in a comment
        'SELECT * WHERE { ?s ?p "LIMIT 5" }',  # in a string
        f"{Q} LIMIT 5 VALUES ?s {{ <urn:a> }}",  # not at the end: not read
        f"{Q} OFFSET 5",
        "SELECT * WHERE { ?s ?limit 5 }",
    ],
)
def test_anything_else_gives_none(text: str) -> None:
    assert outer_limit(text) is None
