"""A SPARQL 1.1 lexer: the grammar's terminals (query section 19.8), exactly, and nothing more.

Why a lexer and not a parser: the federation policy only needs the IRIs that follow the
keywords SERVICE and LOAD and the BASE and PREFIX declarations in force there, which are
facts about tokens. A full parser (rdflib's) got valid queries wrong (it read the ``#`` of
``PREFIX skos: <...core#>`` as a comment) and so refused them; a lexer small enough to be
checked against the W3C syntax suites does not.

:meth:`Lexer.tokens` is the grammar's own reading: "when tokenizing the input, the longest
match is chosen", comments (``#`` to the end of the line) and whitespace between tokens.
Oxigraph, the store behind the endpoint, does not tokenise first: its parser matches
terminals where the grammar expects them, so on some texts it reads other tokens.
:meth:`Lexer.alternatives` lists those other readings, so a caller that must know every
reading (the policy) can follow them all:

* ``<`` after an operand inside an expression is the less-than operator to Oxigraph, also
  where the longest match is an IRI (``FILTER(?a<?b)#>`` is ``?a < ?b``, then a comment);
* a keyword is matched as a prefix of the text, without a word boundary (``SERVICE:x``,
  ``SERVICEe:x``, ``SERVICESILENT``, ``trueSERVICE``, ``PREFIXe:`` all read as keyword
  and rest).

``uchar=True`` lexes text as written the way Oxigraph does: ``\\uXXXX`` and ``\\UXXXXXXXX``
are characters inside IRIs and strings only (the SPARQL text itself is not unescaped
first, as the recommendation's section 19.2 would have it: ``unescape_codepoints`` in
:mod:`ckg_rdf.sparql_text` gives that reading).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

IRIREF = "IRIREF"
PNAME_NS = "PNAME_NS"
PNAME_LN = "PNAME_LN"
BLANK_NODE_LABEL = "BLANK_NODE_LABEL"
VAR1 = "VAR1"
VAR2 = "VAR2"
LANGTAG = "LANGTAG"
INTEGER = "INTEGER"
DECIMAL = "DECIMAL"
DOUBLE = "DOUBLE"
STRING_LITERAL1 = "STRING_LITERAL1"
STRING_LITERAL2 = "STRING_LITERAL2"
STRING_LITERAL_LONG1 = "STRING_LITERAL_LONG1"
STRING_LITERAL_LONG2 = "STRING_LITERAL_LONG2"
NIL = "NIL"
ANON = "ANON"
#: operators and brackets: ``{ } ( ) [ ] ; , . * / + - ! = != < <= > >= && || ^ ^^ | ? ~``
PUNCT = "PUNCT"
#: a bare word: a keyword (``SELECT``, ``a``, ``true``) or a built-in function name
WORD = "WORD"

STRINGS = frozenset({STRING_LITERAL1, STRING_LITERAL2, STRING_LITERAL_LONG1, STRING_LITERAL_LONG2})
PNAMES = frozenset({PNAME_NS, PNAME_LN})
VARS = frozenset({VAR1, VAR2})
NUMBERS = frozenset({INTEGER, DECIMAL, DOUBLE})

# -- the terminals (section 19.8), as regular expressions ------------------------------------
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_EXPONENT = r"[eE][+-]?[0-9]+"


def _terminals(uchar: bool) -> dict[str, re.Pattern[str]]:
    iri_char = r"[^<>\"{}|^`\\\x00-\x20]" + (f"|{_UCHAR}" if uchar else "")
    echar = r"\\[tbnrf\\\"']" + (f"|{_UCHAR}" if uchar else "")
    return {
        IRIREF: re.compile(f"<(?:{iri_char})*>"),
        # long strings first: ''' opens a long string, not an empty one
        STRING_LITERAL_LONG1: re.compile(f"'''(?:(?:'|'')?(?:[^'\\\\]|{echar}))*'''"),
        STRING_LITERAL_LONG2: re.compile(f'"""(?:(?:"|"")?(?:[^"\\\\]|{echar}))*"""'),
        STRING_LITERAL1: re.compile(f"'(?:[^'\\\\\\n\\r]|{echar})*'"),
        STRING_LITERAL2: re.compile(f'"(?:[^"\\\\\\n\\r]|{echar})*"'),
    }


_STRICT = _terminals(uchar=False)
_WITH_UCHAR = _terminals(uchar=True)
_WHITESPACE = re.compile(r"[\x20\t\r\n]+")
#: where a comment ends (a comment is ``#`` to the end of the line)
_LINE_BREAK = re.compile(r"[\r\n]")
_BLANK_NODE_LABEL = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
_VAR = re.compile(f"[?$]{_VARNAME}")
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_NUMBER = re.compile(
    f"(?P<DOUBLE>[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})"
    r"|(?P<DECIMAL>[0-9]*\.[0-9]+)|(?P<INTEGER>[0-9]+)"
)
_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NIL = re.compile(r"\([\x20\t\r\n]*\)")
_ANON = re.compile(r"\[[\x20\t\r\n]*\]")
_PUNCT = re.compile(r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*/+\-!=<>^|?~]")
_DIGITS = frozenset("0123456789")
_PLX_ESCAPE = re.compile(r"\\(.)")
_UCHAR_ESCAPE = re.compile(_UCHAR)
#: tokens that can end an operand of an expression, after which ``<`` may be less-than
_OPERAND_END = (
    STRINGS
    | PNAMES
    | VARS
    | NUMBERS
    | frozenset({IRIREF, LANGTAG, NIL, WORD, BLANK_NODE_LABEL, ANON})
)


@dataclass(frozen=True, slots=True)
class Token:
    """One terminal: its kind (the grammar's name), its exact text, and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def is_word(self, *words: str) -> bool:
        """A bare word equal to one of ``words``, ignoring ASCII case (as keywords are)."""
        return self.kind == WORD and self.text.upper() in words

    def ends_operand(self) -> bool:
        """Could this token end an expression operand (so that a ``<`` after it compares)?"""
        return self.kind in _OPERAND_END or (self.kind == PUNCT and self.text in (")", "]"))


class LexError(ValueError):
    """Text that is no SPARQL terminal, with where it is (1-based line and column)."""

    def __init__(self, text: str, pos: int, reason: str) -> None:
        self.pos = pos
        self.line, self.column = line_column(text, pos)
        self.reason = reason
        super().__init__(f"line {self.line}, column {self.column}: {reason}")


def line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of offset ``pos``."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


class Lexer:
    """Tokens of one SPARQL text. Positions are offsets into ``text``."""

    def __init__(self, text: str, *, uchar: bool = False) -> None:
        self.text = text
        self.uchar = uchar
        self._terminals = _WITH_UCHAR if uchar else _STRICT
        self._breaks: list[int] | None = None

    def skip(self, pos: int) -> int:
        """The offset of the next token at or after ``pos`` (past whitespace and comments).

        A comment's end is looked up, not scanned for: readings that start a comment in many
        places of one long line must not each read the line to its end.
        """
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if ch in " \t\r\n":
                pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
            elif ch == "#":
                if self._breaks is None:
                    self._breaks = [m.start() for m in _LINE_BREAK.finditer(text)]
                i = bisect.bisect_left(self._breaks, pos)
                pos = self._breaks[i] if i < len(self._breaks) else len(text)
            else:
                break
        return pos

    def token(self, pos: int) -> Token:
        """The longest terminal starting at ``pos`` (a token start); :class:`LexError` if none."""
        text = self.text
        ch = text[pos]
        kind: str | None = None
        m: re.Match[str] | None = None
        if ch == "<":
            m = self._terminals[IRIREF].match(text, pos)
            kind = IRIREF
        elif ch in "'\"":
            for kind in (
                (STRING_LITERAL_LONG1, STRING_LITERAL1)
                if ch == "'"
                else (STRING_LITERAL_LONG2, STRING_LITERAL2)
            ):
                m = self._terminals[kind].match(text, pos)
                if m:
                    break
            if not m:
                raise LexError(text, pos, "a string that does not end (or has a bad \\ escape)")
        elif ch in "?$":
            m = _VAR.match(text, pos)
            kind = VAR1 if ch == "?" else VAR2
        elif ch == "@":
            m = _LANGTAG.match(text, pos)
            kind = LANGTAG
        elif ch == "_":
            m = _BLANK_NODE_LABEL.match(text, pos)
            kind = BLANK_NODE_LABEL
        elif ch in _DIGITS or (ch == "." and text[pos + 1 : pos + 2] in _DIGITS):
            m = _NUMBER.match(text, pos)
            if m:
                kind = m.lastgroup
        elif ch == "(":
            m = _NIL.match(text, pos)
            kind = NIL
        elif ch == "[":
            m = _ANON.match(text, pos)
            kind = ANON
        else:
            m = _PNAME.match(text, pos)
            if m:
                kind = PNAME_LN if m.group("local") else PNAME_NS
            else:
                m = _WORD.match(text, pos)
                kind = WORD
        if m and kind:
            return Token(kind, m.group(), pos)
        m = _PUNCT.match(text, pos)
        if m:
            return Token(PUNCT, m.group(), pos)
        raise LexError(text, pos, f"{text[pos]!r} starts no SPARQL token")

    def tokens(self) -> Iterator[Token]:
        """Every token, in order: the grammar's longest-match reading."""
        pos = self.skip(0)
        while pos < len(self.text):
            tok = self.token(pos)
            yield tok
            pos = self.skip(tok.end)

    def alternatives(
        self, tok: Token, after_operand: bool, keywords: tuple[str, ...] = ()
    ) -> list[Token]:
        """Other tokens a context-driven parser (Oxigraph's) may read where ``tok`` starts.

        The less-than operator where the longest match is an IRI right after a token that
        :meth:`Token.ends_operand` (``after_operand``), when the IRI holds ``'`` or ``#``:
        only then does what follows read differently (a string or a comment starts inside
        it), and nothing else fits between ``<`` and ``>`` that could hide a SERVICE call.
        And each of ``keywords`` that the text at ``tok`` starts with (ASCII case ignored),
        where ``tok`` is a longer word or prefixed name.
        """
        found: list[Token] = []
        text = self.text
        if tok.kind == IRIREF and after_operand and ("'" in tok.text or "#" in tok.text):
            op = "<=" if text.startswith("<=", tok.start) else "<"
            found.append(Token(PUNCT, op, tok.start))
        if tok.kind in (WORD, PNAME_NS, PNAME_LN):
            for word in keywords:
                n = len(word)
                if len(tok.text) > n and text[tok.start : tok.start + n].upper() == word:
                    if text[tok.start : tok.start + n].isascii():
                        found.append(Token(WORD, text[tok.start : tok.start + n], tok.start))
        return found

    # -- values ---------------------------------------------------------------------------
    def iri(self, tok: Token) -> str:
        """The IRI an IRIREF token writes (its ``\\u`` escapes applied when lexing with them)."""
        body = tok.text[1:-1]
        if self.uchar and "\\" in body:
            body = _UCHAR_ESCAPE.sub(lambda m: _char(m.group()), body)
        return body


def pname(tok: Token) -> tuple[str, str]:
    """``(prefix, local name)`` of a prefixed name, the local name's ``\\`` escapes removed.

    Percent escapes stay as written, as the grammar says (they are part of the IRI).
    """
    prefix, _, local = tok.text.partition(":")
    return prefix, _PLX_ESCAPE.sub(r"\1", local)


def _char(escape: str) -> str:
    try:
        return chr(int(escape[2:], 16))
    except ValueError:  # beyond U+10FFFF: not a character, keep it (the IRI will not parse)
        return escape
