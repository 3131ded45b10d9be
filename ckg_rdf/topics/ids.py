"""Stable topic ids, from which topic IRIs are minted.

* A **seeded** topic is identified by its seed id (``virology``): seed priors
  pin each seeded topic to a fixed position of the model, and the id comes
  from the seed file, so the IRI survives any rebuild, retraining or change
  of corpus.
* An **unseeded** (extra) topic has no name in any file. Its id is
  ``extra-`` plus its automatic label term (``extra-mask``), which is unique
  across the model by the label rule. Training is deterministic (fixed random
  seed, one worker), so the same input gives the same topics, the same labels
  and so the same ids. When the corpus changes, an extra topic that changes
  content may change id, which is what an IRI should do: an old IRI never
  silently names a different topic, as a number ("extra-3") would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ckg_rdf.topics.seeds import EXTRA_PREFIX, SeedSet

_SLUG_DROP = re.compile(r"[^a-z0-9-]+")
_MAX_SLUG = 40 - len(EXTRA_PREFIX)


def extra_id(term: str) -> str:
    """``extra-{term}`` as an IRI-friendly slug (``sars_cov_2`` -> ``extra-sars-cov-2``)."""
    slug = _SLUG_DROP.sub("", term.lower().replace("_", "-")).strip("-")[:_MAX_SLUG].strip("-")
    return EXTRA_PREFIX + (slug or "topic")


def topic_ids(seeds: SeedSet, extra_terms: Sequence[str]) -> list[str]:
    """Ids of all topics in model order: seeded first (file order), then extras.

    Two extras whose terms give the same slug get ``-2``, ``-3``... in model
    order (rare: labels are unique terms, only their slugs may collide).
    """
    ids = list(seeds.ids)
    taken = set(ids)
    for term in extra_terms:
        base = extra_id(term)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        ids.append(candidate)
    return ids
