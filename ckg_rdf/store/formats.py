"""RDF serialisation formats by the names users type and the file extensions they use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from ckg_rdf.store.interface import StoreError


@dataclass(frozen=True)
class ExportFormat:
    key: str
    rdf: RdfFormat
    label: str
    extensions: tuple[str, ...]
    #: keeps named graphs (N-Quads, TriG); the others write the union of the graphs
    datasets: bool = False
    #: one document for the whole graph (RDF/XML, JSON-LD): built in memory, for small graphs
    whole: bool = False


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("nt", RdfFormat.N_TRIPLES, "N-Triples", (".nt",)),
        ExportFormat("ttl", RdfFormat.TURTLE, "Turtle", (".ttl",)),
        ExportFormat("nq", RdfFormat.N_QUADS, "N-Quads", (".nq",), datasets=True),
        ExportFormat("trig", RdfFormat.TRIG, "TriG", (".trig",), datasets=True),
        ExportFormat("jsonld", RdfFormat.JSON_LD, "JSON-LD", (".jsonld", ".json"), whole=True),
        ExportFormat("rdfxml", RdfFormat.RDF_XML, "RDF/XML", (".rdf", ".xml", ".owl"), whole=True),
    )
}


def format_for(path: Path, explicit: str | None = None) -> ExportFormat:
    """The format named by ``explicit``, else the one ``path``'s extension implies."""
    if explicit:
        try:
            return FORMATS[explicit]
        except KeyError:
            raise StoreError(
                f"unknown format {explicit!r}; choose one of {', '.join(FORMATS)}"
            ) from None
    suffixes = "".join(path.suffixes[-2:]).lower()
    for fmt in FORMATS.values():
        if any(suffixes.endswith(ext) for ext in fmt.extensions):
            return fmt
    known = ", ".join(ext for f in FORMATS.values() for ext in f.extensions)
    raise StoreError(
        f"cannot tell the format of {path.name} from its extension (known: {known}); give --format"
    )
