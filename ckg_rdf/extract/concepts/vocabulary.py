"""Compiling the vocabularies into one matchable index, and caching it.

Compiling reads HPO (19.5k terms), the drug dictionary (107k variants), HPO's
gene list and the curated COVID-19 file, which takes a few seconds; the result
(concepts plus a ready pyahocorasick automaton) is pickled once into the cache
directory and loaded from there afterwards. The cache file name carries a
digest of every input (package versions, hp.obo's data-version, the curated
files' bytes, this compiler's version), so a changed input is recompiled and
never served stale.

Cache directory: ``$CKG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/ckg-rdf``,
else ``~/.cache/ckg-rdf``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from ckg_rdf.extract.concepts import sources
from ckg_rdf.extract.concepts.base import ConceptInfo, ExtractorError
from ckg_rdf.extract.concepts.normalise import normalise_term, plural_forms

#: bump when compilation rules change (it is part of the extractor version)
COMPILER_VERSION = "2"

#: a candidate for a key: (concept id, exact spelling required or None, score)
Candidate = tuple[str, str | None, float]


@dataclass
class VocabularyIndex:
    """Everything the matcher needs: concepts, and an automaton over their keys.

    The automaton maps ``" " + key + " "`` to ``(len(pattern), candidates)``,
    candidates best source first; the matcher takes the first whose case rule the text meets.
    """

    concepts: dict[str, ConceptInfo]
    automaton: ahocorasick.Automaton
    sources: dict[str, str]
    digest: str
    n_keys: int = 0
    lookup: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Short, stable id of the compiled vocabulary (inputs' digest)."""
        return self.digest[:12]

    @property
    def surfaces_version(self) -> str:
        """A digest of what the matcher can find (keys, their concepts and types) and of
        nothing else: unlike :attr:`version` it does not change when only a concept's
        external links do, so models trained on the matcher's hits stay valid."""
        h = hashlib.sha256()
        for key in sorted(self.lookup):
            h.update(key.encode())
            for cid, exact, score in self.lookup[key]:
                ctype = self.concepts[cid].type if cid in self.concepts else ""
                h.update(f"\t{cid}\t{exact or ''}\t{score}\t{ctype}".encode())
            h.update(b"\n")
        return h.hexdigest()[:12]


