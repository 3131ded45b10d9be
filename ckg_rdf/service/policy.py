"""What a query or update may do on this endpoint: one policy, checked in one place.

Oxigraph runs ``SERVICE <url>`` (and an update's ``LOAD <url>``) against any URL and cannot
be told not to, so a public endpoint must know, before a query runs, every endpoint it would
contact. The targets are read from the query's tokens (:mod:`ckg_rdf.sparql_lexer`, the
SPARQL grammar's terminals exactly): the IRI, prefixed name or variable after each
``SERVICE [SILENT]`` (and ``LOAD [SILENT]``), resolved against the ``BASE`` and ``PREFIX``
declarations in force there and the predeclared prefixes. Every reading of the text is
followed: the grammar's (longest match), and those Oxigraph's parser makes, which matches
keywords without a word boundary (``SERVICE:x``) and reads ``<`` as less-than inside
expressions (:meth:`~ckg_rdf.sparql_lexer.Lexer.alternatives`); the text is read as written
(``\\u`` escapes inside IRIs and strings, as Oxigraph reads them) and with the escapes
applied first (as the recommendation reads it), and the targets of all readings count.

Each target must be an absolute http(s) IRI under a prefix of the allow-list (a prefix that
ends with its host allows that host only, not ``host.evil.net`` or ``host@evil.net``), with
no ``.`` or ``..`` path segment (the HTTP client would remove them, and leave the prefix);
``SERVICE ?var`` is refused (its target is only known at run time), and loopback and
private addresses are refused unless the allow-list names that very host. A query that
mentions the keyword but whose own reading cannot be followed (a lexer error, ``SERVICE``
followed by something else than an endpoint, an undeclared prefix) is refused: it fails
closed. A query whose text never mentions ``service`` (after unescaping) cannot contain
the keyword and is not read at all.

Nesting is checked first: a few thousand nested brackets crash the store's parser, so more
than ``max_nesting`` is a 400 before anything reads the query.
"""

from __future__ import annotations

import contextlib
import heapq
import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

from ckg_rdf.sparql_lexer import (
    IRIREF,
    PNAME_NS,
    PNAMES,
    PUNCT,
    VARS,
    WORD,
    Lexer,
    LexError,
    Token,
    line_column,
    pname,
)
from ckg_rdf.sparql_text import max_nesting, per_query_text, unescape_codepoints
from ckg_rdf.vocab import PREFIXES

#: keywords Oxigraph may read at the start of a longer word or prefixed name: the ones the
#: policy acts on, and the literals ``true``/``false`` that can end a triple right before
#: ``SERVICE`` (``?s ?p trueSERVICE <x> {}`` is a SERVICE call to Oxigraph)
_KEYWORDS = ("SERVICE", "SILENT", "LOAD", "PREFIX", "TRUE", "FALSE")
#: most readings followed at once, and steps (a reading one token on) per token of the
#: grammar's own reading, before a text counts as unreadable (it fails closed)
_MAX_READINGS = 256
_STEPS_PER_TOKEN = 4
_STEPS = 10_000
#: most PREFIX declarations in one text (a real query has tens)
_MAX_DECLARATIONS = 2_000
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: what an IRIREF may hold once its escapes are applied (anything else: not an IRI)
_IRI_CHARS = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*")
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", re.I)


