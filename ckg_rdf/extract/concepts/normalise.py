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

_ASCII_TABLE = {i: " " for i in range(128) if not chr(i).isalnum()}
_ASCII_TABLE.update({ord(c): ord(c.lower()) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_SPACES = re.compile(r" +")
_NOT_ALNUM = re.compile(r"[^\w ]")


def _slow_char(c: str) -> str:
    if c.isalnum():
        low = c.lower()
        return low if len(low) == 1 else c
    return " "


def normalise_text(text: str) -> str:
    """Lower-cased text with non-alphanumerics as spaces, same length as ``text``."""
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    low = text.lower()
    if len(low) == len(text):
        # every character lowered to one: blank what is not a letter or digit in one pass
        # (``\w`` is exactly str.isalnum plus "_", and "_" is already a space)
        return _NOT_ALNUM.sub(" ", low.translate(_ASCII_TABLE))
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
