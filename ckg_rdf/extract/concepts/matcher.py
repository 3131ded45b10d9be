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
from ckg_rdf.extract.concepts.vocabulary import VocabularyIndex, load_index

#: bump when matching rules change; part of ``VocabularyMatcher.version``
MATCHER_VERSION = "1"


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

    def extract(self, text: str) -> list[Mention]:
        if not text:
            return []
        norm = " " + normalise_text(text) + " "
        shouting = is_shouting(text)
        hits: list[tuple[int, int, str, float]] = []
        for end, (key_len, candidates) in self._automaton.iter(norm):
            start = end - key_len + 1
            stop = end - 1
            surface = None
            for concept_id, exact, score in candidates:
                if exact is not None:
                    if shouting:
                        continue
                    if surface is None:
                        surface = text[start:stop]
                    if surface != exact:
                        continue
                hits.append((start, stop, concept_id, score))
                break
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        taken = bytearray(len(text))
        kept: list[tuple[int, int, str, float]] = []
        for h in hits:
            s, e = h[0], h[1]
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            kept.append(h)
        kept.sort()
        out = []
        for s, e, cid, score in kept:
            ctype = self._concepts[cid].type
            negated = ctype in NEGATABLE_TYPES and is_negated(text, s, e)
            out.append(Mention(s, e, text[s:e], cid, ctype, score, negated))
        return out

    def extract_batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        return [self.extract(t) for t in texts]


def make_vocab_extractor() -> VocabularyMatcher:
    """The registry's ``vocab`` extractor (takes no options)."""
    return VocabularyMatcher()
