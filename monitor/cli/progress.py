"""Progress bars for long commands (rescore, eval, import): on stderr, and only on a terminal.

A bar is for someone watching; in a pipe, a log file or a cron mail its redraws are noise, so when
stderr is not a terminal the callback does nothing and nothing is printed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from monitor.cli.app import err_console

#: What long-running library functions take: called with (done, total) as work advances.
ProgressCallback = Callable[[int, int], None]


def _ignore(done: int, total: int) -> None:
    del done, total


@contextlib.contextmanager
def progress_bar(description: str, *, console: Console | None = None) -> Iterator[ProgressCallback]:
    """A ``(done, total)`` callback that draws a bar described by ``description`` (plain text: a
    file name in it is shown as it is, not read as markup) while the block runs; the bar disappears
    at the end. Off (a callback that does nothing) when not a terminal."""
    target = console or err_console
    if not target.is_terminal:
        yield _ignore
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=target,
        transient=True,
    ) as bar:
        task = bar.add_task(escape(description), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
