"""Text normalisation shared by the vocabulary compiler and the matcher.

The matcher searches a *normalised copy* of the text: lower case, and every
character that is not a letter or digit replaced by a space. The copy has
exactly the length of the original, so an offset in it is an offset in the
text. Patterns are normalised the same way and wrapped in spaces, so an
Aho-Corasick hit can only start and end at a word boundary ("ace" never
matches inside "surface"), and "SARS-CoV-2", "SARS CoV 2" and "sars-cov-2"
are the same key.
"""

from __future__ import annotations

import re
import unicodedata

#: ASCII bytes -> lower-case letter, digit, or space (non-ASCII bytes never reach it)
_ASCII_BYTES = bytes(
    ord(chr(i).lower()) if i < 128 and chr(i).isalnum() else 32 if i < 128 else i
    for i in range(256)
)
_SPACES = re.compile(r" +")
#: after ``str.lower``: what is not a letter or digit (``\w`` is str.isalnum plus "_")
_NOT_ALNUM = re.compile(r"[^\w ]|_")


def _slow_char(c: str) -> str:
    if c.isalnum():
        low = c.lower()
        return low if len(low) == 1 else c
    return " "


def normalise_text(text: str) -> str:
    """Lower-cased text with non-alphanumerics as spaces, same length as ``text``.

    Every text the matcher reads goes through here (25M characters per 3k
    papers), so each case takes its cheapest exact path: a byte table for
    ASCII, one regex pass when lower-casing keeps the length, else per character.
    """
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_BYTES).decode("ascii")
    low = text.lower()
    if len(low) == len(text):
        return _NOT_ALNUM.sub(" ", low)
    return "".join(_slow_char(c) for c in text)


def normalise_term(term: str) -> str:
    """The key of a vocabulary surface form: normalised, single spaces, trimmed."""
    term = unicodedata.normalize("NFC", term)
    return _SPACES.sub(" ", normalise_text(term)).strip()


def plural_forms(key: str) -> list[str]:
    """English plurals of a normalised key's last word ("virus" -> "viruses").

    Plurals are added to the vocabulary rather than stemming the text, which
    keeps matching a single pass.
    """
    head, _, last = key.rpartition(" ")
    if len(last) < 3 or not last.isalpha():
        return []
    prefix = head + " " if head else ""
    if last.endswith("is"):  # metastasis -> metastases
        forms = [last[:-2] + "es"]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        forms = [last + "es"]
    elif last.endswith("y") and last[-2] not in "aeiou":
        forms = [last[:-1] + "ies"]
    else:
        forms = [last + "s"]
    return [prefix + f for f in forms]
