"""``/rank``: the ranking as JSON for programs and as a page with a form for people."""

from __future__ import annotations


def test_rank_route_answers_json_and_a_page(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/rank", params={"concept": ["COVID-19"], "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["filters"]["concepts"][0]["iri"].endswith("/concept/ckg-covid-19")
    assert len(body["results"]) <= 5 and "SELECT" in body["query"]
    page = client.get("/rank", params={"topic": "virology"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="ranking"' in page.text
    missing = client.get("/rank", params={"concept": "no-such-concept"})
    assert missing.status_code == 404 and "no concept called" in missing.text
