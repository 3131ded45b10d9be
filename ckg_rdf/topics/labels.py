"""Topic labels: chosen automatically from corpus frequencies, overridable by a file.

**The rule** (the original system labelled each topic by its most
characteristic term, chosen by frequency across the corpus). For a topic *t*:

1. the candidates are its top terms by p(term | t) (the 10 stored ones);
2. ``D_t`` is the set of papers whose most probable topic is *t*;
   ``n_t(w)`` is the number of papers of ``D_t`` that contain term *w*,
   ``n(w)`` the number of modelled papers that contain it, ``|D_t|`` and
   ``|D|`` the numbers of papers;
3. each candidate scores ``n_t(w) * log(lift)``, where
   ``lift = (n_t(w) / |D_t|) / (n(w) / |D|)``: how many of the topic's papers
   use the term, weighted by how much more common it is among them than
   across the corpus (the term's share of the KL divergence between the
   topic's papers and the corpus). Only terms with lift > 1 and
   ``n_t(w) >= min_count`` (3) are candidates;
4. the label is the best-scoring candidate; ties go to the higher
   p(term | t);
5. labels are unique: topics are served in descending order of their best
   score, and a topic whose best term is taken uses its next candidate.

Why this score, measured on the bundled sample: the top term by
p(term | t) alone is often a word many topics share ("virus", "patient");
lift alone picks rare, concentrated words ("horse" for the vaccines topic,
from two equine-influenza papers); and counting occurrences rather than
papers lets one long full text decide (the same "horse", 76 occurrences in
2 papers, beat "vaccine", 96 occurrences in 24). Counting papers picks the
term most of the topic's papers share and the rest of the corpus does not. A
topic with no scoring candidate (it dominates no paper, say) falls back to
its best unused top term.

A labels file (TOML, ``topic-id = "Label"``) overrides any label; the
automatic one stays available (``TopicInfo.auto_label``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path


class LabelError(ValueError):
    """The labels file is not usable; the message says where and why."""


def choose_labels(
    candidates: Sequence[Sequence[str]],
    topic_counts: Sequence[Mapping[str, int]],
    topic_sizes: Sequence[int],
    corpus_counts: Mapping[str, int],
    corpus_size: int,
    min_count: int = 3,
) -> list[str]:
    """Apply the rule above; returns one label per topic, in topic order.

    ``candidates[t]`` are topic *t*'s top terms, best first;
    ``topic_counts[t][w]`` is ``n_t(w)``, ``topic_sizes[t]`` is ``|D_t|``;
    ``corpus_counts[w]`` is ``n(w)`` and ``corpus_size`` is ``|D|``.
    """
    scored: list[list[tuple[float, int, str]]] = []
    for t, terms in enumerate(candidates):
        options = []
        for rank, w in enumerate(terms):
            c_t = topic_counts[t].get(w, 0)
            c = corpus_counts.get(w, 0)
            if topic_sizes[t] <= 0 or c <= 0 or c_t < min_count:
                continue
            lift = (c_t / topic_sizes[t]) / (c / corpus_size)
            if lift > 1.0:
                options.append((c_t * math.log(lift), rank, w))
        # best score first; for equal scores, the better-ranked term
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
