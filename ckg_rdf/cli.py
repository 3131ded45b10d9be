"""The ``ckg`` command line: thin commands over the pipeline, store and service."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Variable,
)
from rich.console import Console
from rich.table import Table

from ckg_rdf import __version__
from ckg_rdf.cli_options import DEFAULT_STORE, StoreOption
from ckg_rdf.corpus.layout import CorpusError, CorpusLayout
from ckg_rdf.embed.commands import embed_command, kge_env_app, similar_command
from ckg_rdf.extract.concepts.base import ExtractorError
from ckg_rdf.extract.concepts.commands import concept_command, concepts_command
from ckg_rdf.pipeline.build import BuildError, BuildReport, build
from ckg_rdf.pipeline.defaults import BuildOptions, default_extensions
from ckg_rdf.progress import papers_progress
from ckg_rdf.queries import named_queries
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, BaseIriError
from ckg_rdf.stats import graph_stats
from ckg_rdf.store import OxigraphStore, StoreError
from ckg_rdf.store.oxigraph_store import EXPORT_FORMATS
from ckg_rdf.vocab import PREFIXES

app = typer.Typer(
    name="ckg",
    help="Build, query and serve a linked-data knowledge graph of CORD-19 papers.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    nt = "nt"
    ttl = "ttl"
    nq = "nq"
    jsonld = "jsonld"


def _version(value: bool) -> None:
    if value:
        out.print(f"ckg-rdf {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Build, query and serve a linked-data knowledge graph of CORD-19 papers."""


