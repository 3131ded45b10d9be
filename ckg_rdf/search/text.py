"""Text handling shared by the indexer and the searcher: normalising, words, FTS5 syntax.

The full-text index tokenises with SQLite's ``porter unicode61 remove_diacritics 2``;
these helpers only decide *what* is sent to it, and keep the small unstemmed
word list (the spelling table) that typo tolerance looks candidates up in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: a run of letters and digits (what unicode61 calls a token, closely enough)
_WORD = re.compile(r"\w+", re.UNICODE)
#: words shorter than this are never corrected and not kept in the spelling table
MIN_SPELL = 4
#: words longer than this are not kept in the spelling table (ids, sequences)
MAX_SPELL = 30
#: the FTS5 tokenizer of every text column
TOKENIZER = "porter unicode61 remove_diacritics 2"
#: separator of exact-match keys in ``docs.keys``
KEY_SEP = "\x1f"


def fold(text: str) -> str:
    """Lowercase, without diacritics, whitespace collapsed: how exact matches compare."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def words(text: str) -> list[str]:
    """The folded words of a text (for the spelling table and query parsing)."""
    return _WORD.findall(fold(text))


def spell_words(texts: Iterable[str]) -> set[str]:
    """The distinct words of these texts worth offering as corrections."""
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(_WORD.findall(text.lower()))
    out: set[str] = set()
    for w in found:
        if not w.isascii():
            w = fold(w)
        if MIN_SPELL <= len(w) <= MAX_SPELL and w.isalpha():
            out.add(w)
    return out


def keys_field(keys: Iterable[str]) -> str:
    """Exact-match keys as stored: each folded key between separators."""
    folded = [k for k in (fold(x) for x in keys) if k]
    if not folded:
        return ""
    return KEY_SEP + KEY_SEP.join(dict.fromkeys(folded)) + KEY_SEP


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string (a phrase of its tokens), quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


# --- query parsing -------------------------------------------------------------
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


def parse_terms(query: str) -> list[tuple[str, bool]]:
    """The user's query as terms: (text, is_phrase). Quoted text is a phrase; every other
    whitespace-separated chunk a term (``SARS-CoV-2`` stays one term: a phrase of its
    tokens to FTS5). Chunks with no letter or digit are dropped."""
    terms: list[tuple[str, bool]] = []
    for m in _TERM.finditer(query):
        phrase, chunk = m.group(1), m.group(2)
        text = phrase if phrase is not None else chunk
        if text is None or not _WORD.search(fold(text)):
            continue
        terms.append((text.strip(), phrase is not None))
    return terms
