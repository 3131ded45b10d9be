"""What a query or update may do on this endpoint: one policy, checked in one place.

Oxigraph runs ``SERVICE <url>`` (and an update's ``LOAD <url>``) against any
URL and cannot be told not to, so a public endpoint must know, before a query
runs, every endpoint it would contact. The targets are read from a real
SPARQL parse (rdflib's parser and algebra: prologue prefixes, the predeclared
prefixes, ``BASE``, ``\\u`` escapes, nested subqueries, ``FILTER EXISTS`` all
resolved the way a SPARQL engine resolves them), never by scanning text.
Each target must be an absolute http(s) IRI under a prefix of the allow-list;
``SERVICE ?var`` is refused (its target is only known at run time), and
loopback and private addresses are refused unless the allow-list names that
very host. A query whose text never mentions ``service`` (after unescaping)
cannot contain the keyword and skips the parse.

Nesting is checked first: a few thousand nested brackets crash the store's
parser (and deep recursion slows any parser), so more than ``max_nesting``
is a 400 before anything parses.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from ckg_rdf.sparql_text import max_nesting, unescape_codepoints
from ckg_rdf.vocab import PREFIXES

#: the recursion rdflib's parser needs for ``max_nesting`` levels (it uses ~40 frames a level)
_RECURSION = 20_000


class PolicyError(Exception):
    """A query or update the policy refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryPolicy:
    """The endpoint's rules (``ckg serve`` options)."""

    #: endpoint IRI prefixes SERVICE (and LOAD) may reach; empty: none
    service_allow: tuple[str, ...] = ()
    #: deepest bracket nesting accepted
    max_nesting: int = 128

    # -- checks ---------------------------------------------------------------
    def check_query(self, text: str) -> list[str]:
        """Raise :class:`PolicyError` if ``text`` may not run; return the SERVICE endpoints."""
        unescaped = self._nesting(text)
        if "service" not in unescaped.lower():
            return []
        targets = self._targets(text, update=False)
        for target in targets:
            self._allowed(target, "SERVICE")
        return [str(t) for t in targets]

    def check_update(self, text: str) -> list[str]:
        """The same for an update; ``LOAD <url>`` counts as a target too."""
        unescaped = self._nesting(text).lower()
        if "service" not in unescaped and "load" not in unescaped:
            return []
        targets = self._targets(text, update=True)
        for target in targets:
            self._allowed(target, "SERVICE or LOAD")
        return [str(t) for t in targets]

    # -- parts ----------------------------------------------------------------
    def _nesting(self, text: str) -> str:
        depth = max_nesting(text)
        if depth > self.max_nesting:
            raise PolicyError(
                400,
                f"the query nests brackets {depth} deep; this endpoint accepts at most "
                f"{self.max_nesting}",
            )
        return unescape_codepoints(text)

    def _targets(self, text: str, *, update: bool) -> list[object]:
        from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

        if sys.getrecursionlimit() < _RECURSION:
            sys.setrecursionlimit(_RECURSION)
        try:
            if update:
                algebra: object = translateUpdate(parseUpdate(text), initNs=PREFIXES).algebra
            else:
                algebra = translateQuery(parseQuery(text), initNs=PREFIXES).algebra
        except RecursionError:
            raise PolicyError(400, "the query nests too deeply to be checked") from None
        except Exception as exc:
            kind = "update" if update else "query"
            raise PolicyError(
                403,
                f"the {kind} mentions SERVICE or LOAD and could not be checked against this "
                f"endpoint's federation policy, so it is refused ({' '.join(str(exc).split())})",
            ) from None
        found: list[object] = []
        _walk(algebra, found)
        return found

    def _allowed(self, target: object, keyword: str) -> None:
        from rdflib import URIRef

        allow = (
            ", ".join(self.service_allow)
            if self.service_allow
            else "no endpoint (start the server with --service-allow PREFIX to allow some)"
        )
        if not isinstance(target, URIRef):
            raise PolicyError(
                403,
                f"{keyword} with a variable ({target}) is refused: the endpoint must be named, "
                f"and be under an allowed prefix: {allow}",
            )
        iri = str(target)
        parts = urlsplit(iri)
        prefix = next((p for p in self.service_allow if iri.startswith(p)), None)
        if parts.scheme not in ("http", "https") or not parts.hostname or prefix is None:
            raise PolicyError(
                403, f"{keyword} <{iri}> is refused: this endpoint federates only with {allow}"
            )
        explicit_host = urlsplit(prefix).hostname == parts.hostname
        if not explicit_host and _private(parts.hostname):
            raise PolicyError(
                403,
                f"{keyword} <{iri}> is refused: {parts.hostname} is a loopback or private "
                "address, allowed only when --service-allow names that host",
            )


def _walk(node: object, found: list[object]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found.append(node.get("term"))
        elif node.name == "Load":
            found.append(node.get("iri"))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, found)
    elif isinstance(node, dict):
        for value in node.values():
            _walk(value, found)


def _private(host: str) -> bool:
    """Loopback, private, link-local or unspecified: by literal, or by what the name resolves to."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(
        ".localhost"
    ):
        return True
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable: the store cannot reach it either
        addresses = [ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos]
    return any(
        a.is_loopback or a.is_private or a.is_link_local or a.is_unspecified or a.is_reserved
        for a in addresses
    )
