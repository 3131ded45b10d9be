"""The default backend: dictionary matching with one Aho-Corasick pass.

The text is normalised to a same-length copy (``normalise.normalise_text``)
and scanned once against every vocabulary key wrapped in spaces, so hits are
whole words only. Each hit lists its candidate concepts best source first;
the first whose case rule the original text meets wins (gene symbols and
short abbreviations must be spelled exactly). Overlapping hits are resolved
longest first ("acute respiratory distress syndrome" beats "respiratory").
"""

from __future__ import annotations

from collections.abc import Sequence

from ckg_rdf.extract.concepts.base import ConceptInfo, Mention
from ckg_rdf.extract.concepts.negation import NEGATABLE_TYPES, is_negated
from ckg_rdf.extract.concepts.normalise import normalise_text
from ckg_rdf.extract.concepts.senses import (
    gene_symbol_supported,
    names_a_virus,
    resolve_abbreviations,
)
from ckg_rdf.extract.concepts.vocabulary import VocabularyIndex, load_index

#: bump when matching rules change; part of ``VocabularyMatcher.version``
MATCHER_VERSION = "2"


def is_shouting(text: str) -> bool:
    """An all-capital text of several words (a shouted title): case tells nothing there,
    so case-sensitive forms (gene symbols, abbreviations) are not matched in it."""
    return text.isupper() and text.count(" ") >= 2


class VocabularyMatcher:
    """Finds vocabulary concepts in text. Build once, reuse: loading costs ~1 s."""

    name = "vocab"

    def __init__(self, index: VocabularyIndex | None = None, *, use_cache: bool = True) -> None:
        self.index = index or load_index(use_cache=use_cache)
        self._automaton = self.index.automaton
        self._concepts = self.index.concepts
        self.version = f"vocab-{MATCHER_VERSION}+{self.index.version}"

    def concept(self, concept_id: str) -> ConceptInfo | None:
        return self._concepts.get(concept_id)

    def hits(self, text: str) -> list[tuple[int, int, str, float, bool]]:
        """(start, end, concept id, score, ambiguous) of the longest non-overlapping hits.

        ``ambiguous`` marks a case-sensitive short form that is not curated
        for this corpus (an HPO abbreviation, a gene symbol): rule 2 of
        ``senses`` applies to it.

        No document-level rules (abbreviations, senses) are applied here: this
        is what the dictionary alone says, and the learned backend's gazetteer
        feature.
        """
        if not text:
            return []
        norm = " " + normalise_text(text) + " "
        shouting = is_shouting(text)
        hits: list[tuple[int, int, str, float, bool]] = []
        append = hits.append
        for end, (key_len, candidates) in self._automaton.iter(norm):
            start = end - key_len + 1
            stop = end - 1
            concept_id, exact, score = candidates[0]
            if exact is None:
                # the common case, the best candidate is case-blind: it wins outright
                # (the key is wrapped in two spaces, so its length is key_len - 2)
                append((start, stop, concept_id, score, score < 1.0 and key_len <= 6))
                continue
            surface = None
            for concept_id, exact, score in candidates:
                if exact is not None:
                    if shouting:
                        continue
                    if surface is None:
                        surface = text[start:stop]
                    if surface != exact:
                        continue
                # a short form nobody curated for this corpus (an HPO or gene
                # abbreviation; a case-blind HPO form of <= 4 letters such as
                # "sAD"): rule 2 of ``senses``. Curated "=FORM"s (0.9) are not.
                if exact is not None:
                    ambiguous = score <= 0.8
                else:
                    ambiguous = score < 1.0 and stop - start <= 4
                hits.append((start, stop, concept_id, score, ambiguous))
                break
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        taken = bytearray(len(text))
        kept: list[tuple[int, int, str, float, bool]] = []
        for h in hits:
            s, e = h[0], h[1]
            if taken.find(1, s, e) >= 0:
                continue
            taken[s:e] = b"\x01" * (e - s)
            kept.append(h)
        kept.sort()
        return kept

    def raw_hits(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, type) of :meth:`hits`: the learned backend's gazetteer."""
        concepts = self._concepts
        return [(h[0], h[1], concepts[h[2]].type) for h in self.hits(text)]

    def extract(self, text: str) -> list[Mention]:
        hits = self.hits(text)
        if not hits:
            return []
        kept = self._apply_senses(text, hits)
        out = []
        for s, e, cid, score in kept:
            ctype = self._concepts[cid].type
            negated = ctype in NEGATABLE_TYPES and is_negated(text, s, e)
            out.append(Mention(s, e, text[s:e], cid, ctype, score, negated))
        return out

    def _apply_senses(
        self, text: str, hits: list[tuple[int, int, str, float, bool]]
    ) -> list[tuple[int, int, str, float]]:
        """Abbreviations, context support for ambiguous short forms, virus names (``senses``)."""
        concepts = self._concepts
        spans = resolve_abbreviations(
            text,
            [(s, e, (cid, ambiguous), score) for s, e, cid, score, ambiguous in hits],
            lambda long: (long[0], long[1], (long[2][0], False), long[3]),
            suppress_undefined=lambda span: span[2][1],
        )
        named = {key[0] for _, _, key, _ in spans if not key[1]}
        out: list[tuple[int, int, str, float]] = []
        for s, e, (cid, ambiguous), score in spans:
            ctype = concepts[cid].type
            if ambiguous:
                if ctype == "GENE_OR_PROTEIN":
                    if not gene_symbol_supported(text, s, e):
                        continue
                elif cid not in named:
                    continue
            if ctype == "MEDICAL_CONDITION" and names_a_virus(text, e):
                continue
            out.append((s, e, cid, score))
        return out

    def extract_batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        return [self.extract(t) for t in texts]


def make_vocab_extractor() -> VocabularyMatcher:
    """The registry's ``vocab`` extractor (takes no options)."""
    return VocabularyMatcher()
