"""Small, exact facts about SPARQL text that need no parse tree.

Used where a full parse is not wanted: measuring bracket nesting before a
query reaches a parser that would crash on it, and finding the brace that
opens a WHERE clause (to bind parameters on a store that has no
substitution API). Strings, IRIs and comments are blanked out first, with
the regular expressions of the SPARQL grammar, so brackets inside them never
count; codepoint escapes (``\\u007B``) are applied first, as a SPARQL parser
applies them to the whole query text before it reads anything else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Order matters: long strings before short ones, so '''...''' is one token.
_OPAQUE = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>"""
    r"|#[^\n\r]*",
    re.S,
)
_BRACKETS = re.compile(r"[{}()\[\]]")
_OPEN = {"{": "}", "(": ")", "[": "]"}
_WHERE = re.compile(r"\bwhere\b", re.I)


def unescape_codepoints(query: str) -> str:
    """Apply SPARQL's ``\\u``/``\\U`` escapes (query section 19.2), as the parser will."""

    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:  # beyond U+10FFFF: the parser rejects it
            return m.group(0)

    return _CODEPOINT.sub(repl, query) if "\\u" in query or "\\U" in query else query


def blank_opaque(query: str) -> str:
    """``query`` with strings, IRIs and comments replaced by spaces of the same length."""
    return _OPAQUE.sub(lambda m: " " * (m.end() - m.start()), query)


def _deepest(text: str) -> int:
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def max_nesting(query: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[``: outside strings, IRIs and comments, or
    counting every bracket, whichever is deeper.

    Both readings, because a parser may not read the text as this module does: Oxigraph
    takes ``<`` after an operand as less-than, so ``FILTER(?a<(((...)))>?b)`` nests deeply
    for it while the brackets sit inside an "IRI" for the blanked reading (and deep nesting
    crashes its parser). Counting every bracket can only over-count.
    """
    text = unescape_codepoints(query)
    return max(_deepest(blank_opaque(text)), _deepest(text))


_TAIL_LIMIT = re.compile(
    r"(?<![\w?$:.\-])"
    r"(?:limit\s+(\d+)(?:\s+offset\s+\d+)?|offset\s+\d+\s+limit\s+(\d+))\s*\Z",
    re.I,
)


def outer_limit(query: str) -> int | None:
    """The LIMIT of the query's outermost solutions, when the text ends with it (``... LIMIT
    10`` or ``... LIMIT 10 OFFSET 20``, comments aside); else None.

    Text that ends with LIMIT can only end the outermost query: a subquery's LIMIT is
    followed by its closing brace. None says nothing (a trailing VALUES block, or no limit).
    """
    text = blank_opaque(unescape_codepoints(query))
    m = _TAIL_LIMIT.search(text)
    if m is None:
        return None
    return int(m.group(1) or m.group(2))


#: query texts :func:`per_query_text` keeps per function, and the longest it keeps
#: (4,096 texts of at most 8 KB: at most 32 MB)
MEMO_TEXTS = 4096
MEMO_CHARS = 8192

_R = TypeVar("_R")


def per_query_text(fn: Callable[..., _R]) -> Callable[..., _R]:
    """``fn`` remembered per arguments, its last one a query text: clients send the same
    text again and again, so what depends on the text alone is worked out once. A text
    longer than :data:`MEMO_CHARS` is not kept, nor is a call that raises."""
    kept = functools.lru_cache(maxsize=MEMO_TEXTS)(fn)

    @functools.wraps(fn)
    def call(*args: Any) -> _R:
        return kept(*args) if len(args[-1]) <= MEMO_CHARS else fn(*args)

    return call


def where_braces(query: str) -> list[int]:
    """Indexes of the ``{`` opening each WHERE group: the query's and every subquery's.

    The brace after each ``WHERE`` keyword; a query with no WHERE keyword at the top
    (``SELECT * { ... }``, ``ASK { ... }``) has its first top-level ``{`` instead, and a
    bare ``DESCRIBE <iri>`` has none.
    """
    blank = blank_opaque(query)
    found: list[int] = []
    depth = 0
    first_top: int | None = None
    top_where = False
    pending = False
    for i, ch in enumerate(blank):
        if ch == "{":
            if pending:
                found.append(i)
                pending = False
            elif depth == 0 and first_top is None:
                first_top = i
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch in "wW" and _WHERE.match(blank, i):
            before = blank[i - 1] if i else " "
            if not (before.isalnum() or before in "_:?$"):
                pending = True
                top_where = top_where or depth == 0
    if not top_where and first_top is not None:
        found.insert(0, first_top)
    return sorted(found)


def bind_inline(sparql: str, bindings: Mapping[Any, Any] | None) -> str:
    """``sparql`` with ``bindings`` (pyoxigraph ``Variable`` -> term) written into it: an
    inline ``VALUES`` row opening the query's WHERE group and every subquery's.

    Used where SEP-0007 substitution is missing (a remote SPARQL server) or does not reach
    inside subqueries (Oxigraph 0.5 evaluates a subquery whole and joins the binding after:
    20-150x slower for the pages' per-entity subqueries). A bound variable is thus bound in
    every subquery too: a subquery must not reuse its name for something else. Each value is
    written with pyoxigraph's own term syntax (``str(term)``), which escapes it, so a value
    can never change the query's structure.
    """
    if not bindings:
        return sparql
    names = " ".join(f"?{v.value}" for v in bindings)
    row = " ".join(str(t) for t in bindings.values())
    values = f" VALUES ({names}) {{ ({row}) }} "
    braces = where_braces(sparql)
    if not braces:
        return f"{sparql}\nVALUES ({names}) {{ ({row}) }}"
    out = []
    last = 0
    for b in braces:
        out.append(sparql[last : b + 1])
        out.append(values)
        last = b + 1
    out.append(sparql[last:])
    return "".join(out)