class PolicyError(Exception):
    """A query or update the policy refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Target:
    """An endpoint a query would contact: ``SERVICE`` or ``LOAD`` and what follows it."""

    keyword: str
    #: the absolute IRI (prefixed names expanded, relative IRIs resolved); None for a variable
    iri: str | None
    #: the target as written (``<x>``, ``e:x``, ``?var``)
    written: str
    #: why the IRI is none, where it is not a variable (an IRI that does not parse)
    problem: str | None = None


class _Unreadable(Exception):
    """A reading of the text that no parser accepts (why, and where)."""

    def __init__(self, pos: int, reason: str) -> None:
        super().__init__(reason)
        self.pos = pos
        self.reason = reason


class _State(NamedTuple):
    """Where one reading of the text stands: what is declared, and what must come next."""

    base: str | None
    #: the PREFIX declarations in force: an index into :attr:`_Scan.namespaces`
    prefixes: int = 0
    #: what the last keyword needs next: "" (nothing), "SERVICE", "SERVICE-TARGET", "GROUP",
    #: "LOAD", "LOAD-TARGET", "AFTER-LOAD", "BASE", "PREFIX", "PREFIX-IRI"
    expect: str = ""
    #: the keyword token being completed, and the prefix name being declared
    keyword: Token | None = None
    name: str = ""
    #: the endpoint read after SERVICE or LOAD, until what must follow it is seen
    target: Target | None = None
    #: what the previous token allows next (all that matters of it, so readings merge):
    #: a ``<`` that may be less-than, and the keyword SERVICE
    after_operand: bool = False
    service_may_follow: bool = False


@dataclass(frozen=True)
class QueryPolicy:
    """The endpoint's rules (``ckg serve`` options)."""

    #: endpoint IRI prefixes SERVICE (and LOAD) may reach; empty: none
    service_allow: tuple[str, ...] = ()
    #: deepest bracket nesting accepted
    max_nesting: int = 128

    # -- checks ---------------------------------------------------------------------------
    def check_query(self, text: str, *, base_iri: str | None = None) -> list[str]:
        """Raise :class:`PolicyError` if ``text`` may not run; return the SERVICE endpoints.

        ``base_iri`` is the base the store resolves relative IRIs against (none by default).
        Whether a text mentions SERVICE at all is worked out once per text
        (:func:`_local`); one naming an endpoint is checked each time (what a host name
        resolves to may change).
        """
        if _local(self, text):
            return []
        return self._check(text, self._nesting(text), update=False, base_iri=base_iri)

    def check_update(self, text: str, *, base_iri: str | None = None) -> list[str]:
        """The same for an update; ``LOAD <url>`` counts as a target too."""
        unescaped = self._nesting(text)
        lowered = unescaped.lower() + "\n" + text.lower()
        if "service" not in lowered and "load" not in lowered:
            return []
        return self._check(text, unescaped, update=True, base_iri=base_iri)

    # -- parts ----------------------------------------------------------------------------
    def _nesting(self, text: str) -> str:
        depth = max_nesting(text)
        if depth > self.max_nesting:
            raise PolicyError(
                400,
                f"the query nests brackets {depth} deep; this endpoint accepts at most "
                f"{self.max_nesting}",
            )
        return unescape_codepoints(text)

    def _check(self, text: str, unescaped: str, *, update: bool, base_iri: str | None) -> list[str]:
        passes = [(text, True, "")]
        if unescaped != text:
            passes.append((unescaped, False, " (with its \\u escapes applied)"))
        targets: dict[Target, None] = {}
        failures: list[str] = []
        for source, uchar, how in passes:
            found, failure = _targets(source, uchar=uchar, update=update, base_iri=base_iri)
            targets.update(dict.fromkeys(found))
            if failure:
                failures.append(failure + how)
        for target in targets:
            self._allowed(target)
        if failures:
            kind, keywords = ("update", "SERVICE or LOAD") if update else ("query", "SERVICE")
            raise PolicyError(
                403,
                f"the {kind} mentions {keywords} and could not be checked against this "
                f"endpoint's federation policy, so it is refused ({failures[0]})",
            )
        return list(dict.fromkeys(t.iri for t in targets if t.iri))

    def _allowed(self, target: Target) -> None:
        allow = (
            ", ".join(self.service_allow)
            if self.service_allow
            else "no endpoint (start the server with --service-allow PREFIX to allow some)"
        )
        keyword = target.keyword
        if target.iri is None and target.problem is None:
            raise PolicyError(
                403,
                f"{keyword} with a variable ({target.written}) is refused: the endpoint must be "
                f"named, and be under an allowed prefix: {allow}",
            )
        if target.iri is None:
            raise PolicyError(403, f"{keyword} {target.written} is refused: {target.problem}")
        iri = target.iri
        try:
            parts = urlsplit(iri)
            prefix = next((p for p in self.service_allow if _under(iri, p)), None)
        except ValueError:  # an IRI that is no URL (an unclosed IPv6 address)
            parts, prefix = urlsplit(""), None
        if parts.scheme not in ("http", "https") or not parts.hostname or prefix is None:
            raise PolicyError(
                403, f"{keyword} <{iri}> is refused: this endpoint federates only with {allow}"
            )
        if _DOT_SEGMENT.search(parts.path):
            raise PolicyError(
                403,
                f"{keyword} <{iri}> is refused: its path has '.' or '..' segments, which the "
                "HTTP client would remove (and so leave the allowed prefix); name the endpoint "
                "without them",
            )
        explicit_host = urlsplit(prefix).hostname == parts.hostname
        if not explicit_host and _private(parts.hostname):
            raise PolicyError(
                403,
                f"{keyword} <{iri}> is refused: {parts.hostname} is a loopback or private "
                "address, allowed only when --service-allow names that host",
            )


