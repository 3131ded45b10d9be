"""Real-browser tests: Debian's Chromium, headless, driven by playwright.

They skip (with the reason) where Chromium or the playwright package is
missing; CI installs both (``apt-get install -y chromium``, the ``[test]``
extra). Nothing is downloaded: ``playwright install`` is never run.
Screenshots land in docs/ for the README.
"""

from __future__ import annotations

import pytest

from tests.service.conftest import DOCS, LiveServer


def test_query_page_runs_a_query_and_shows_rows(page: object) -> None:
    page.goto("/query")
    box = page.locator("#query")
    assert "SELECT" in box.input_value()  # pre-filled from sparql/*.rq
    box.fill(
        "SELECT ?paper ?title ?date WHERE {\n"
        "  ?paper a ckg:Paper ; ckg:title ?title ; ckg:publicationDate ?date .\n"
        "} ORDER BY DESC(?date) LIMIT 12"
    )
    page.click("#run")
    page.wait_for_selector("#results-table tbody tr")
    assert page.locator("#results-table tbody tr").count() == 12
    assert page.locator("#row-count").inner_text() == "12"
    header = page.locator("#results-table thead th").all_inner_texts()
    assert header == ["paper", "title", "date"]
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "service-query-page.png"), full_page=False)


def test_example_picker_fills_the_box(page: object) -> None:
    page.goto("/query")
    options = page.locator("#example option").all()
    if len(options) < 2:
        pytest.skip("only one example query")
    before = page.locator("#query").input_value()
    page.select_option("#example", index=1)
    assert page.locator("#query").input_value() != before


def test_paper_page_follows_an_author_link(page: object, sample_ids: dict[str, str]) -> None:
    page.goto(sample_ids["paper"])
    assert page.locator("h1").inner_text()
    link = page.locator("#authors a[href^='/author/']").first
    name = link.inner_text()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "service-paper-page.png"), full_page=False)
    link.click()
    page.wait_for_url("**/author/**")
    assert page.locator("h1").inner_text() == name
    # the author page links back to the paper it came from
    assert page.locator(f"#incoming a[title='{sample_ids['paper']}']").count() >= 1


def test_paper_page_follows_a_similar_paper_link(
    page: object, live: LiveServer, sample_ids: dict[str, str]
) -> None:
    from ckg_rdf.embed import embeddings_available

    if embeddings_available():
        pytest.skip("the [embed] extra is not installed: no similar papers")
    page.goto(sample_ids["paper"])
    links = page.locator("#similar li a[href^='/paper/']")
    assert links.count() == 10
    scores = [float(s) for s in page.locator("#similar .score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    first = links.first
    title, href = first.inner_text(), first.get_attribute("href")
    assert href != "/" + sample_ids["paper"][len(live.url) :]
    first.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").inner_text() == title


def test_every_nav_bar_link_renders_offline(page: object, live: LiveServer) -> None:
    """With every host but the server blocked, each nav-bar link shows real content."""
    blocked: list[str] = []
    page.on("requestfailed", lambda r: blocked.append(r.url))
    page.goto("/")
    links = page.eval_on_selector_all("header nav a", "els => els.map(e => e.getAttribute('href'))")
    assert {"/query", "/ontology", "/.well-known/void", "/api"} <= set(links)
    for href in links:
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        assert response.headers["content-type"].startswith("text/html"), href
        heading = page.text_content("h1") or ""
        assert heading.strip(), href
        assert len(page.text_content("main") or "") > 200, href
    assert blocked == [], f"pages asked for other hosts: {blocked}"
