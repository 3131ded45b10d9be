"""Token features for the CRF taggers.

Why these: a linear-chain CRF only knows what its features say, and for
biomedical names the evidence is mostly in the word itself (its shape: "IL-6",
"BRCA1"; its affixes: "-itis", "-emia", "-mycin", "-ase") and in the words
around it ("... gene", "patients with ..."). Two feature families come from
outside the corpora: the vocabulary matcher's hits (a gazetteer: the token
starts or continues a known condition, drug, gene, ...), which lets the model
trust a dictionary where it helps and override it where a corpus disagrees;
and word clusters learned from unlabelled in-domain text (``clusters.py``),
which carry what the model learned about a word to words used like it.

Features are plain strings (python-crfsuite's fastest input form); one list
per token. The same function serves training and prediction, so they cannot
drift apart.
"""

from __future__ import annotations

import re

_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega".split()
)
_SHAPE_TABLE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_REPEATS = re.compile(r"(.)\1+")
_DIGIT = re.compile(r"\d")


def shape(word: str) -> str:
    """ "IL-6" -> "XX-d"; non-ASCII letters are kept as they are."""
    return word.translate(_SHAPE_TABLE)


def short_shape(word: str) -> str:
    """Runs collapsed: "BRCA1" -> "Xd", "Parkinson" -> "Xx"."""
    return _REPEATS.sub(r"\1", shape(word))


#: word -> its own features; words recur, and this halves feature time
_WORD_CACHE: dict[str, tuple[list[str], str]] = {}
_WORD_CACHE_MAX = 200_000


def _cached(word: str) -> tuple[list[str], str]:
    """(features of the word itself, its short shape), memoised."""
    hit = _WORD_CACHE.get(word)
    if hit is None:
        if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
            _WORD_CACHE.clear()
        hit = (_word_features(word), short_shape(word))
        _WORD_CACHE[word] = hit
    return hit


def _word_features(word: str) -> list[str]:
    low = word.lower()
    sh = shape(word)
    ssh = _REPEATS.sub(r"\1", sh)
    feats = [
        "w=" + low,
        "s=" + (sh if len(sh) <= 8 else ssh),
        "ss=" + ssh,
        "len=" + (str(len(word)) if len(word) < 6 else "6+"),
    ]
    n = len(low)
    for k in (1, 2, 3, 4, 5):
        if n > k:
            feats.append(f"p{k}={low[:k]}")
            feats.append(f"x{k}={low[-k:]}")
    if word[:1].isupper():
        feats.append("cap")
        if word.isupper() and n > 1:
            feats.append("allcap")
        elif any(c.isupper() for c in word[1:]):
            feats.append("mixcap")
    elif any(c.isupper() for c in word):
        feats.append("incap")  # "mRNA", "sAD"
    if any(c.isdigit() for c in word):
        feats.append("hasdigit")
        if word.isdigit():
            feats.append("digits")
    if low in _GREEK:
        feats.append("greek")
    if not word[:1].isalnum():
        feats.append("punct=" + word)
    return feats


def sentence_features(
    words: list[str],
    gazetteer: list[str],
    clusters: dict[str, tuple[str, str]] | None = None,
) -> list[list[str]]:
    """Features of each token of one sentence.

    ``gazetteer[i]`` is "" or "TYPE:B"/"TYPE:I": the vocabulary matcher's hit
    covering token ``i`` (see :func:`gazetteer_tags`). ``clusters`` maps a
    word's cluster key (``clusters.cluster_key``) to its coarse and fine
    word-cluster ids.
    """
    n = len(words)
    lows = [w.lower() for w in words]
    own = [_cached(w) for w in words]
    sshapes = [o[1] for o in own]
    cl: list[tuple[str, str] | None] = (
        [clusters.get(_DIGIT.sub("0", low)) for low in lows] if clusters else [None] * n
    )
    out: list[list[str]] = []
    for i in range(n):
        f = ["b", *own[i][0]]
        c = cl[i]
        if c is not None:
            f.append("c1=" + c[0])
            f.append("c2=" + c[1])
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n and cl[j] is not None:
                f.append(f"{d}c2={cl[j][1]}")
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f.append(f"{d}w={lows[j]}")
                if abs(d) == 1:
                    f.append(f"{d}ss={sshapes[j]}")
                    low = lows[j]
                    if len(low) > 3:
                        f.append(f"{d}x3={low[-3:]}")
            else:
                f.append(f"{d}w=<{'s' if d < 0 else 'e'}>")
        if i > 0:
            f.append(f"-1w|w={lows[i - 1]}|{lows[i]}")
        if i + 1 < n:
            f.append(f"w|+1w={lows[i]}|{lows[i + 1]}")
        g = gazetteer[i]
        if g:
            f.append("g=" + g)
            f.append("gt=" + g.split(":", 1)[0])
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n and gazetteer[j]:
                f.append(f"{d}g={gazetteer[j]}")
        out.append(f)
    return out


def gazetteer_tags(
    token_spans: list[tuple[int, int]], hits: list[tuple[int, int, str]]
) -> list[str]:
    """Per token, the vocabulary hit (start, end, type) it begins or continues, else ""."""
    tags = [""] * len(token_spans)
    if not hits:
        return tags
    hits = sorted(hits)
    h = 0
    for i, (s, e) in enumerate(token_spans):
        while h < len(hits) and hits[h][1] <= s:
            h += 1
        if h < len(hits) and hits[h][0] <= s and e <= hits[h][1]:
            tags[i] = hits[h][2] + (":B" if hits[h][0] == s else ":I")
    return tags
