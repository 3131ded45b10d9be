"""A small NegEx-style negation detector.

Why NegEx and not a model: it is the rule set clinical NLP has used since
2001 (Chapman et al.), needs no weights and runs in microseconds. This is a
reduced version: a pre-negation cue ("no", "without", "negative for", ...)
up to five words before the mention in the same sentence, with no
termination cue ("but", "however", ...) in between; or a post-negation cue
right after it ("... was ruled out", "... were negative"). Only conditions
are checked: "without ECMO" or "no remdesivir" are not findings.
"""

from __future__ import annotations

import re

NEGATABLE_TYPES = frozenset({"MEDICAL_CONDITION"})

_PRE = re.compile(
    r"\b(?:no|not(?! only)|without|absence of|absent|negative for|denie[sd]|free of|"
    r"ruled out|rule out|no evidence of|no signs? of|neither|nor|never)\b",
    re.IGNORECASE,
)
_TERMINATE = re.compile(
    r"\b(?:but|however|although|though|except|apart from|aside from|whereas|while|which|who|"
    r"yet|still)\b|[.;:?!]",
    re.IGNORECASE,
)
_POST = re.compile(
    r"^[\s,]*(?:was|were|is|are|had been|has been|have been)\s+"
    r"(?:not\s+(?:detected|observed|found|present|seen)|negative|absent|ruled out|excluded)\b",
    re.IGNORECASE,
)
_WINDOW_CHARS = 80
_MAX_WORDS_BETWEEN = 5


def is_negated(text: str, start: int, end: int) -> bool:
    """Whether a negation cue governs the span ``text[start:end]``."""
    before = text[max(0, start - _WINDOW_CHARS) : start]
    last = None
    for m in _PRE.finditer(before):
        last = m
    if last is not None:
        between = before[last.end() :]
        if not _TERMINATE.search(between) and len(between.split()) <= _MAX_WORDS_BETWEEN:
            return True
    return bool(_POST.match(text[end : end + 40]))