def _under(iri: str, prefix: str) -> bool:
    """``iri`` starts with ``prefix``, and a prefix that ends with its host ends the host.

    ``http://example.org`` allows ``http://example.org/sparql`` but neither
    ``http://example.org.evil.net/`` nor ``http://example.org@evil.net/``.
    """
    if not iri.startswith(prefix):
        return False
    allowed = urlsplit(prefix)
    if allowed.netloc and not allowed.path and not allowed.query and not allowed.fragment:
        return urlsplit(iri).netloc == allowed.netloc
    return True


# -- reading the targets -----------------------------------------------------------------------
def _targets(
    text: str, *, uchar: bool, update: bool, base_iri: str | None
) -> tuple[list[Target], str | None]:
    """The targets of every reading of ``text``, and why its own reading fails (or None)."""
    return _Scan(text, uchar=uchar, update=update, base_iri=base_iri).run()


#: what may come right before the keyword SERVICE in a valid query: a group's brackets, the
#: end of a triple (a term, a literal ``true``/``false``, a collection or blank node), or the
#: end of another pattern
_BEFORE_SERVICE = frozenset({"{", "}", ".", ")", "]", ">"})
#: the keywords a reading acts on
_ACTIVE = frozenset({"SERVICE", "LOAD", "BASE", "PREFIX"})


