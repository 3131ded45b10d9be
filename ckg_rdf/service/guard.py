"""Spotting ``SERVICE`` in a query before it runs (SSRF protection).

pyoxigraph runs ``SERVICE <url>`` against any URL and cannot be told not to,
so a public endpoint must refuse such queries itself. We cannot see the
parser's syntax tree, so we lex the query the way the SPARQL grammar does:
first the ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes that SPARQL (and Oxigraph)
apply to the whole query text before parsing, then strings, IRIs and comments
are skipped, and ``SERVICE`` as a keyword is looked for in what remains. A
query that never mentions the word after unescaping is cleared without
lexing, and the lexer errs on the side of finding a keyword.
"""

from __future__ import annotations

import re

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORD = re.compile(r"service", re.IGNORECASE)
# A keyword token: not part of a prefixed name (ex:service, service:x) or a
# variable (?service, $service), nor of a longer word. A false alarm (ex:a-service)
# only refuses a query; a miss would let it through, so we lean to false alarms.
_KEYWORD = re.compile(r"(?<![\w:?$])service(?![\w:])", re.IGNORECASE)
# IRIREF per the SPARQL grammar: no spaces, quotes, braces, pipes, carets, backticks.
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def unescape_codepoints(query: str) -> str:
    """Apply SPARQL's codepoint escapes (section 19.2), as the parser will."""

    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:  # beyond U+10FFFF: leave it, the parser will reject it
            return m.group(0)

    return _CODEPOINT.sub(repl, query)


def _strip(query: str) -> str:
    """The query with strings, IRIs and comments blanked out (replaced by spaces)."""
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                if query[j] == "\\":
                    j += 1
                elif len(quote) == 1 and query[j] in "\r\n":
                    break  # short strings end at a newline (a syntax error anyway)
                j += 1
            i = j + len(quote)
            out.append(" ")
        elif c == "<":
            m = _IRIREF.match(query, i)
            if m:
                out.append(" ")
                i = m.end()
            else:  # the less-than operator
                out.append(c)
                i += 1
        elif c == "#":
            while i < n and query[i] not in "\r\n":
                i += 1
            out.append(" ")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def uses_service(query: str) -> bool:
    """True if the query (after codepoint unescaping) has a ``SERVICE`` clause."""
    text = unescape_codepoints(query)
    if not _WORD.search(text):
        return False
    return bool(_KEYWORD.search(_strip(text)))