@app.command("build")
def build_command(
    corpus_dir: Annotated[
        Path,
        typer.Argument(
            help="A CORD-19 release folder: metadata.csv plus document_parses/ "
            "(or the March-2020 per-subset folders)."
        ),
    ],
    store: StoreOption = DEFAULT_STORE,
    base_iri: Annotated[
        str, typer.Option(help="Base of every minted IRI (where 'ckg serve' will answer).")
    ] = DEFAULT_BASE_IRI,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Read at most this many papers (for a quick try).")
    ] = None,
    concepts: Annotated[
        bool,
        typer.Option(
            "--concepts/--no-concepts",
            help="Find medical concepts in titles, abstracts and bodies (vocabulary matcher).",
        ),
    ] = True,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Compute text + TransE paper vectors and the similar-papers index "
            "(needs the [embed] extra).",
        ),
    ] = True,
    text_model: Annotated[
        str | None,
        typer.Option(
            help="Text model: a local folder or a Hugging Face cache name "
            "(default: SciBERT if cached, else the bundled all-MiniLM-L6-v2)."
        ),
    ] = None,
    max_body_windows: Annotated[
        int,
        typer.Option(
            min=0, help="Embed at most this many model-length windows of each body (CPU time)."
        ),
    ] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Build or update the knowledge graph from a CORD-19 release.

    Re-running on the same corpus writes nothing new; papers added to the
    corpus are added to the graph. Unusable input (bad rows, malformed JSON,
    missing files) is reported, skipped and listed in STORE/problems.tsv.
    """
    options = BuildOptions(
        concepts=concepts,
        embeddings=embeddings,
        text_model=text_model,
        max_body_windows=max_body_windows,
        progress=not quiet,
    )
    steps, stages = default_extensions(store, options)
    CorpusLayout.check_root(corpus_dir)  # fail before drawing a progress bar
    with papers_progress("building", console, quiet=quiet) as bar:
        task = bar.add_task("build", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = build(
            corpus_dir,
            store,
            base_iri=base_iri,
            limit=limit,
            steps=steps,
            stages=stages,
            progress=progress,
        )
    _print_report(report, store)
    for note in options.notes:
        out.print(f"note: {note}", highlight=False, markup=False)


def _print_report(report: BuildReport, store: Path) -> None:
    table = Table(title="Build summary", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    rate = report.papers_read / report.seconds if report.seconds else 0.0
    table.add_row("papers read", f"{report.papers_read:,}")
    table.add_row("papers written (new or changed)", f"{report.papers_written:,}")
    table.add_row("papers unchanged since last build", f"{report.papers_unchanged:,}")
    table.add_row(
        "triples in store",
        f"{report.triples_after:,} (+{report.triples_after - report.triples_before:,})",
    )
    for stage, counts in report.steps.items():
        for name, value in counts.items():
            table.add_row(f"{stage}: {name}", f"{value:,}")
    table.add_row("time", f"{report.seconds:.1f} s ({rate:,.0f} papers/s)")
    out.print(table)
    counts = report.problem_counts
    if counts:
        out.print(f"[yellow]{sum(counts.values()):,} input problem(s)[/], skipped and reported:")
        for kind, n in counts.most_common():
            examples = [p for p in report.problems if p.kind == kind][:3]
            out.print(f"  [bold]{kind}[/]: {n:,}")
            for p in examples:
                out.print(f"    {p}", highlight=False, markup=False)
        out.print(f"  full list: {report.problems_file}")
    else:
        out.print("[green]no input problems[/]")


def _open_read_only(store: Path) -> OxigraphStore:
    return OxigraphStore(store, read_only=True)


def _parse_param(text: str) -> tuple[Variable, NamedNode | Literal]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--param")
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        term: NamedNode | Literal = NamedNode(value[1:-1])
    elif value.startswith(("http://", "https://")):
        term = NamedNode(value)
    else:
        term = Literal(value)
    return Variable(name.strip().lstrip("?$")), term


@app.command("query")
def query_command(
    sparql: Annotated[
        str,
        typer.Argument(
            help="A SPARQL query, a file holding one, or the name of a query in sparql/ "
            "(see 'ckg queries')."
        ),
    ],
    store: StoreOption = DEFAULT_STORE,
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
        ),
    ] = None,
) -> None:
    """Run a SPARQL query on the graph and print the results.

    The usual prefixes (ckg:, rdfs:, skos:, dcterms:, schema:, ...) are predeclared.
    """
    text = _query_text(sparql)
    substitutions = dict(_parse_param(p) for p in (param or []))
    with_store = _open_read_only(store)
    try:
        result = with_store.query(text, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as exc:
        console.print(f"[red]error:[/] the query does not parse: {exc}")
        raise typer.Exit(2) from None
    _print_result(result, fmt)


def _query_text(sparql: str) -> str:
    queries = named_queries()
    if sparql in queries:
        return queries[sparql].text
    path = Path(sparql)
    if len(sparql) < 4096 and "\n" not in sparql and path.suffix in {".rq", ".sparql"}:
        if not path.is_file():
            console.print(f"[red]error:[/] no query file {path}")
            raise typer.Exit(2)
        return path.read_text(encoding="utf-8")
    return sparql


def _cell(term: object) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def _print_result(result: object, fmt: OutputFormat) -> None:
    if isinstance(result, QueryBoolean):
        out.print("true" if bool(result) else "false")
        return
    if isinstance(result, QueryTriples):
        sys.stdout.buffer.write(result.serialize(format=RdfFormat.TURTLE) or b"")
        return
    assert isinstance(result, QuerySolutions)
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
        for r in rows:
            table.add_row(*r)
        out.print(table)
        out.print(f"{len(rows)} row(s)")


@app.command("queries")
def queries_command() -> None:
    """List the named queries in sparql/ (run one with 'ckg query NAME')."""
    table = Table("name", "what it answers", "parameters")
    for q in named_queries().values():
        table.add_row(q.name, q.description, ", ".join(q.params))
    out.print(table)


@app.command("stats")
def stats_command(store: StoreOption = DEFAULT_STORE) -> None:
    """Count the graph's nodes and edges by type."""
    stats = graph_stats(_open_read_only(store))
    table = Table("type", "kind", "count", title=f"{stats.triples:,} triples")
    for name, n in stats.nodes.items():
        table.add_row(name, "node", f"{n:,}")
    for name, n in stats.edges.items():
        table.add_row(name, "edge", f"{n:,}")
    out.print(table)


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="Where to write the graph.")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="RDF format to write.")
    ] = ExportFormat.nt,
    store: StoreOption = DEFAULT_STORE,
) -> None:
    """Dump the whole graph to a file (N-Triples, Turtle, N-Quads or JSON-LD)."""
    assert fmt.value in EXPORT_FORMATS
    n = _open_read_only(store).export(file, fmt.value)
    out.print(f"wrote {n:,} triples to {file} ({fmt.value})")


# --- commands of the feature packages (each registers one line here) --------
# (service, concepts and embeddings add their commands below)
app.command("concepts")(concepts_command)
app.command("concept")(concept_command)
app.command("similar")(similar_command)
app.command("embed")(embed_command)
app.add_typer(kge_env_app, name="kge-env")
from ckg_rdf.service.commands import serve  # noqa: E402

app.command("serve")(serve)


def main() -> None:
    """Entry point: turn known failures into one clear line instead of a traceback."""
    try:
        app()
    except (CorpusError, StoreError, BuildError, BaseIriError, ExtractorError) as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: the next build resumes where this one stopped")
        sys.exit(130)
