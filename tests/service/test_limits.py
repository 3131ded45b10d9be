"""What every task obeys travels to the worker processes whole, and a task may keep what it
read of a store only when nothing can change that store under it."""

from __future__ import annotations

from ckg_rdf.service.settings import ServiceSettings
from ckg_rdf.service.tasks import Limits


def test_limits_round_trip_to_a_worker() -> None:
    limits = ServiceSettings(store="/data/ckg", max_rows=123).limits()
    assert Limits.from_dict(limits.to_dict()) == limits


def test_the_data_is_fixed_only_for_a_served_embedded_build_without_updates() -> None:
    assert ServiceSettings(store="/data/ckg").limits().fixed_data
    assert not ServiceSettings(store="/data/ckg", allow_update=True).limits().fixed_data
    assert not ServiceSettings(store="http://127.0.0.1:7878/query").limits().fixed_data