class _Scan:
    """One text read for its targets.

    The grammar's reading (longest match) comes first and must be followable: where it is
    not, the caller refuses. Then, if the text can be read other ways at all, every reading
    is followed together, one state per place in the text and what is declared there; a
    reading that no parser accepts (a lexer error, a keyword without what must follow it) is
    dropped, since the store cannot run it. A target counts once what must follow it is
    read (``{`` after SERVICE's, ``;``, ``INTO`` or the end after LOAD's), whatever becomes
    of its reading later.
    """

    def __init__(self, text: str, *, uchar: bool, update: bool, base_iri: str | None) -> None:
        self.text = text
        self.lexer = Lexer(text, uchar=uchar)
        self.update = update
        self.base_iri = base_iri
        #: the prefixes in force after each PREFIX declaration (0: the predeclared ones)
        self.namespaces: list[dict[str, str]] = [dict(PREFIXES)]
        self._declared: dict[tuple[int, str, str], int] = {}
        self.found: dict[Target, None] = {}

    def run(self) -> tuple[list[Target], str | None]:
        failure, count, forks = self._grammars_reading()
        if forks or failure is not None:  # (when it fails: for the targets to name)
            failure = failure or self._every_reading(count)
        return list(self.found), failure

    def _grammars_reading(self) -> tuple[str | None, int, bool]:
        """Follow the longest-match reading: (why it fails, its tokens, whether others exist)."""
        state = _State(base=self.base_iri)
        count = 0
        forks = False
        try:
            for tok in self.lexer.tokens():
                count += 1
                if not forks:
                    forks = bool(self.lexer.alternatives(tok, state.after_operand, _KEYWORDS))
                state = self.step(state, tok, strict=False)
            self.end(state, len(self.text))
        except LexError as exc:
            return str(exc), count, forks
        except _Unreadable as exc:
            line, column = line_column(self.text, exc.pos)
            return f"line {line}, column {column}: {exc.reason}", count, forks
        return None, count, forks

    def _every_reading(self, count: int) -> str | None:
        """Follow every reading at once; why not, if there are too many to follow."""
        text, lexer = self.text, self.lexer
        start = lexer.skip(0)
        readings: dict[int, set[_State]] = {start: {_State(base=self.base_iri)}}
        queue = [start]
        live = 1
        tokens: dict[int, Token | None] = {}
        # a text read many ways at once, or along long detours, is refused rather than
        # followed for long: a valid query's readings meet again within a line
        budget = _STEPS_PER_TOKEN * count + _STEPS
        while queue:
            pos = heapq.heappop(queue)
            here = readings.pop(pos)
            live -= len(here)
            budget -= len(here)
            if live > _MAX_READINGS or budget < 0:
                return "it reads too many ways to be checked"
            if pos >= len(text):
                for state in here:
                    with contextlib.suppress(_Unreadable):
                        self.end(state, pos)
                continue
            if pos not in tokens:
                try:
                    tokens[pos] = lexer.token(pos)
                except LexError:
                    tokens[pos] = None
            tok = tokens[pos]
            if tok is None:
                continue
            for state in here:
                for choice in (tok, *lexer.alternatives(tok, state.after_operand, _KEYWORDS)):
                    try:
                        after = self.step(state, choice, strict=True)
                    except _Unreadable:
                        continue
                    nxt = lexer.skip(choice.end)
                    bucket = readings.get(nxt)
                    if bucket is None:
                        bucket = readings[nxt] = set()
                        heapq.heappush(queue, nxt)
                    if after not in bucket:
                        bucket.add(after)
                        live += 1
        return None

    def step(self, state: _State, tok: Token, *, strict: bool) -> _State:
        """One token further along one reading; raises :class:`_Unreadable` if none can go on.

        ``strict`` (every reading but the grammar's) drops readings in which ``SERVICE``
        follows what it cannot follow, and counts a target only once what must follow it
        is read; the grammar's reading counts each as soon as it is read.
        """
        expect = state.expect
        operand, pattern = tok.ends_operand(), _ends_pattern(tok)
        if expect == "" and (tok.kind != WORD or tok.text.upper() not in _ACTIVE):
            # the common step: nothing to do but remember what the token allows next
            if state.after_operand is operand and state.service_may_follow is pattern:
                return state
            return state._replace(after_operand=operand, service_may_follow=pattern)
        nxt = state._replace(after_operand=operand, service_may_follow=pattern)
        if expect == "":
            word = tok.text.upper()
            if word == "SERVICE":
                if strict and not state.service_may_follow:
                    raise _Unreadable(tok.start, "SERVICE cannot follow what comes before it")
                return nxt._replace(expect="SERVICE", keyword=tok)
            if word == "LOAD" and self.update:
                return nxt._replace(expect="LOAD", keyword=tok)
            if word in ("BASE", "PREFIX"):
                return nxt._replace(expect=word, keyword=tok)
            return nxt
        keyword = state.keyword
        assert keyword is not None
        name = keyword.text.upper()
        if expect in ("SERVICE", "LOAD") and tok.is_word("SILENT"):
            return nxt._replace(expect=f"{expect}-TARGET")
        if expect in ("SERVICE", "SERVICE-TARGET", "LOAD", "LOAD-TARGET"):
            target = self.target(state, tok, name)
            if not strict:
                self.found[target] = None
            expect = "GROUP" if name == "SERVICE" else "AFTER-LOAD"
            return nxt._replace(expect=expect, target=target)
        if expect == "GROUP":
            if tok.kind == PUNCT and tok.text == "{":
                return self.done(nxt, state.target)
            raise _Unreadable(
                tok.start, f"the SERVICE endpoint is followed by {tok.text!r}, not '{{'"
            )
        if expect == "AFTER-LOAD":
            if (tok.kind == PUNCT and tok.text == ";") or (
                tok.kind == WORD and tok.text.upper().startswith("INTO")
            ):
                return self.done(nxt, state.target)
            raise _Unreadable(tok.start, f"LOAD's IRI is followed by {tok.text!r}")
        if expect == "BASE":
            if tok.kind != IRIREF:
                raise _Unreadable(tok.start, f"BASE is followed by {tok.text!r}, not an IRI")
            base = _absolute(self.lexer.iri(tok), state.base, tok, "BASE")
            return nxt._replace(base=base, expect="", keyword=None)
        if expect == "PREFIX":
            if tok.kind != PNAME_NS:
                raise _Unreadable(
                    tok.start, f"PREFIX is followed by {tok.text!r}, not a prefix name"
                )
            return nxt._replace(expect="PREFIX-IRI", name=tok.text[:-1])
        if expect == "PREFIX-IRI":
            if tok.kind != IRIREF:
                raise _Unreadable(tok.start, f"PREFIX {state.name}: is followed by {tok.text!r}")
            iri = _absolute(self.lexer.iri(tok), state.base, tok, f"PREFIX {state.name}:")
            prefixes = self.declare(state.prefixes, state.name, iri, tok)
            return nxt._replace(prefixes=prefixes, expect="", keyword=None, name="")
        raise AssertionError(expect)  # pragma: no cover

    def done(self, state: _State, target: Target | None) -> _State:
        """What had to follow a target is read: the target counts."""
        if target is not None:
            self.found[target] = None
        return state._replace(expect="", keyword=None, target=None)

    def end(self, state: _State, pos: int) -> None:
        """The end of the text: no keyword may still be waiting for what must follow it."""
        if state.expect == "AFTER-LOAD":
            self.done(state, state.target)
        elif state.expect:
            keyword = state.keyword.text if state.keyword else state.expect
            raise _Unreadable(pos, f"the text ends after {keyword} where more must follow")

    def declare(self, version: int, name: str, iri: str, tok: Token) -> int:
        """The prefixes in force once ``name`` is declared ``iri`` where ``version`` was."""
        key = (version, name, iri)
        if key not in self._declared:
            if len(self.namespaces) > _MAX_DECLARATIONS:
                raise _Unreadable(tok.start, f"it declares over {_MAX_DECLARATIONS:,} prefixes")
            self.namespaces.append({**self.namespaces[version], name: iri})
            self._declared[key] = len(self.namespaces) - 1
        return self._declared[key]

    def target(self, state: _State, tok: Token, keyword: str) -> Target:
        """What ``tok`` names as the endpoint of ``keyword``."""
        if tok.kind in VARS:
            return Target(keyword, None, tok.text)
        if tok.kind == IRIREF:
            try:
                return Target(keyword, _resolve(self.lexer.iri(tok), state.base), tok.text)
            except ValueError as exc:
                return Target(keyword, None, tok.text, f"it is not a valid IRI ({exc})")
        if tok.kind in PNAMES:
            prefix, local = pname(tok)
            namespace = self.namespaces[state.prefixes].get(prefix)
            if namespace is None:
                raise _Unreadable(
                    tok.start, f"the prefix {prefix}: of {keyword} {tok.text} is not declared"
                )
            try:
                return Target(keyword, _resolve(namespace + local, None), tok.text)
            except ValueError as exc:
                return Target(keyword, None, tok.text, f"it is not a valid IRI ({exc})")
        raise _Unreadable(
            tok.start,
            f"{keyword} is followed by {tok.text!r} where an endpoint IRI or variable must be",
        )


