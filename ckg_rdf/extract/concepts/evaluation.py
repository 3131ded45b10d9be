"""Scoring a concept extractor on IOB gold corpora (strict and overlap P/R/F1).

The corpora are pre-tokenised sentences, so the text an extractor sees is
rebuilt by joining tokens with single spaces, and gold entities become
character spans of that text. Consecutive sentences are grouped into
documents of ``block`` sentences (the corpora carry no document boundaries;
ten sentences is about one abstract), so per-document rules such as
abbreviations get the context they would have in a paper.

A corpus is scored only on the classes it annotates (``corpora.EVAL_TYPES``):
a prediction counts for a class when its type is one of the class's types,
and predictions of other types are ignored. Strict: same start, end and
class. Overlap: spans overlap and class agrees, each gold and each predicted
span used at most once (greedy, in text order), so overlap precision and
recall have the same numerator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ckg_rdf.extract.concepts.learned.corpora import EvalType, Sentence, iob_spans

#: (start, end, class name)
Span = tuple[int, int, str]


@dataclass
class Document:
    """A block of corpus sentences as one text, with its gold spans."""

    text: str
    gold: list[Span]


def documents(
    sentences: Sequence[Sentence], eval_types: Sequence[EvalType], block: int = 10
) -> list[Document]:
    """Texts of ``block`` sentences each (tokens joined by spaces) and their gold spans."""
    tag_class = {tag: et.name for et in eval_types for tag in et.gold_tags}
    docs: list[Document] = []
    for i in range(0, len(sentences), max(1, block)):
        parts: list[str] = []
        gold: list[Span] = []
        pos = 0
        for sent in sentences[i : i + block]:
            starts = []
            for tok in sent.tokens:
                starts.append(pos)
                pos += len(tok) + 1
            parts.append(" ".join(sent.tokens))
            for s, e, label in iob_spans(sent.tags):
                cls = tag_class.get(label)
                if cls is not None:
                    gold.append((starts[s], starts[e - 1] + len(sent.tokens[e - 1]), cls))
        docs.append(Document(" ".join(parts), gold))
    return docs


def predicted_spans(
    mentions: Iterable[tuple[int, int, str]], eval_types: Sequence[EvalType]
) -> list[Span]:
    """(start, end, type) predictions as spans of the corpus's classes; other types dropped."""
    out: list[Span] = []
    for s, e, ctype in mentions:
        for et in eval_types:
            if ctype in et.our_types:
                out.append((s, e, et.name))
    return out


@dataclass
class Counts:
    """True positives, predictions and gold spans of one class."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / self.pred if self.pred else 0.0
        r = self.tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(
    gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]]
) -> dict[str, dict[str, Counts]]:
    """``{"strict"|"overlap": {class: Counts}}`` over documents (gold and pred aligned)."""
    out: dict[str, dict[str, Counts]] = {"strict": {}, "overlap": {}}
    for g_doc, p_doc in zip(gold, pred, strict=True):
        classes = {c for _, _, c in g_doc} | {c for _, _, c in p_doc}
        for mode in out:
            for c in classes:
                counts = out[mode].setdefault(c, Counts())
                counts.gold += sum(1 for x in g_doc if x[2] == c)
                counts.pred += sum(1 for x in p_doc if x[2] == c)
        g_multi = Counter(g_doc)
        for x in p_doc:
            if g_multi[x] > 0:
                g_multi[x] -= 1
                out["strict"][x[2]].tp += 1
        used = [False] * len(g_doc)
        g_sorted = sorted(range(len(g_doc)), key=lambda k: g_doc[k])
        for s, e, c in sorted(p_doc):
            for k in g_sorted:
                gs, ge, gc = g_doc[k]
                if not used[k] and gc == c and gs < e and s < ge:
                    used[k] = True
                    out["overlap"][c].tp += 1
                    break
    return out
