"""Tokens and sentences the way the training corpora cut them.

The IOB corpora (cambridgeltl/MTL-Bioinformatics-2016) keep runs of letters
and digits together and make every other non-space character a token of its
own ("22-oxacalcitriol" -> "22", "-", "oxacalcitriol"; "Parkinson's" ->
"Parkinson", "'", "s"). A model trained on them only sees such tokens, so raw
text is cut the same way here, keeping character offsets so a tagged token
range maps back to a span of the original text.

Sentences: the models were trained on sentences, and a CRF's cost and
quality both suffer on a whole abstract as one sequence, so text is split at
``.``/``!``/``?`` followed by space and an upper-case letter or digit, except
after common abbreviations ("e.g.", "et al.", "Fig."). Long runs without a
stop are cut every ``MAX_SENTENCE_TOKENS`` tokens.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W_]+|\S")
#: last word before a full stop that does not end a sentence
_NO_BREAK_AFTER = frozenset(
    {"e", "g", "i", "al", "fig", "figs", "vs", "ca", "approx", "dr", "mr", "mrs", "no", "st"}
    | {"sp", "spp", "var", "subsp", "cf", "ref", "refs", "eq", "resp", "inc", "ltd", "co"}
)
MAX_SENTENCE_TOKENS = 200

Token = tuple[int, int]


def tokenize(text: str) -> list[Token]:
    """(start, end) of each token of ``text``, in order."""
    return [m.span() for m in _TOKEN.finditer(text)]


def split_sentences(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Sentences as (first token index, end token index) ranges covering ``tokens``."""
    out: list[tuple[int, int]] = []
    begin = 0
    n = len(tokens)
    for i, (s, e) in enumerate(tokens):
        if i - begin + 1 >= MAX_SENTENCE_TOKENS:
            out.append((begin, i + 1))
            begin = i + 1
            continue
        if e - s != 1 or text[s] not in ".!?" or i + 1 >= n:
            continue
        nxt_s = tokens[i + 1][0]
        if nxt_s == e:  # "3.5", "e.g" : no space after the stop
            continue
        first = text[nxt_s]
        if not (first.isupper() or first.isdigit() or first in "([\"'"):
            continue
        if text[s] == "." and i > begin:
            ps, pe = tokens[i - 1]
            prev = text[ps:pe]
            if pe == s and (prev.lower() in _NO_BREAK_AFTER or (len(prev) == 1 and prev.isupper())):
                continue
        out.append((begin, i + 1))
        begin = i + 1
    if begin < n:
        out.append((begin, n))
    return out
