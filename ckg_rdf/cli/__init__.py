"""The ``ckg`` command line: thin commands over the pipeline, the store and the service.

The only package that imports the CLI library (typer). Exit codes, one rule
for every command (also in the README):

* 0: done;
* 1: the command could not do what was asked (no graph, bad input, a store
  that refused): one line on stderr says what and what to do;
* 2: the command line is wrong (unknown option, bad value): nothing was tried;
* 130: interrupted (a build resumes where it stopped).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import typer.core
import typer.main
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from ckg_rdf import __version__
from ckg_rdf.cli import build as build_cli
from ckg_rdf.cli import concepts as concepts_cli
from ckg_rdf.cli import embed as embed_cli
from ckg_rdf.cli import query as query_cli
from ckg_rdf.cli import rank as rank_cli
from ckg_rdf.cli import serve as serve_cli
from ckg_rdf.cli.common import err, out, say_error
from ckg_rdf.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, CkgError


def _usage_name(self: typer.core.TyperArgument) -> str:
    """``CORPUS_DIR`` for a required argument, ``[CORPUS_DIR]`` for an optional one: the
    usual convention (typer 0.29 writes ``{CORPUS_DIR}``, which reads as a choice)."""
    name = self.display_name_raw
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")


typer.core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]

app = typer.Typer(
    name="ckg",
    help="Build, query and serve a linked-data knowledge graph of CORD-19 papers.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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


app.command("build")(build_cli.build_command)
app.command("query")(query_cli.query_command)
app.command("queries")(query_cli.queries_command)
app.command("stats")(query_cli.stats_command)
app.command("export")(query_cli.export_command)
app.command("concepts")(concepts_cli.concepts_command)
app.command("concept")(concepts_cli.concept_command)
app.command("rank")(rank_cli.rank_command)
app.command("similar")(embed_cli.similar_command)
app.command("embed")(embed_cli.embed_command)
app.add_typer(embed_cli.kge_env_app, name="kge-env")
app.command("serve")(serve_cli.serve_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every known failure is one line on stderr and the documented exit code
    (module docstring), never a traceback."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="ckg", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        out.print(exc.format_message(), markup=False, highlight=False)
        sys.exit(0)
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "ckg"
        say_error(f"{exc.format_message()} (see '{where} --help')")
        sys.exit(EXIT_USAGE)
    except CkgError as exc:
        say_error(str(exc))
        sys.exit(EXIT_FAILURE)
    except (KeyboardInterrupt, typer.Abort):
        err.print("[yellow]interrupted[/]: the next build resumes where this one stopped")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
