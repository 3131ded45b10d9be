"""The learned backend: CRF taggers trained on public gold corpora, linked by the vocabulary.

Why a CRF: on 2 CPU cores with no GPU, it was the family that could be
trained in minutes, shipped in a few MB and run at about a hundred abstracts
a second; docs/concepts.md has what else was tried and the measurements.
One tagger per entity group (disease, chemical, gene, species, anatomy:
``train.MODEL_SPECS``), all run on each sentence. Spans of one type never
overlap; spans of different types may nest ("breast" in "breast cancer"), as
in the gold corpora; the same stretch of text gets one type.

A span is then linked: if its text (normalised, plurals included) is a
vocabulary form of a concept of a compatible type, it gets that concept (and
its identifiers); otherwise it becomes a concept of its own,
``ner-{type}-{slug}`` (as in ``model.py``). Chemicals linked to a drug
concept are typed MEDICATION, others CHEMICAL. Abbreviations defined in the
text ("doxorubicin (DOX)") give every later "DOX" the long form's type and
concept. ``Mention.score`` is the tagger's confidence: the mean marginal
probability of the span's labels. Where no tagger found anything, the
vocabulary matcher's tests and procedures (no corpus annotates them) and
named organisms are added, with the matcher's own scores.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from pathlib import Path

from ckg_rdf.extract.concepts.abbreviations import short_form_uses
from ckg_rdf.extract.concepts.base import ConceptInfo, ExtractorError, Mention
from ckg_rdf.extract.concepts.learned.clusters import read_clusters
from ckg_rdf.extract.concepts.learned.features import gazetteer_tags, sentence_features
from ckg_rdf.extract.concepts.learned.tokens import split_sentences, tokenize
from ckg_rdf.extract.concepts.learned.train import FEATURES_VERSION, MANIFEST, SHIPPED_MODEL_DIR
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher
from ckg_rdf.extract.concepts.model import _slug
from ckg_rdf.extract.concepts.negation import NEGATABLE_TYPES, is_negated
from ckg_rdf.extract.concepts.normalise import normalise_term
from ckg_rdf.extract.concepts.senses import resolve_abbreviations

#: bump when span merging or linking rules change; part of ``version``
LEARNED_VERSION = "3"
LEARNED_SOURCE = "ckg-rdf learned NER (CRF)"

#: types no training corpus annotates: the learned backend takes them from the
#: vocabulary matcher (``extract``)
VOCABULARY_ONLY_TYPES: tuple[str, ...] = ("TEST_TREATMENT_PROCEDURE",)

#: vocabulary organisms that are not species names (not filled in by ``extract``)
GENERIC_ORGANISM_WORDS = frozenset(
    "virus viruses pathogen pathogens bacteria bacterium fungus fungi parasite parasites "
    "plant plants bird birds animal animals rodent rodents mosquito mosquitoes yeast "
    "microorganism microorganisms host hosts".split()
)

#: which vocabulary concept types a tagger's type may link to
_LINKABLE: dict[str, tuple[str, ...]] = {
    "CHEMICAL": ("MEDICATION", "CHEMICAL"),
    "MEDICAL_CONDITION": ("MEDICAL_CONDITION",),
    "GENE_OR_PROTEIN": ("GENE_OR_PROTEIN",),
    "ORGANISM": ("ORGANISM",),
    "ANATOMY": ("ANATOMY",),
}

#: (start, end, (type, text used for linking), confidence)
_Span = tuple[int, int, tuple[str, str], float]


_OPEN = {"(": ")", "[": "]"}
_CLOSE = {")": "(", "]": "["}


def _balanced(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span cut at its first unmatched bracket ("2019 novel coronavirus (2019-nCoV"
    -> "2019 novel coronavirus"); the part after the bracket if nothing is left before it."""
    stack: list[int] = []
    cut = None
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE:
            if stack and text[stack[-1]] == _CLOSE[ch]:
                stack.pop()
            else:
                cut = i
                break
    if cut is None and stack:
        cut = stack[0]
    if cut is None:
        return start, end
    left = text[start:cut].rstrip()
    if left and left[-1].isalnum():
        return start, start + len(left)
    right = text[cut + 1 : end]
    offset = cut + 1 + len(right) - len(right.lstrip())
    if offset < end and text[offset:end].strip() and _balanced(text, offset, end) == (offset, end):
        return offset, end
    return None


def _prefer(ctype: str, conf: float, held_type: str, held_conf: float) -> bool:
    """Whether a span of ``ctype`` replaces the same span already typed ``held_type``."""
    if {ctype, held_type} == {"MEDICAL_CONDITION", "ANATOMY"}:
        return ctype == "MEDICAL_CONDITION"
    return conf > held_conf


