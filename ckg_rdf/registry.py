"""Registries: backends, steps and stages found by name, not by ``if/elif``.

Modelled on rdflib's plugin registry: a name maps to a *lazy* reference
(``"package.module:attribute"``) so that registering a backend costs nothing
until it is used (the CLI starts without importing torch or faiss), and a
third-party package can add its own through the ``ckg_rdf.<registry>`` entry
point group without editing ckg-rdf. Adding a step is one module plus one
``register`` line in :mod:`ckg_rdf.plugins`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from ckg_rdf.errors import RegistryError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One registered name: where its factory lives and a line saying what it is."""

    name: str
    target: str  # "module:attribute"
    help: str = ""

    def load(self) -> Any:
        module, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj


class Registry(Generic[T]):
    """Names -> factories of one kind of thing (``"stores"``, ``"steps"``, ...)."""

    def __init__(self, kind: str, what: str) -> None:
        self.kind = kind
        #: how the things are called in messages ("concept extractor", "store backend")
        self.what = what
        self._entries: dict[str, Entry] = {}
        self._entry_points_loaded = False

    def register(self, name: str, target: str, help: str = "") -> None:
        """Register ``target`` ("module:attribute") under ``name``; a later call replaces it."""
        if ":" not in target:
            raise ValueError(f"a registry target is 'module:attribute', got {target!r}")
        self._entries[name] = Entry(name, target, help)

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"ckg_rdf.{self.kind}"):
            self._entries.setdefault(ep.name, Entry(ep.name, ep.value, f"from {ep.dist}"))

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._entries)

    def entries(self) -> Iterator[Entry]:
        self._load_entry_points()
        yield from (self._entries[n] for n in sorted(self._entries))

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._entries

    def get(self, name: str) -> Callable[..., T]:
        """The factory registered under ``name``; :class:`RegistryError` naming the choices."""
        self._load_entry_points()
        entry = self._entries.get(name)
        if entry is None:
            choices = ", ".join(self.names()) or "none"
            raise RegistryError(f"no {self.what} named {name!r}; choose one of: {choices}")
        return entry.load()  # type: ignore[no-any-return]

    def create(self, name: str, **options: Any) -> T:
        """Call the factory under ``name`` with ``options``; unknown options are a clear error."""
        factory = self.get(name)
        try:
            return factory(**options)
        except TypeError as exc:
            if "unexpected keyword argument" in str(exc):
                raise RegistryError(f"{self.what} {name!r}: {exc}") from None
            raise
