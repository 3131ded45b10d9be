"""Topic labels: chosen automatically from corpus frequencies, overridable by a file.

**The rule** (the original system labelled each topic by its most
characteristic term, chosen by frequency across the corpus). For a topic *t*:

1. the candidates are its ``candidates`` (default 10) top terms by p(term | t);
2. ``D_t`` is the set of documents whose most probable topic is *t*;
3. each candidate *w* scores its *lift*: its relative frequency in ``D_t``
   divided by its relative frequency in the whole modelled corpus,
   ``(c_t(w) / N_t) / (c(w) / N)`` with ``c`` counting occurrences and ``N``
   tokens;
4. the label is the candidate with the highest lift; ties go to the higher
   p(term | t). A term that occurs in ``D_t`` fewer than ``min_count`` times
   is not a candidate (a lift from two occurrences means nothing);
5. labels are unique: topics are served in descending order of their best
   lift, and a topic whose best term is taken uses its next candidate.

Why lift among the top terms: the top term by p(term | t) alone is often a
word every topic shares ("virus", "patient"), while lift alone would pick
rare words; among the top terms, lift picks the frequent word that is most
concentrated in the topic's own papers. A topic that dominates no document
(empty ``D_t``) falls back to its top term.

A labels file (TOML, ``topic-id = "Label"``) overrides any label; the
automatic one stays available (``TopicInfo.auto_label``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path


class LabelError(ValueError):
    """The labels file is not usable; the message says where and why."""


def choose_labels(
    candidates: Sequence[Sequence[str]],
    topic_counts: Sequence[Mapping[str, int]],
    topic_tokens: Sequence[int],
    corpus_counts: Mapping[str, int],
    corpus_tokens: int,
    min_count: int = 3,
) -> list[str]:
    """Apply the rule above; returns one label per topic, in topic order.

    ``candidates[t]`` are topic *t*'s top terms, best first;
    ``topic_counts[t][w]`` is ``c_t(w)``, ``topic_tokens[t]`` is ``N_t``.
    """
    scored: list[list[tuple[float, int, str]]] = []
    for t, terms in enumerate(candidates):
        options = []
        for rank, w in enumerate(terms):
            c_t = topic_counts[t].get(w, 0)
            c = corpus_counts.get(w, 0)
            if topic_tokens[t] <= 0 or c <= 0 or c_t < min_count:
                continue
            lift = (c_t / topic_tokens[t]) / (c / corpus_tokens)
            options.append((lift, rank, w))
        # highest lift first; for equal lift, the better-ranked term
        options.sort(key=lambda o: (-o[0], o[1]))
        scored.append(options)
    order = sorted(
        range(len(candidates)),
        key=lambda t: (-(scored[t][0][0] if scored[t] else 0.0), t),
    )
    labels: list[str] = [""] * len(candidates)
    used: set[str] = set()
    for t in order:
        choice = next((w for _, _, w in scored[t] if w not in used), "")
        if not choice:  # nothing scored: the best unused top term, else a numbered name
            choice = next((w for w in candidates[t] if w not in used), f"topic-{t + 1}")
        used.add(choice)
        labels[t] = choice
    return labels


def load_labels(path: Path) -> dict[str, str]:
    """Read a labels file: ``topic-id = "Label"`` lines (a TOML table of strings).

    A ``[labels]`` table is accepted too, so the overrides can sit in a larger
    configuration file.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelError(f"cannot read labels file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LabelError(f"{path}: not valid TOML: {exc}") from exc
    if set(data) == {"labels"} and isinstance(data["labels"], dict):
        data = data["labels"]
    out: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise LabelError(f"{path}: the label of {key!r} must be a non-empty string")
        out[key] = value.strip()
    return out


def unknown_label_ids(overrides: Mapping[str, str], topic_ids: Sequence[str]) -> list[str]:
    """Ids in a labels file that name no topic of the model (a typo, or a vanished extra)."""
    known = set(topic_ids)
    return sorted(k for k in overrides if k not in known)