def cache_dir() -> Path:
    env = os.environ.get("CKG_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ckg-rdf"


def source_versions() -> dict[str, str]:
    """Name -> version of each vocabulary compiled in (cheap: reads headers only)."""
    return {
        sources.HPO_NAME: sources.hpo_version(),
        sources.HPO_GENES_NAME: sources.hpo_version(),
        sources.DRUG_NAME: sources.drug_version(),
        sources.CURATED_NAME: sources.curated_version(),
    }


def inputs_digest() -> str:
    h = hashlib.sha256()
    h.update(f"compiler={COMPILER_VERSION};ahocorasick={ahocorasick.__name__}".encode())
    for name, version in sorted(source_versions().items()):
        h.update(f"{name}={version};".encode())
    for path in (sources.CURATED_FILE, sources.STOPLIST_FILE):
        h.update(path.read_bytes())
    return h.hexdigest()


def _info(entry: sources.Entry, alt: Iterable[str]) -> ConceptInfo:
    pref = entry.pref_label
    seen = {pref.lower()}
    alts = []
    for a in alt:
        if a.lower() not in seen:
            seen.add(a.lower())
            alts.append(a)
    return ConceptInfo(
        concept_id=entry.concept_id,
        pref_label=pref,
        type=entry.type,
        source=entry.source,
        source_version=entry.source_version,
        alt_labels=tuple(alts),
        xrefs=tuple(dict.fromkeys(x for x in entry.xrefs if x[1])),
    )


def compile_index(digest: str | None = None) -> VocabularyIndex:
    """Read every vocabulary and build the index (slow path; see :func:`load_index`)."""
    stop = sources.read_stoplist()
    # priority: curated first, then HPO, drugs, genes (first candidate wins)
    entries: dict[str, sources.Entry] = {}
    order: list[str] = []

    def add(entry: sources.Entry) -> None:
        if entry.concept_id in entries:
            entries[entry.concept_id].surfaces.extend(entry.surfaces)
        else:
            entries[entry.concept_id] = entry
            order.append(entry.concept_id)

    bundled: list[sources.Entry] = [
        *sources.read_hpo(),
        *sources.read_drugs(),
        *sources.read_hpo_genes(),
    ]
    by_external: dict[str, str] = {}
    for e in bundled:
        for scheme, local in e.xrefs:
            if scheme in ("HP", "DRUGBANK", "NCBIGENE"):
                by_external[f"{scheme}:{local}"] = e.concept_id
    bundled_by_id = {e.concept_id: e for e in bundled}

    curated_version = sources.curated_version()
    for row in sources.read_curated_rows():
        surfaces = sources.curated_surfaces(row)
        if row.same_as:
            target = by_external.get(row.same_as)
            if target is None:
                raise ExtractorError(
                    f"{sources.CURATED_FILE}:{row.line}: same_as {row.same_as!r} is not in "
                    "any bundled vocabulary; only ids found there may be used"
                )
            base = bundled_by_id[target]
            add(
                sources.Entry(
                    concept_id=base.concept_id,
                    pref_label=base.pref_label,
                    type=row.type,
                    source=base.source,
                    source_version=base.source_version,
                    surfaces=surfaces,
                    xrefs=list(base.xrefs),
                )
            )
        else:
            add(
                sources.Entry(
                    concept_id=f"ckg-{row.key}",
                    pref_label=row.pref_label,
                    type=row.type,
                    source=sources.CURATED_NAME,
                    source_version=curated_version,
                    surfaces=surfaces,
                )
            )
    curated_ids = set(order)
    for e in bundled:
        if e.concept_id in curated_ids:
            # curated row decides type; keep the bundled surfaces too
            entries[e.concept_id].surfaces.extend(e.surfaces)
        else:
            add(e)

    table: dict[str, list[Candidate]] = {}
    plurals: list[tuple[str, Candidate]] = []
    concepts: dict[str, ConceptInfo] = {}
    for cid in order:
        entry = entries[cid]
        labels = []
        for s in entry.surfaces:
            key = normalise_term(s.text)
            if not key or key in stop or len(key) < 2:
                continue
            labels.append(s.text)
            cand: Candidate = (cid, s.text if s.case_sensitive else None, s.score)
            bucket = table.setdefault(key, [])
            if all(c[0] != cid or c[1] != cand[1] for c in bucket):
                bucket.append(cand)
            if s.pluralise and not s.case_sensitive:
                for p in plural_forms(key):
                    plurals.append((p, (cid, None, s.score)))
        if labels:
            concepts[cid] = _info(entry, labels)
    for key, cand in plurals:
        if key in stop:
            continue
        bucket = table.setdefault(key, [])
        if all(c[0] != cand[0] for c in bucket):
            bucket.append(cand)
    # best source first: curated, HPO, drugs, genes; a plural of a better
    # source beats an exact form of a worse one ("NK cells": curated cell
    # type, not the drug dictionary's "Natural Killer Cell" product)
    rank = {cid: i for i, cid in enumerate(order)}
    for bucket in table.values():
        if len(bucket) > 1:
            bucket.sort(key=lambda c: rank[c[0]])

    automaton = ahocorasick.Automaton()
    lookup: dict[str, tuple[Candidate, ...]] = {}
    for key, cands in table.items():
        value = tuple(cands)
        lookup[key] = value
        automaton.add_word(f" {key} ", (len(key) + 2, value))
    automaton.make_automaton()
    return VocabularyIndex(
        concepts=concepts,
        automaton=automaton,
        sources=source_versions(),
        digest=digest or inputs_digest(),
        n_keys=len(table),
        lookup=lookup,
    )


def load_index(*, use_cache: bool = True) -> VocabularyIndex:
    """The compiled index, from the cache when it is there and current."""
    digest = inputs_digest()
    path = cache_dir() / f"concept-vocabulary-{digest[:16]}.pkl"
    if use_cache and path.exists():
        try:
            with path.open("rb") as fh:
                index = pickle.load(fh)  # noqa: S301 - our own cache file
            if isinstance(index, VocabularyIndex) and index.digest == digest:
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # unreadable cache: recompile below
    index = compile_index(digest)
    if use_cache:
        _write_cache(path, index)
    return index


def _write_cache(path: Path, index: VocabularyIndex) -> None:
    """Write atomically, so two processes compiling at once cannot corrupt it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs a recompilation next time
