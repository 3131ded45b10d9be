"""``ckg rank``: papers ranked by in-corpus citations or PageRank, filtered by topic and concept."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ckg_rdf.cli.common import DataDirOption, StoreOption, fail, open_for_reading, out
from ckg_rdf.rank.ranking import MAX_K, ORDERS, RankingError
from ckg_rdf.rank.run import RankSpec, run_ranking

Names = Annotated[list[str] | None, typer.Option(show_default=False)]


def rank_command(
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TOPIC",
            help="Only papers on this topic (id, label or IRI). Repeatable: all of them.",
            show_default=False,
        ),
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            metavar="CONCEPT",
            help="Only papers that mention this concept (label, synonym or IRI). "
            "Repeatable: all of them.",
            show_default=False,
        ),
    ] = None,
    citing_topic: Annotated[
        list[str] | None,
        typer.Option(
            "--citing-topic",
            metavar="TOPIC",
            help="Count only citations from papers on this topic. Repeatable: any.",
            show_default=False,
        ),
    ] = None,
    citing_concept: Annotated[
        list[str] | None,
        typer.Option(
            "--citing-concept",
            metavar="CONCEPT",
            help="Count only citations from papers mentioning this concept. Repeatable: any.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[str, typer.Option(help=f"Order by {' or '.join(ORDERS)}.")] = "citations",
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=MAX_K, help="How many papers.")] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (with the SPARQL run).")
    ] = False,
    show_query: Annotated[
        bool, typer.Option("--show-query", help="Print the SPARQL query too.")
    ] = False,
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Rank papers by how often the corpus cites them (or by PageRank).

    Example: the most-cited papers about asthma and heart disease, counting only
    citations from papers on epidemiology:

        ckg rank --concept asthma --concept "heart disease" --citing-topic epidemiology
    """
    spec = RankSpec(
        topics=tuple(topic or ()),
        concepts=tuple(concept or ()),
        citing_topics=tuple(citing_topic or ()),
        citing_concepts=tuple(citing_concept or ()),
        by=by,
        k=k,
    )
    _, graph = open_for_reading(store, data_dir)
    try:
        result = run_ranking(graph, spec)
    except RankingError as exc:
        fail(str(exc))
    if as_json:
        body = {
            "by": by,
            "filters": {
                key: [{"name": r.text, "iri": r.iri.value, "label": r.label} for r in found]
                for key, found in result.resolved.items()
                if found
            },
            "query": result.query,
            "results": [
                {
                    "paper": r.paper,
                    "title": r.title,
                    "citations": r.citations,
                    "pageRank": r.page_rank,
                }
                for r in result.rows
            ],
        }
        out.print_json(json.dumps(body))
        return
    filters = "; ".join(
        f"{key.replace('_', ' ')}: "
        + ", ".join(f"{r.label or r.text} <{r.iri.value}>" for r in found)
        for key, found in result.resolved.items()
        if found
    )
    table = Table(
        title=f"Papers by {by}" + (f" ({filters})" if filters else ""), title_justify="left"
    )
    table.add_column("#", justify="right")
    table.add_column("citations", justify="right")
    table.add_column("PageRank", justify="right")
    table.add_column("paper", overflow="fold")
    table.add_column("title")
    for i, r in enumerate(result.rows, 1):
        rank = f"{r.page_rank:.5f}" if r.page_rank is not None else ""
        table.add_row(str(i), str(r.citations), rank, r.paper, r.title)
    out.print(table, markup=False)
    if show_query:
        out.print(result.query, markup=False)
