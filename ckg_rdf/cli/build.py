"""``ckg build``: build or update the graph from a CORD-19 release."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ckg_rdf.cli.common import DataDirOption, QuietOption, StoreOption, err, fail, note, out
from ckg_rdf.cli.progress import papers_progress
from ckg_rdf.config import BuildConfig, load_config
from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.datadir import DataDir
from ckg_rdf.embed import missing_extra_message
from ckg_rdf.pipeline.build import BuildReport, build

#: problem kinds that do not lose data: the paper was loaded, with less
NOTE_KINDS = {"missing-full-text"}


def build_command(
    corpus_dir: Annotated[
        Path,
        typer.Argument(
            help="A CORD-19 release folder: metadata.csv plus document_parses/ "
            "(or the 2020 per-subset folders).",
            metavar="CORPUS_DIR",
            show_default=False,
        ),
    ],
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="FILE",
            help="A TOML file of build settings (see README 'Configuration'); options given "
            "here override it.",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    update_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="SPARQL Update endpoint of a remote store (default: .../update).",
            show_default=False,
        ),
    ] = None,
    gsp_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Graph Store Protocol endpoint of a remote store (default: .../store).",
            show_default=False,
        ),
    ] = None,
    base_iri: Annotated[
        str | None,
        typer.Option(
            metavar="IRI",
            help="Base of every minted IRI, where 'ckg serve' will answer "
            "(default http://localhost:8000/).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            min=1,
            help="Read at most this many papers (for a quick try).",
            show_default=False,
        ),
    ] = None,
    concepts: Annotated[
        bool | None,
        typer.Option(
            "--concepts/--no-concepts",
            help="Find medical concepts in titles, abstracts and bodies (default: on).",
            show_default=False,
        ),
    ] = None,
    concept_backend: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Concept extractor (see 'ckg concepts --help'; default vocab).",
            show_default=False,
        ),
    ] = None,
    embeddings: Annotated[
        bool | None,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Compute text + TransE paper vectors and the similar-papers index "
            "(needs the [embed] extra; default: on).",
            show_default=False,
        ),
    ] = None,
    topics: Annotated[
        bool | None,
        typer.Option(
            "--topics/--no-topics",
            help="Learn the seeded topic model and link papers to topics (default: on).",
            show_default=False,
        ),
    ] = None,
    search: Annotated[
        bool | None,
        typer.Option(
            "--search/--no-search",
            help="Keep the full-text search index that /search and the pages use (default: on).",
            show_default=False,
        ),
    ] = None,
    text_model: Annotated[
        str | None,
        typer.Option(
            metavar="NAME|PATH",
            help="Text model: minilm, scibert, or a local model folder "
            "(default: SciBERT if cached, else the bundled all-MiniLM-L6-v2).",
            show_default=False,
        ),
    ] = None,
    max_body_windows: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            min=0,
            help="Embed at most this many model-length windows of each body (CPU time; default 2).",
            show_default=False,
        ),
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Where paper batches run: local or dask (default local).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="A Dask scheduler address tcp://HOST:PORT (with --executor dask).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            min=1,
            help="Worker processes of a local Dask cluster (default: cores).",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Build or update the knowledge graph from a CORD-19 release.

    Re-running on the same corpus writes nothing new; papers added to the
    corpus are added to the graph; a changed paper's old triples are replaced.
    Unusable input (bad rows, malformed JSON, missing files) is reported,
    skipped and listed in DATA_DIR/problems.tsv. The resolved settings are
    recorded with the build; later commands read them.
    """
    CorpusLayout.check_root(corpus_dir)  # fail before drawing a progress bar
    overrides: dict[str, Any] = {
        "corpus_dir": str(corpus_dir),
        "base_iri": base_iri,
        "limit": limit,
        "store.location": store,
        "store.data_dir": str(data_dir) if data_dir else None,
        "store.update_url": update_url,
        "store.gsp_url": gsp_url,
        "concepts.enabled": concepts,
        "concepts.backend": concept_backend,
        "embeddings.enabled": embeddings,
        "embeddings.text_model": text_model,
        "topics.enabled": topics,
        "search.enabled": search,
        "embeddings.max_body_windows": max_body_windows,
        "executor.name": executor,
        "executor.scheduler": scheduler,
        "executor.workers": workers,
    }
    config = load_config(config_file, overrides)
    DataDir(config.store.data_path()).check_usable()
    if config.embeddings.enabled:
        why = missing_extra_message()
        if why:
            note(f"similar papers skipped: {why}")
    with papers_progress("building", err, quiet=quiet) as bar:
        task = bar.add_task("build", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = build(config, progress=progress)
    print_report(report, config)
    if report.papers_read == 0:
        fail(
            f"nothing was built: {corpus_dir} yielded no readable paper "
            f"({len(report.problems):,} problem(s), listed in {report.problems_file})"
        )


def print_report(report: BuildReport, config: BuildConfig) -> None:
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
    if report.skipped_stages:
        table.add_row("stages with nothing new to do", ", ".join(report.skipped_stages))
    table.add_row("time", f"{report.seconds:.1f} s ({rate:,.0f} papers/s)")
    slowest = sorted(report.phases.items(), key=lambda kv: -kv[1][0])[:4]
    table.add_row("time by phase", ", ".join(f"{name} {wall:.1f} s" for name, (wall, _) in slowest))
    table.add_row("executor", report.executor)
    out.print(table)
    for line in report.notes:
        note(line)
    notes = [p for p in report.problems if p.kind in NOTE_KINDS]
    problems = [p for p in report.problems if p.kind not in NOTE_KINDS]
    if notes:
        out.print(
            f"{len(notes):,} metadata row(s) name a full-text parse that is not in the corpus: "
            "loaded from metadata alone, as designed (a sample of a release ships only some "
            f"of its parses). Listed in {report.problems_file}.",
            markup=False,
        )
    if problems:
        counts: dict[str, int] = {}
        for p in problems:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        out.print(f"[yellow]{len(problems):,} input problem(s)[/], skipped and reported:")
        for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            out.print(f"  [bold]{kind}[/]: {n:,}")
            for p in [p for p in problems if p.kind == kind][:3]:
                out.print(f"    {p}", markup=False)
        out.print(f"  full list: {report.problems_file}", markup=False)
    elif not notes:
        out.print("[green]no input problems[/]")
    out.print(
        f"graph {report.build_id} in {config.store.location}; serve it with 'ckg serve"
        + (f" --store {config.store.location}'" if config.store.location != "ckg-data" else "'"),
        markup=False,
    )