def _ends_pattern(tok: Token) -> bool:
    """May the keyword SERVICE come right after ``tok`` in a valid query?

    After a group's brackets or a ``.``, or after what ends a triple: a term, a literal
    (``true``/``false`` are the only bare words that do), a collection or blank node.
    """
    if tok.kind == PUNCT:
        return tok.text in _BEFORE_SERVICE
    if tok.kind == WORD:
        return tok.is_word("TRUE", "FALSE")
    return tok.ends_operand()


def _absolute(iri: str, base: str | None, tok: Token, what: str) -> str:
    """``iri`` resolved for a BASE or PREFIX declaration, which must then be absolute."""
    try:
        resolved = _resolve(iri, base)
    except ValueError as exc:
        raise _Unreadable(tok.start, f"{what} <{iri}> is not a valid IRI ({exc})") from None
    if not _SCHEME.match(resolved):
        raise _Unreadable(tok.start, f"{what} <{iri}> is relative and there is no base IRI")
    return resolved


@per_query_text
def _local(policy: QueryPolicy, text: str) -> bool:
    """Whether ``text`` mentions no SERVICE (so the policy has nothing more to check);
    raises :class:`PolicyError` if it nests deeper than ``policy`` allows."""
    unescaped = policy._nesting(text)
    return "service" not in unescaped.lower() and "service" not in text.lower()


@lru_cache(maxsize=4096)
def _resolve(iri: str, base: str | None) -> str:
    """``iri`` resolved against ``base`` exactly as the store resolves it (its own IRI code).

    A relative IRI with no base stays relative (and is refused as a target). Raises
    :class:`ValueError` for text that is no IRI.
    """
    if _IRI_CHARS.fullmatch(iri) is None:
        raise ValueError("it holds a character no IRI may")
    if base is None and not _SCHEME.match(iri):
        return iri
    doc = f"<{iri}> <urn:ckg:p> <urn:ckg:o> .".encode()
    try:
        quads = list(ox.parse(doc, format=ox.RdfFormat.TURTLE, base_iri=base))
    except (SyntaxError, ValueError) as exc:
        raise ValueError(" ".join(str(exc).split())) from None
    return str(quads[0].subject.value)


def _private(host: str) -> bool:
    """Loopback, private, link-local or unspecified: by literal, or by what the name resolves to."""
    # as a URL parser reads the host: %-escapes decoded, full-width digits made ASCII
    host = unicodedata.normalize("NFKC", unquote(host)).lower()
    if host.rstrip(".") in ("localhost", "localhost.localdomain") or host.rstrip(".").endswith(
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
