"""``ckg concepts`` (re-annotate, then print the top concepts) and ``ckg concept NAME``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pyoxigraph import Literal, NamedNode
from rich.table import Table

from ckg_rdf.cli.common import (
    DataDirOption,
    QuietOption,
    StoreOption,
    data_dir_for,
    err,
    fail,
    open_for_reading,
    out,
)
from ckg_rdf.cli.progress import papers_progress
from ckg_rdf.config import load_config
from ckg_rdf.extract.concepts import EXTRACTORS
from ckg_rdf.pipeline.build import build
from ckg_rdf.queries import named_queries
from ckg_rdf.store import GraphReader, select

_BACKENDS = ", ".join(f"{e.name} ({e.help})" for e in EXTRACTORS.entries())


#: every paper mentioning ?concept, most mentions first (the named query
#: papers-mentioning-concept reads the first 20 the build keeps; here all are listed)
_MENTIONING = """SELECT ?concept ?paper ?title ?mentions
WHERE {
  ?annotation a ckg:ConceptAnnotation ; oa:hasBody ?concept ; oa:hasTarget ?paper ;
      ckg:mentionCount ?mentions ; ckg:score ?score .
  OPTIONAL { ?paper ckg:title ?title }
}
ORDER BY DESC(?mentions) DESC(?score) ?paper"""


def _rows(store: GraphReader, query: str, **bindings: NamedNode | Literal) -> list:
    return select(store, named_queries()[query].text, **bindings)


def print_top_concepts(store: GraphReader, top: int) -> None:
    """Print the ``top`` concepts by paper count (sparql/top-concepts.rq)."""
    rows = _rows(store, "top-concepts")[:top]
    if not rows:
        err.print("no concepts in the graph yet: run 'ckg build' or 'ckg concepts CORPUS_DIR'")
        return
    table = Table(title=f"Top {len(rows)} concepts by paper count", title_justify="left")
    for col, just in (("#", "right"), ("concept", "left"), ("type", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    table.add_column("papers", justify="right")
    table.add_column("mentions", justify="right")
    for i, r in enumerate(rows, start=1):
        table.add_row(
            str(i), r["label"].value, r["typeName"].value, r["papers"].value, r["mentions"].value
        )
    out.print(table, markup=False)


def concepts_command(
    corpus_dir: Annotated[
        Path | None,
        typer.Argument(
            help="A CORD-19 release folder to annotate; leave out to re-annotate the corpus "
            "the graph was built from.",
            metavar="CORPUS_DIR",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help=f"Concept extractor: {_BACKENDS}. Default: the build's (vocab).",
            show_default=False,
        ),
    ] = None,
    ner_model: Annotated[
        Path | None,
        typer.Option(
            help="A local model folder, for extractors that load one.", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Annotate at most N papers.", show_default=False)
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Then print the top N concepts.")] = 20,
    print_only: Annotated[
        bool, typer.Option("--print-only", help="Annotate nothing; only print the top concepts.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Extract medical concepts from papers (resumable), then print the top concepts.

    Papers already annotated by the same extractor version are skipped; a new
    extractor or vocabulary replaces the old links. Uses the settings the graph
    was built with (base IRI, store), so the IRIs match.
    """
    data, settings = data_dir_for(store, data_dir)
    if not print_only:
        recorded = data.recorded_config()
        if corpus_dir is None and (recorded is None or not recorded.corpus_dir):
            fail(f"no corpus to annotate: give CORPUS_DIR, or build {data.root} first")
        if backend is not None and backend not in EXTRACTORS:
            fail(f"no concept extractor named {backend!r}; choose one of: {_BACKENDS}")
        config = load_config(
            None,
            {
                "corpus_dir": str(corpus_dir) if corpus_dir else None,
                "limit": limit,
                "store.location": settings.location if settings else None,
                "store.data_dir": str(data.root) if settings else None,
                "concepts.enabled": True,
                "concepts.backend": backend,
                "concepts.model": str(ner_model) if ner_model else None,
            },
            recorded=recorded,
        )
        if config.store.location != str(data.root) and not config.store.is_remote:
            config = config.model_copy(
                update={"store": config.store.model_copy(update={"location": str(data.root)})}
            )
        with papers_progress("concepts", err, quiet=quiet) as bar:
            task = bar.add_task("concepts", total=None)
            report = build(
                config,
                steps=["concepts"],
                stages=["summaries", "search", "dataset"],  # they follow the new links
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        counts = {"papers annotated": 0, **report.steps.get("concepts", {})}
        for key, value in counts.items():
            out.print(f"{key}: {value:,}")
        out.print(f"time: {report.seconds:.1f} s")
    if top:
        _, graph = open_for_reading(store, data_dir)
        print_top_concepts(graph, top)


def concept_command(
    name: Annotated[
        str,
        typer.Argument(
            help="A concept label or synonym, e.g. ARDS.", metavar="NAME", show_default=False
        ),
    ],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most N papers.")] = 20,
) -> None:
    """List the papers that mention a concept (by label or synonym), most-mentioning first."""
    _, graph = open_for_reading(store, data_dir)
    concepts = _rows(graph, "concepts-by-label", name=Literal(name))
    if not concepts:
        fail(f"no concept labelled {name!r} in the graph (labels and synonyms, any case)")
    for c in concepts:
        node = c["concept"]
        rows = select(graph, _MENTIONING, concept=node)
        table = Table(
            title=f"{c['prefLabel'].value} ({c['typeName'].value}) <{node.value}>: "
            f"{len(rows)} paper(s)",
            title_justify="left",
        )
        table.add_column("mentions", justify="right")
        table.add_column("paper", overflow="fold")
        table.add_column("title")
        for r in rows[:limit]:
            title = r["title"].value if r["title"] is not None else ""
            table.add_row(r["mentions"].value, r["paper"].value, title)
        out.print(table, markup=False)
