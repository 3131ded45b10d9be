"""Document-level rules: abbreviations inherit their long form, ambiguous short forms need context.

About one in four short or ambiguous surface forms linked to the wrong
meaning (issue 15): "CP" written for caudate putamen linked to cerebral palsy,
the "CHAT" trial to the CHAT gene, "vesicular stomatitis virus" to
stomatitis. The rules here run after matching, on one text at a time:

1. **Abbreviations** (``abbreviations.find_abbreviations``): when a text
   defines "long form (SF)", every whole-word, same-case "SF" from there on
   takes the long form's concept, whatever the dictionary says about "SF";
   when the long form has no concept, an ambiguous "SF" (rule 2) links to
   nothing (it means something else here), a curated one keeps its sense.
2. **Ambiguous short forms** (dictionary forms not curated for this corpus:
   case-sensitive HPO abbreviations and gene symbols, and case-blind HPO
   forms of four characters or fewer such as "sAD") link only with
   support in the text: a condition abbreviation only when the same concept
   is also named in full in the text; a gene symbol only when a gene word
   ("gene", "expression", "protein", "mutation", ...) is within three words,
   and never right before "trial", "study", "score", ...
3. **Part of an organism name**: a condition right before "virus"
   ("vesicular stomatitis virus", "measles virus") names the virus, not the
   condition.

The rules are generic over what a span carries (a concept id for the
vocabulary matcher, a type and id for the learned backend).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from ckg_rdf.extract.concepts.abbreviations import find_abbreviations, short_form_uses

K = TypeVar("K", bound=Hashable)
#: (start, end, key, score)
Span = tuple[int, int, K, float]

_GENE_CONTEXT = re.compile(
    r"\b(?:genes?|genetic|genotyp\w*|proteins?|expression|expressed|express(?:es|ing)?|mRNAs?|"
    r"transcripts?|transcription\w*|mutations?|mutants?|mutated|variants?|alleles?|polymorphisms?|"
    r"SNPs?|receptors?|kinases?|enzymes?|knock\w*|deletion|deficien\w*|promoter|encod\w*|"
    r"isoforms?|homolog\w*|ligands?|antibod\w*|inhibit\w*|activat\w*|signal\w*|pathway|"
    r"levels?|counts?|cells?|positive|negative|[+-]/[+-]|phosphorylat\w*|binding|binds?)\b",
    re.IGNORECASE,
)
_NOT_GENE_AFTER = re.compile(
    r"^\W{0,3}(?:trial|study|studies|score|scale|group|cohort|questionnaire|criteria|index|"
    r"model|project|program|consortium|survey|registry|network)\b",
    re.IGNORECASE,
)
_VIRUS_AFTER = re.compile(r"^[\s-]*(?:virus|viruses|virions?)\b", re.IGNORECASE)
_WORD = re.compile(r"\S+")


def resolve_abbreviations(
    text: str,
    spans: Sequence[Span],
    make_short: Callable[[Span], Span | None] | None = None,
    *,
    suppress_undefined: bool | Callable[[Span], bool] = True,
    head_of_long_form: bool = False,
    kind: Callable[[Span], Hashable] | None = None,
) -> list[Span]:
    """Spans after rule 1: every use of a defined short form takes its long form's key.

    The long form's span is the one ending where the long form ends; it must
    start where the long form starts, unless ``head_of_long_form`` (then the
    longest span ending there will do: "ribavirin-induced *hemolytic anemia*
    (RIHA)"). ``make_short(long_span)`` may veto or rewrite what a short form
    gets (default: the long form's key and score). With ``suppress_undefined``
    a short form whose long form has no span loses its own spans (the
    dictionary's sense of "CP" is not this text's); without it (a tagger that
    judged the short form in context) they are kept; as a predicate, only the
    spans it accepts are dropped (the vocabulary matcher drops ambiguous
    short forms but keeps curated ones: "Coronavirus Disease 2019 (COVID-19)"
    is COVID-19 even where the long form is not one vocabulary hit). ``kind(span)`` says
    which spans may not overlap (default: none may). Output is sorted.
    """
    if "(" not in text:
        return list(spans)
    abbrs = find_abbreviations(text)
    if not abbrs:
        return list(spans)
    ends: dict[int, Span] = {}
    for sp in spans:
        held = ends.get(sp[1])
        if held is None or sp[0] < held[0]:
            ends[sp[1]] = sp  # the longest span ending there
    out = list(spans)
    done: set[str] = set()
    for a in abbrs:
        if a.short in done:
            continue
        done.add(a.short)
        long_span = ends.get(a.long_end)
        if long_span is not None and (
            long_span[0] < a.long_start or (long_span[0] != a.long_start and not head_of_long_form)
        ):
            # by default the span must be the whole long form: in "vesicular
            # stomatitis virus (VSV)" a hit on "virus" alone does not say what VSV is
            long_span = None
        uses = short_form_uses(text, a.short, a.short_start)
        if not uses:
            continue
        if long_span is None:
            if suppress_undefined is False:
                continue
            if suppress_undefined is not True:
                drop = suppress_undefined
                use_set = set(uses)
                out = [sp for sp in out if (sp[0], sp[1]) not in use_set or not drop(sp)]
                continue
        short_span = None
        if long_span is not None:
            short_span = make_short(long_span) if make_short else long_span
        use_set = set(uses)
        # drop what the uses were matched as on their own, and spans inside them
        out = [s for s in out if (s[0], s[1]) not in use_set and not _inside_any(s, uses)]
        if short_span is not None:
            want = kind(short_span) if kind else None
            taken = [(s[0], s[1]) for s in out if kind is None or kind(s) == want]
            for u in uses:
                if not any(ts < u[1] and u[0] < te for ts, te in taken):
                    out.append((u[0], u[1], short_span[2], short_span[3]))
    out.sort(key=lambda s: (s[0], s[1]))
    return out


def _inside_any(span: Span, uses: list[tuple[int, int]]) -> bool:
    return any(u[0] <= span[0] and span[1] <= u[1] for u in uses)


def _words_around(text: str, start: int, end: int, n: int = 3) -> str:
    before = text[max(0, start - 60) : start].split()[-n:]
    after = text[end : end + 60].split()[:n]
    return " ".join(before) + " " + " ".join(after)


def gene_symbol_supported(text: str, start: int, end: int) -> bool:
    """Rule 2 for gene symbols: a gene word near the symbol, and not "SYMBOL trial"."""
    if _NOT_GENE_AFTER.match(text[end : end + 30]):
        return False
    return bool(_GENE_CONTEXT.search(_words_around(text, start, end)))


def names_a_virus(text: str, end: int) -> bool:
    """Rule 3: the span is followed by "virus" ("vesicular stomatitis virus")."""
    return bool(_VIRUS_AFTER.match(text[end : end + 12]))
