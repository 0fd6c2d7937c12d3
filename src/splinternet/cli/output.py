"""Rendering shared by all commands: JSON for scripts, rich for people, progress bars on a tty."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.progress import Progress as RichProgress

from ..progress import NO_PROGRESS, Progress
from ..report.jsonable import json_text, to_jsonable

__all__ = ["console", "err_console", "print_json", "progress_bar", "to_jsonable"]

# piped output is read by people too (less, a file): wide enough for the ranking tables
console = Console() if sys.stdout.isatty() else Console(width=160)
err_console = Console(stderr=True)


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value) + "\n")


class _RichBar:
    def __init__(self, progress: RichProgress, *, bytes_mode: bool) -> None:
        self._progress = progress
        self._task: Any = None
        self._bytes = bytes_mode

    def start(self, description: str, total: int | None) -> None:
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None


@contextmanager
def progress_bar(*, bytes_mode: bool = False) -> Iterator[Progress]:
    """A rich progress bar on an interactive stderr; silent when piped or redirected."""
    if not err_console.is_terminal:
        yield NO_PROGRESS
        return
    columns: list[Any] = [TextColumn("[progress.description]{task.description}"), BarColumn()]
    if bytes_mode:
        columns += [DownloadColumn(), TransferSpeedColumn()]
    else:
        columns += [MofNCompleteColumn()]
    columns.append(TimeRemainingColumn())
    with RichProgress(*columns, console=err_console, transient=True) as progress:
        yield _RichBar(progress, bytes_mode=bytes_mode)
