"""The IOB training corpora: reading them, and which of our types each annotates.

Each corpus folder (``BC5CDR-IOB``, ...) holds ``train.tsv`` and ``devel.tsv``
(later ``test.tsv``) with one ``token<TAB>tag`` per line and a blank line
between sentences. The corpora annotate different entity types, so a corpus
is only ever scored, or trained on, for the types it annotates: a gene in an
NCBI-disease sentence is unannotated, not "O".

``EVAL_TYPES`` says, per corpus, which gold tags form one scored class and
which of our concept types count as a prediction of that class (BC5CDR's
Chemical is answered by MEDICATION and CHEMICAL; AnatEM's Anatomy, which
includes cells, by ANATOMY).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: where the shared corpora live relative to a checkout (../shared/ner-corpora)
DEFAULT_CORPORA_DIR = Path(__file__).resolve().parents[5] / "shared" / "ner-corpora"

_ANATOMY_13CG = (
    "Cell",
    "Tissue",
    "Organ",
    "Multi-tissue_structure",
    "Cellular_component",
    "Organism_substance",
    "Anatomical_system",
    "Organism_subdivision",
    "Developing_anatomical_structure",
    "Immaterial_anatomical_entity",
)


@dataclass(frozen=True)
class EvalType:
    """One scored class of a corpus: its gold tags and the concept types that predict it."""

    name: str
    gold_tags: tuple[str, ...]
    our_types: tuple[str, ...]


#: corpus folder -> scored classes (BioNLP13CG's Cancer, Amino_acid and
#: Pathological_formation are not scored: we have no type for exactly those)
EVAL_TYPES: dict[str, tuple[EvalType, ...]] = {
    "BC5CDR-IOB": (
        EvalType("Disease", ("Disease",), ("MEDICAL_CONDITION",)),
        EvalType("Chemical", ("Chemical",), ("MEDICATION", "CHEMICAL")),
    ),
    "NCBI-disease-IOB": (EvalType("Disease", ("Disease",), ("MEDICAL_CONDITION",)),),
    "BC2GM-IOB": (EvalType("Gene", ("GENE",), ("GENE_OR_PROTEIN",)),),
    "AnatEM-IOB": (EvalType("Anatomy", ("Anatomy",), ("ANATOMY",)),),
    "linnaeus-IOB": (EvalType("Species", ("Species",), ("ORGANISM",)),),
    "BioNLP13CG-IOB": (
        EvalType("Gene", ("Gene_or_gene_product",), ("GENE_OR_PROTEIN",)),
        EvalType("Chemical", ("Simple_chemical",), ("MEDICATION", "CHEMICAL")),
        EvalType("Organism", ("Organism",), ("ORGANISM",)),
        EvalType("Anatomy", _ANATOMY_13CG, ("ANATOMY",)),
    ),
}


@dataclass
class Sentence:
    """One corpus sentence: its tokens and their IOB tags."""

    tokens: list[str]
    tags: list[str]


def read_iob(path: Path) -> list[Sentence]:
    """Sentences of a two-column IOB file (``token<TAB>tag``, blank line between)."""
    out: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if toks:
                    out.append(Sentence(toks, tags))
                    toks, tags = [], []
                continue
            tok, _, tag = line.partition("\t")
            toks.append(tok)
            tags.append(tag.strip() or "O")
    if toks:
        out.append(Sentence(toks, tags))
    return out


def iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, label) of each entity; an I- without a B- starts one."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        if prefix == "I" and start >= 0 and lab == label:
            continue
        if start >= 0:
            spans.append((start, i, label))
            start = -1
        if prefix in ("B", "I"):
            start, label = i, lab
    return spans
