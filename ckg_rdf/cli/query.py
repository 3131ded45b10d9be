"""``ckg query``, ``ckg queries``, ``ckg stats``, ``ckg export``: reading the graph."""

from __future__ import annotations

import csv
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, RdfFormat, Variable
from pyoxigraph import serialize as ox_serialize
from rich.table import Table

from ckg_rdf.cli.common import DataDirOption, StoreOption, fail, open_for_reading, out
from ckg_rdf.queries import named_queries
from ckg_rdf.sparql_text import blank_opaque, unescape_codepoints
from ckg_rdf.stats import graph_stats
from ckg_rdf.store import QueryError
from ckg_rdf.store.formats import FORMATS, format_for
from ckg_rdf.store.interface import as_triples
from ckg_rdf.store.shards import LineShards
from ckg_rdf.vocab import PREFIXES


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


_NAME = re.compile(r"^[\w.-]+$")
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*\S+|BASE\s+\S+)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.I,
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)
_PNAME = re.compile(r"(?<![\w?$:\\])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\\s(){}.,;]|$)")


def query_text(sparql: str) -> str:
    """A named query's text, a file's text, or the argument itself."""
    queries = named_queries()
    if sparql in queries:
        return queries[sparql].text
    path = Path(sparql)
    if len(sparql) < 4096 and "\n" not in sparql and path.suffix in {".rq", ".sparql"}:
        if not path.is_file():
            fail(f"no query file {path}")
        return path.read_text(encoding="utf-8")
    if _NAME.match(sparql) and not path.is_file():
        fail(f"no named query {sparql!r} (see 'ckg queries' for the names)")
    return sparql


def explain_syntax(text: str, message: str) -> str:
    """A parser error made useful: updates, unknown prefixes, else the parser's first line."""
    if _UPDATE.match(text):
        return (
            "this is a SPARQL Update; 'ckg query' runs queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
        )
    blank = blank_opaque(unescape_codepoints(text))
    declared = {m.group(1) or "" for m in _DECLARED.finditer(blank)} | set(PREFIXES)
    for m in _PNAME.finditer(blank):
        prefix = m.group(1) or ""
        if prefix not in declared:
            known = ", ".join(sorted(PREFIXES))
            return (
                f"unknown prefix {prefix}: (declare it with PREFIX {prefix}: <...>; "
                f"predeclared: {known})"
            )
    first = message.splitlines()[0] if message else "syntax error"
    return first if len(first) <= 300 else first[:300] + " ..."