class CrfExtractor:
    """Runs the shipped (or a given folder's) CRF taggers; build once and reuse."""

    name = "learned"
    #: copy confident names to their other occurrences in the text (``_propagate``)
    propagate = True

    def __init__(
        self, model_dir: Path | None = None, *, matcher: VocabularyMatcher | None = None
    ) -> None:
        try:
            import pycrfsuite
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ExtractorError(
                "the learned backend needs python-crfsuite: pip install python-crfsuite"
            ) from exc
        self._pycrfsuite = pycrfsuite
        model_dir = model_dir or SHIPPED_MODEL_DIR
        manifest_path = model_dir / MANIFEST
        if not manifest_path.exists():
            raise ExtractorError(
                f"{model_dir}: no {MANIFEST}; train the models first "
                "(python -m ckg_rdf.extract.concepts.learned.train --out DIR)"
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if str(manifest.get("features_version")) != FEATURES_VERSION:
            raise ExtractorError(
                f"{model_dir}: models were trained with features version "
                f"{manifest.get('features_version')}, this code has {FEATURES_VERSION}; retrain"
            )
        self.matcher = matcher or VocabularyMatcher()
        trained_with = str(manifest.get("gazetteer_surfaces", ""))
        current = self.matcher.index.surfaces_version
        if not trained_with:  # models trained before surfaces were digested on their own
            trained_with = str(manifest.get("gazetteer_version", ""))
            current = self.matcher.index.version
            stale = bool(trained_with) and not trained_with.endswith("+" + current)
        else:
            stale = trained_with != current
        if stale:
            # the gazetteer feature now fires on other words than in training
            warnings.warn(
                f"{model_dir}: the taggers were trained with vocabulary {trained_with}, "
                f"this one is {current}; retrain them "
                "(python -m ckg_rdf.extract.concepts.learned.train)",
                stacklevel=2,
            )
        digest = hashlib.sha256(manifest_path.read_bytes())
        self._clusters: dict[str, tuple[str, str]] | None = None
        if manifest.get("clusters"):
            clusters_path = model_dir / manifest["clusters"]
            self._clusters = read_clusters(clusters_path)
            digest.update(clusters_path.read_bytes())
        self._taggers: list[tuple[str, object]] = []
        for entry in manifest["models"]:
            path = model_dir / entry["file"]
            tagger = pycrfsuite.Tagger()
            try:
                tagger.open(str(path))
            except OSError as exc:
                raise ExtractorError(f"cannot open the model {path}: {exc}") from exc
            digest.update(path.read_bytes())
            self._taggers.append((entry["type"], tagger))
        self.model_dir = model_dir
        tagged = {entry["type"] for entry in manifest["models"]}
        if "CHEMICAL" in tagged:
            tagged.add("MEDICATION")
        self._vocabulary_only_types = frozenset(VOCABULARY_ONLY_TYPES) - tagged
        self.model_version = digest.hexdigest()[:12]
        self.version = f"learned-{LEARNED_VERSION}+{self.model_version}+{self.matcher.version}"
        self._concepts: dict[str, ConceptInfo] = {}

    # ------------------------------------------------------------ spans

    def spans(self, text: str) -> list[tuple[int, int, str, float]]:
        """(start, end, tagger type, confidence) before linking, abbreviations applied."""
        return [(s, e, key[0], conf) for s, e, key, conf in self._spans(text)]

    def _spans(self, text: str) -> list[_Span]:
        tokens = tokenize(text)
        if not tokens:
            return []
        hits = self.matcher.raw_hits(text)
        gaz = gazetteer_tags(tokens, hits)
        item_sequence = self._pycrfsuite.ItemSequence
        found: list[tuple[float, int, int, str]] = []
        for a, b in split_sentences(text, tokens):
            words = [text[s:e] for s, e in tokens[a:b]]
            xseq = item_sequence(sentence_features(words, gaz[a:b], self._clusters))
            for ctype, tagger in self._taggers:
                labels = tagger.tag(xseq)
                i = 0
                n = len(labels)
                while i < n:
                    if labels[i] == "O":
                        i += 1
                        continue
                    j = i + 1
                    while j < n and labels[j] == "I":
                        j += 1
                    conf = sum(tagger.marginal(labels[k], k) for k in range(i, j)) / (j - i)
                    span = _balanced(text, tokens[a + i][0], tokens[a + j - 1][1])
                    if span is not None:
                        found.append((conf, span[0], span[1], ctype))
                    i = j
        if not found:
            return []
        # each tagger's spans never overlap; across taggers, nested or
        # overlapping spans of different types are kept ("breast" ANATOMY in
        # "breast cancer" MEDICAL_CONDITION, as the gold corpora annotate them),
        # but one stretch of text gets one type: the more confident, except that
        # a condition beats anatomy (AnatEM counts tumours and cancers as
        # anatomical "pathological formations"; in this graph they are conditions)
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for conf, s, e, ctype in found:
            held = best.get((s, e))
            if held is None or _prefer(ctype, conf, held[1], held[0]):
                best[(s, e)] = (conf, ctype)
        spans: list[_Span] = sorted(
            (s, e, (ctype, text[s:e]), conf) for (s, e), (conf, ctype) in best.items()
        )
        # a defined short form takes the type and concept of the span that ends
        # its long form, whatever the taggers made of it on its own
        spans = resolve_abbreviations(
            text,
            spans,
            suppress_undefined=False,
            head_of_long_form=True,
            kind=lambda sp: sp[2][0],
        )
        return self._propagate(text, spans) if self.propagate else spans

    @staticmethod
    def _propagate(text: str, spans: list[_Span]) -> list[_Span]:
        """One sense per document: a confidently tagged name is tagged wherever it recurs.

        A CRF decides each occurrence from its neighbours, so "ammonia" can be
        found in one sentence and missed in the next; names of three or more
        characters tagged with confidence >= 0.8 are copied to their other
        whole-word, same-case occurrences not already covered by a span of
        that type, with the confidence of the original times 0.9.
        """
        seen: dict[str, _Span] = {}
        for sp in spans:
            name = text[sp[0] : sp[1]]
            if len(name) >= 3 and sp[3] >= 0.8 and sp[3] > seen.get(name, sp)[3] - 1e-9:
                seen[name] = sp
        if not seen:
            return spans
        taken: dict[str, list[tuple[int, int]]] = {}
        for sp in spans:
            taken.setdefault(sp[2][0], []).append((sp[0], sp[1]))
        added: list[_Span] = []
        for name, sp in seen.items():
            ctype = sp[2][0]
            mine = taken[ctype]
            for u0, u1 in short_form_uses(text, name):
                if not any(t0 < u1 and u0 < t1 for t0, t1 in mine):
                    mine.append((u0, u1))
                    added.append((u0, u1, sp[2], sp[3] * 0.9))
        return sorted(spans + added) if added else spans

    # ------------------------------------------------------------ linking

    def _link(self, surface: str, ctype: str) -> tuple[str, str]:
        """(concept id, final type) for a span of tagger type ``ctype``."""
        allowed = _LINKABLE.get(ctype, (ctype,))
        concepts = self.matcher.index.concepts
        for cid, exact, _score in self.matcher.index.lookup.get(normalise_term(surface), ()):
            if exact is not None and exact != surface:
                continue
            info = concepts.get(cid)
            if info is not None and info.type in allowed:
                return cid, info.type
        cid = f"ner-{ctype.lower().replace('_', '-')}-{_slug(surface)}"
        if cid not in self._concepts:
            self._concepts[cid] = ConceptInfo(cid, surface, ctype, LEARNED_SOURCE, self.version)
        return cid, ctype

    def concept(self, concept_id: str) -> ConceptInfo | None:
        return self._concepts.get(concept_id) or self.matcher.concept(concept_id)

    def extract(self, text: str) -> list[Mention]:
        out = []
        for s, e, (ctype, link_text), conf in self._spans(text):
            cid, final_type = self._link(link_text, ctype)
            negated = final_type in NEGATABLE_TYPES and is_negated(text, s, e)
            out.append(Mention(s, e, text[s:e], cid, final_type, round(conf, 4), negated))
        # where no tagger found anything, the vocabulary fills in: tests and
        # procedures (no corpus annotates them), and named organisms (LINNAEUS
        # taught the species tagger few virus names; generic words such as
        # "virus" or "pathogen" are not species and are left out)
        added = False
        for m in self.matcher.extract(text):
            if m.type in self._vocabulary_only_types or (
                m.type == "ORGANISM" and m.text.lower() not in GENERIC_ORGANISM_WORDS
            ):
                if not any(o.start < m.end and m.start < o.end for o in out):
                    out.append(m)
                    added = True
        if added:
            out.sort(key=lambda m: (m.start, m.end))
        return out

    def extract_batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        return [self.extract(t) for t in texts]
