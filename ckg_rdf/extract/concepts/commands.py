"""Typer command functions for ``ckg concepts`` and ``ckg concept NAME``.

They are registered in ``ckg_rdf/cli.py``; queries come from ``sparql/*.rq``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pyoxigraph import Literal, NamedNode, Variable
from rich.console import Console
from rich.table import Table

from ckg_rdf.cli_options import DEFAULT_STORE, StoreOption
from ckg_rdf.extract.concepts.base import ConceptExtractor, ExtractorError
from ckg_rdf.progress import papers_progress
from ckg_rdf.queries import named_queries
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI
from ckg_rdf.vocab import PREFIXES

console = Console(stderr=True)
out = Console()


class Backend(StrEnum):
    vocab = "vocab"
    model = "model"
    learned = "learned"


def make_extractor(backend: str = "vocab", ner_model: Path | None = None) -> ConceptExtractor:
    """The extractor a build or ``ckg concepts`` uses; raises ExtractorError with advice."""
    from ckg_rdf.extract.concepts.matcher import VocabularyMatcher

    if backend == "vocab":
        if ner_model is not None:
            raise ExtractorError("--ner-model is only used with --backend model")
        return VocabularyMatcher()
    if backend == "model":
        if ner_model is None:
            raise ExtractorError("--backend model needs --ner-model PATH (a local model folder)")
        from ckg_rdf.extract.concepts.model import TransformersExtractor

        vocab = VocabularyMatcher()
        return TransformersExtractor(
            ner_model, linker=vocab.index.lookup, linker_concepts=vocab.index.concepts
        )
    if backend == "learned":
        # the shipped CRF taggers, or a folder of retrained ones (--ner-model DIR)
        from ckg_rdf.extract.concepts.learned import make_learned_extractor

        return make_learned_extractor(ner_model)
    raise ExtractorError(f"unknown backend {backend!r}; choose vocab, model or learned")


def _fail(message: str) -> None:
    console.print(f"[red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _query(store_path: Path, query_name: str, **bindings: NamedNode | Literal) -> list:
    from ckg_rdf.store import OxigraphStore, StoreError

    try:
        store = OxigraphStore(store_path, read_only=True)
    except StoreError as exc:
        _fail(str(exc))
    q = named_queries()[query_name]
    subs = {Variable(k): v for k, v in bindings.items()}
    return list(store.query(q.text, prefixes=PREFIXES, substitutions=subs or None))


def print_top_concepts(store_path: Path, top: int) -> None:
    """Print the ``top`` concepts by paper count (sparql/top-concepts.rq)."""
    rows = _query(store_path, "top-concepts")[:top]
    if not rows:
        console.print("no concepts in the store yet: run 'ckg build' or 'ckg concepts CORPUS_DIR'")
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
    out.print(table)


def concepts_command(
    corpus_dir: Annotated[
        Path | None,
        typer.Argument(
            help="A CORD-19 release folder to annotate; leave out to re-annotate the corpus "
            "the store was built from."
        ),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    backend: Annotated[
        Backend,
        typer.Option(
            help="vocab: vocabulary matcher (default, fastest); learned: CRF taggers trained "
            "on public NER corpora (more recall, slower); model: --ner-model."
        ),
    ] = Backend.vocab,
    ner_model: Annotated[
        Path | None,
        typer.Option(help="Folder of a transformers token-classification model (--backend model)."),
    ] = None,
    base_iri: Annotated[
        str | None,
        typer.Option(help="Base of minted IRIs (default: the one the store was built with)."),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Annotate at most N papers.")] = None,
    top: Annotated[int, typer.Option(min=0, help="Then print the top N concepts.")] = 20,
    print_only: Annotated[
        bool, typer.Option("--print-only", help="Annotate nothing; only print the top concepts.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Extract medical concepts from papers (resumable), then print the top concepts.

    Papers already annotated by the same extractor version are skipped.
    """
    stored_corpus, stored_base = _stored_settings(store)
    corpus_dir = corpus_dir or stored_corpus
    base_iri = base_iri or stored_base or DEFAULT_BASE_IRI
    if corpus_dir is None and not print_only:
        _fail(f"no corpus to annotate: give CORPUS_DIR, or build {store} first with 'ckg build'")
    if corpus_dir is not None and not print_only:
        from ckg_rdf.corpus.layout import CorpusError
        from ckg_rdf.extract.concepts.step import ConceptStep
        from ckg_rdf.pipeline.build import BuildError, build
        from ckg_rdf.rdf.iris import BaseIriError
        from ckg_rdf.store import StoreError

        try:
            extractor = make_extractor(backend.value, ner_model)
        except ExtractorError as exc:
            _fail(str(exc))
        step = ConceptStep(extractor)
        with papers_progress("concepts", console, quiet=quiet) as bar:
            task = bar.add_task("concepts", total=None)
            try:
                report = build(
                    corpus_dir,
                    store,
                    base_iri=base_iri,
                    limit=limit,
                    steps=[step],
                    include_papers=False,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except (BuildError, CorpusError, BaseIriError, StoreError, ExtractorError) as exc:
                _fail(str(exc))
        for key, value in report.steps.get(step.name, {}).items():
            out.print(f"{key}: {value:,}")
        out.print(f"time: {report.seconds:.1f} s")
    if top:
        print_top_concepts(store, top)


def _stored_settings(store: Path) -> tuple[Path | None, str | None]:
    """The corpus folder and base IRI the store was last built with, if any."""
    from ckg_rdf.pipeline.state import recorded_settings

    recorded = recorded_settings(store)
    corpus = recorded.get("corpus_dir")
    return (Path(corpus) if corpus else None), recorded.get("base_iri")


def concept_command(
    name: Annotated[str, typer.Argument(help="A concept label or synonym, e.g. ARDS.")],
    store: StoreOption = DEFAULT_STORE,
    limit: Annotated[int, typer.Option(min=1, help="Show at most N papers.")] = 20,
) -> None:
    """List the papers that mention a concept (by label or synonym), most-mentioning first."""
    concepts = _query(store, "concepts-by-label", name=Literal(name))
    if not concepts:
        _fail(f"no concept labelled {name!r} in the store (labels and synonyms, any case)")
    for c in concepts:
        node = c["concept"]
        rows = _query(store, "papers-mentioning-concept", concept=node)
        table = Table(
            title=f"{c['prefLabel'].value} ({c['typeName'].value}) <{node.value}>: "
            f"{len(rows)} paper(s)",
            title_justify="left",
        )
        table.add_column("mentions", justify="right")
        table.add_column("paper")
        table.add_column("title")
        for r in rows[:limit]:
            title = r["title"].value if r["title"] is not None else ""
            table.add_row(r["mentions"].value, r["paper"].value, title[:90])
        out.print(table)