def _parse_param(text: str) -> tuple[Variable, NamedNode | Literal]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--param")
    value = value.strip()
    try:
        if value.startswith("<") and value.endswith(">"):
            term: NamedNode | Literal = NamedNode(value[1:-1])
        elif value.startswith(("http://", "https://")):
            term = NamedNode(value)
        else:
            term = Literal(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a valid IRI: {exc}", "--param") from None
    return Variable(name.strip().lstrip("?$")), term


def query_command(
    sparql: Annotated[
        str,
        typer.Argument(
            help="A SPARQL query, a file holding one (.rq), or the name of a query in sparql/ "
            "(see 'ckg queries').",
            metavar="SPARQL",
            show_default=False,
        ),
    ],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to print SELECT results.")
    ] = OutputFormat.table,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="Bind a query variable: NAME=VALUE (VALUE in <...> or http(s):// is an IRI, "
            "else a literal). Repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a SPARQL query on the graph and print the results.

    The usual prefixes (ckg:, rdfs:, skos:, dcterms:, schema:, ...) are predeclared.
    """
    text = query_text(sparql)
    substitutions = dict(_parse_param(p) for p in (param or []))
    _, graph = open_for_reading(store, data_dir)
    try:
        result = graph.query(text, substitutions=substitutions or None)
    except QueryError as exc:
        fail(f"the query does not parse: {explain_syntax(text, str(exc))}")
    print_result(result, fmt)


def _cell(term: object) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def print_result(result: object, fmt: OutputFormat) -> None:
    if isinstance(result, QueryBoolean):
        out.print("true" if bool(result) else "false")
        return
    if not isinstance(result, QuerySolutions):
        sys.stdout.buffer.write(
            ox_serialize(list(as_triples(result)), format=RdfFormat.TURTLE, prefixes=PREFIXES)
            or b""
        )
        return
    names = [v.value for v in result.variables]
    rows = [[_cell(s[n]) for n in names] for s in result]
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(rows)
    elif fmt is OutputFormat.json:
        json.dump([dict(zip(names, r, strict=True)) for r in rows], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        table = Table(*names)
        for column in table.columns:
            column.overflow = "fold"  # identifiers are never cut short
        for r in rows:
            table.add_row(*r)
        out.print(table, markup=False)
        out.print(f"{len(rows)} row(s)")


def queries_command() -> None:
    """List the named queries in sparql/ (run one with 'ckg query NAME')."""
    table = Table("name", "what it answers", "parameters")
    for q in named_queries().values():
        table.add_row(q.name, q.description, ", ".join(q.params))
    out.print(table, markup=False)


def stats_command(
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count the graph's nodes and edges by type, and the triples of each named graph."""
    _, graph = open_for_reading(store, data_dir)
    stats = graph_stats(graph)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "triples": stats.triples,
                    "nodes": stats.nodes,
                    "edges": stats.edges,
                    "graphs": stats.graphs,
                }
            )
        )
        return
    table = Table("type", "kind", "count", title=f"{stats.triples:,} triples")
    for name, n in stats.nodes.items():
        table.add_row(name, "node", f"{n:,}")
    for name, n in stats.edges.items():
        table.add_row(name, "edge", f"{n:,}")
    out.print(table)


def export_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Where to write the graph; the extension gives the format "
            "(.nt .ttl .nq .trig .jsonld .rdf).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"RDF format, overriding the extension: {', '.join(FORMATS)}.",
            show_default=False,
        ),
    ] = None,
    shards: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            min=1,
            help="Write N files of about equal size into the folder FILE (nq or nt only), "
            "for the parallel bulk loaders of big stores.",
            show_default=False,
        ),
    ] = None,
    gzip: Annotated[
        bool,
        typer.Option("--gzip", help="Compress each shard (with --shards)."),
    ] = False,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Dump the graph to a file. N-Quads and TriG keep the named graphs; the other formats
    write their union (RDF/XML and JSON-LD are built in memory: for small graphs).

    With --shards N, FILE is a folder and the dump (N-Quads or N-Triples) is split at
    line boundaries into N files, part-00001-of-0000N.nq and so on: the input that
    'oxigraph load', QLever's index builder and Neptune's bulk loader read in parallel.
    """
    if shards is None:
        if gzip:
            raise typer.BadParameter("--gzip needs --shards", param_hint="'--gzip'")
        spec = format_for(file, fmt)
        _, graph = open_for_reading(store, data_dir)
        n = graph.export(file, spec.key)
        noun = "quads" if spec.datasets else "triples"
        out.print(f"wrote {n:,} {noun} to {file} ({spec.label})")
        return
    spec = format_for(file, fmt) if fmt or file.suffix else FORMATS["nq"]
    if spec.key not in ("nq", "nt"):
        raise typer.BadParameter(
            f"--shards needs a line-based format, nq or nt, not {spec.key}",
            param_hint="'--format'",
        )
    if file.exists() and not file.is_dir():
        raise typer.BadParameter(
            f"{file} is a file; with --shards give a folder", param_hint="FILE"
        )
    _, graph = open_for_reading(store, data_dir)
    total = graph.count()
    sink = LineShards(file, shards, -(-total // shards), spec.key, gz=gzip)
    try:
        n = graph.export(sink, spec.key)  # type: ignore[arg-type]
    finally:
        sink.close()
    noun = "quads" if spec.datasets else "triples"
    out.print(f"wrote {n:,} {noun} into {len(sink.paths)} files in {file} ({spec.label})")
