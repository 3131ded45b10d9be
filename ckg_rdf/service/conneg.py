"""Content negotiation: Accept headers with q-values, and the formats we speak.

Written here rather than taken from werkzeug or python-mimeparse because both
mishandle headers real clients send (a ``charset`` parameter breaks werkzeug's
match; mimeparse is case-sensitive and prefers the *last* offer on ties).
Rules: media types compare case-insensitively, parameters other than ``q`` are
ignored, the most specific matching range decides an offer's q, and ties go to
the server's first offer, so the order of ``offers`` is the server's preference.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One serialisation: a short key (for ``?format=`` and file extensions) and media types."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    extension: str = ""
    label: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


#: SELECT / ASK results (SPARQL 1.1 Query Results formats)
RESULT_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "json",
            "application/sparql-results+json",
            ("application/json", "text/javascript", "application/javascript"),
            "srj",
            "JSON",
        ),
        Format(
            "xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx", "XML"
        ),
        Format("csv", "text/csv", (), "csv", "CSV"),
        Format("tsv", "text/tab-separated-values", (), "tsv", "TSV"),
    )
}

#: RDF graphs (CONSTRUCT / DESCRIBE results, resource descriptions, the ontology)
RDF_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("ttl", "text/turtle", ("application/x-turtle",), "ttl", "Turtle"),
        Format("jsonld", "application/ld+json", ("application/json",), "jsonld", "JSON-LD"),
        Format("nt", "application/n-triples", ("text/plain",), "nt", "N-Triples"),
        Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), "rdf", "RDF/XML"),
    )
}

HTML = Format("html", "text/html", ("application/xhtml+xml",), "html", "HTML")

#: what people type in ``?format=`` besides the keys and media types
FORMAT_ALIASES: dict[str, str] = {
    "srj": "json",
    "srx": "xml",
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range matches ``media_type``: 3 exact, 2 type/*, 1 */*, 0 no."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != t:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == s else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; an empty or missing one means ``*/*``.

    Unparseable pieces are skipped rather than rejected: a client with a sloppy
    header still deserves an answer.
    """
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        t, sep, s = media.partition("/")
        if not sep or not t or not s:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(t, s, q))
    return ranges or [MediaRange("*", "*", 1.0)]


def quality(ranges: list[MediaRange], media_type: str, *, exact_only: bool = False) -> float:
    """The q the client gives ``media_type``: from its most specific matching range."""
    best_spec, best_q = 0, 0.0
    for r in ranges:
        spec = r.specificity(media_type)
        if exact_only and spec < 3:
            continue
        if spec > best_spec or (spec == best_spec and spec and r.q > best_q):
            best_spec, best_q = spec, r.q
    return best_q if best_spec else 0.0


def negotiate(accept: str | None, offers: list[Format]) -> Format | None:
    """The offer the client prefers most, ties to the earliest offer; None if none is acceptable."""
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in offers:
        # Aliases count only when named exactly: text/* must not pick JSON
        # results because text/javascript is one of JSON's aliases.
        q = max(
            [quality(ranges, fmt.media_type)]
            + [quality(ranges, a, exact_only=True) for a in fmt.aliases]
        )
        if q > best_q:
            best, best_q = fmt, q
    return best


def by_name(name: str, offers: list[Format]) -> Format | None:
    """Resolve a ``?format=`` value (key, alias, extension or media type) among ``offers``."""
    wanted = name.strip().lower()
    wanted = FORMAT_ALIASES.get(wanted, wanted)
    for fmt in offers:
        if wanted in (fmt.key, fmt.extension):
            return fmt
    for fmt in offers:
        if wanted in fmt.media_types:
            return fmt
    # "json" / "xml" on a graph result mean its JSON / XML syntax
    if wanted in ("json", "xml"):
        for fmt in offers:
            if fmt.media_type.endswith("+" + wanted):
                return fmt
    return None


def choose(
    accept: str | None, fmt_param: str | None, offers: list[Format]
) -> tuple[Format | None, str]:
    """Pick a format from ``?format=`` (wins) or the Accept header; the str explains a miss."""
    if fmt_param:
        fmt = by_name(fmt_param, offers)
        if fmt is None:
            return None, (
                f"format {fmt_param!r} is not available here; "
                f"choose one of {', '.join(f.key for f in offers)}"
            )
        return fmt, ""
    fmt = negotiate(accept, offers)
    if fmt is None:
        return None, (
            f"none of the media types in Accept: {accept!r} is available here; "
            f"this resource is served as {', '.join(f.media_type for f in offers)}"
        )
    return fmt, ""
