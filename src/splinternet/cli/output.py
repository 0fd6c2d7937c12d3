"""Rendering shared by all commands: JSON for scripts, rich for people, progress bars on a tty."""

from __future__ import annotations

import os
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

from .. import api
from ..progress import NO_PROGRESS, Progress
from ..report.formatting import group_notes, n_of_m
from ..report.jsonable import json_text, to_jsonable

__all__ = ["announce", "console", "err_console", "print_cut", "print_inputs", "print_json", "print_notes",
           "progress_bar", "to_jsonable", "warn", "warn_reserved"]


class _Console(Console):
    """A rich console for which a reader that left (`| head`) is the end of the output, not an error."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to write, even at exit
        raise SystemExit(0)  # as `mrt dump` and the JSON output (cli/app.py: main)


# piped output is read by people too (less, a file): wide enough for the ranking tables
console = _Console() if sys.stdout is not None and sys.stdout.isatty() else _Console(width=160)
err_console = Console(stderr=True)


def print_json(value: Any) -> None:
    if sys.stdout is not None:  # None: started with stdout closed (`>&-`), nobody to write to
        sys.stdout.write(json_text(value) + "\n")


def _text(out: Console, label: str, text: str) -> None:
    # notes quote file names and messages: text, never rich markup ("[web]" must stay)
    out.print(label, end="", highlight=False)
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def print_notes(notes: Any, *, out: Console | None = None) -> None:
    """Every note once, inputs left out for the same reason on one line (report.formatting.group_notes)."""
    for note in group_notes(notes or ()):
        _text(out or console, "[yellow]note:[/] ", note)


def print_inputs(sources: Any, *, out: Console | None = None) -> None:
    """One dim line per input used: dataset, release day, address (or the file given), what the caller chose."""
    seen = set()
    for src in sources or ():
        release = str(src.get("release") or src.get("release_date") or "")[:10] or "undated"
        line = f"{src.get('dataset', '?')} {release} {src.get('url') or src.get('path') or ''}".rstrip()
        chosen, note = src.get("chosen"), src.get("note")
        shown = "chosen by the caller" + ("" if str(chosen).startswith("file ") else f": {chosen}")
        for extra in (shown if chosen else "",
                      note if note and not (chosen and note == "given by the caller") else ""):
            line += f"  ({extra})" if extra else ""
        if line not in seen:
            seen.add(line)
            (out or console).print(line, style="dim", markup=False, highlight=False, soft_wrap=True)


def print_cut(shown: int, total: int, what: str, where: str) -> None:
    """``15 of 5,033 networks shown`` and where the rest is (``where``, e.g. `` (--top)``) under a cut table;
    nothing when every row is shown."""
    line = n_of_m(shown, total, what)
    if line:
        console.print(f"[dim]{line}{where}[/]")


def announce(*paths: Any) -> None:
    """``wrote de.png, 48 KB`` on stderr for every file (or directory of files) written."""
    from ..report.files import written  # not at the top: `mrt dump` must not load the download code

    for path in paths:
        if path is not None:
            err_console.print(written(path), markup=False, highlight=False, soft_wrap=True)


def warn(text: str) -> None:
    _text(err_console, "[yellow]warning:[/] ", text)


def warn_reserved(asns: Any) -> None:
    """A warning for each AS number in a reserved range (private use, documentation, AS_TRANS...)."""
    for number in asns:
        why = api.params.reserved_asn(int(number))
        if why:
            warn(why)


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
