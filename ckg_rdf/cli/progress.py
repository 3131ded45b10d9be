"""One progress bar for every long command, so they all look and behave alike."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def papers_progress(label: str, console: Console, *, quiet: bool = False) -> Progress:
    """A 'LABEL ━━━ n/N papers ETA' bar on ``console``; nothing when ``quiet``."""
    return Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("papers"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    )
