"""The pages of hubs (entities much of the corpus links to) are computed once per build in
the background, and a hub's page is the same whether its rows were kept or computed for the
request."""

from __future__ import annotations

import time

import httpx

from ckg_rdf.service.explore import ENTITY_PAGES, selects
from ckg_rdf.service.hubs import HUB_KINDS
from tests.service.conftest import LiveServer, serving

#: low enough that the sample has hubs of every kind
MIN_LINKS = 10


def _wait_for_hubs(state, deadline_s: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if not state.hubs.computing:
            return
        time.sleep(0.2)
    raise AssertionError(f"hubs not computed in time: {state.hubs.done}/{state.hubs.found}")


def test_a_hub_page_is_kept_and_is_the_page_computed_per_request(live: LiveServer) -> None:
    plain = {"doc_cache_mb": 0, "workers": 1}
    with (
        serving(live.store, hub_links=MIN_LINKS, **plain) as (kept_url, kept),
        serving(live.store, max_hubs=0, **plain) as (live_url, _),
    ):
        state = kept.server.config.app.state.service
        _wait_for_hubs(state)
        assert state.hubs.found >= len(HUB_KINDS) and state.hubs.done == state.hubs.found
        status = httpx.get(kept_url + "status", timeout=30).json()
        assert status["hubs"] == {"found": state.hubs.found, "kept": state.hubs.done,
                                  "computing": False}  # fmt: skip
        assert status["build"] == state.build_id
        hubs_by_kind: dict[str, list[str]] = {}
        for s in state.hubs.rows:
            bound = dict(s.bindings)
            for kind in HUB_KINDS:
                if kind in bound and bound[kind] not in hubs_by_kind.setdefault(kind, []):
                    hubs_by_kind[kind].append(bound[kind])
        assert set(hubs_by_kind) == set(HUB_KINDS), "a hub of each kind"
        for kind, iris in hubs_by_kind.items():
            for iri in iris[:2]:
                page = selects(ENTITY_PAGES[kind], iri, {})
                assert set(state.hubs.kept(page, state.build_id)) == {s.result_key for s in page}
                path = "/" + iri.split("/", 3)[3]
                html = {"Accept": "text/html"}
                a = httpx.get(kept_url.rstrip("/") + path, headers=html, timeout=60)
                b = httpx.get(live_url.rstrip("/") + path, headers=html, timeout=60)
                assert a.status_code == b.status_code == 200
                assert a.text.replace(kept_url, live_url) == b.text, (kind, iri)
                later = httpx.get(
                    kept_url.rstrip("/") + path, params={"page": 2}, headers=html, timeout=60
                )
                assert later.status_code == 200  # a later page is computed for the request
