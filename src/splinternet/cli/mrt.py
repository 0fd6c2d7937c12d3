"""``splinternet mrt``: dump (bgpdump -m lines), stats, and rib (routing state at a time)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..api.mrt import (
    bad_records,
    bgpdump_chunks,
    bgpdump_lines,
    parse_time,
    read_mrt,
    rib_state,
    summarize,
)
from ..report import formatting as fmt
from .common import JsonOption, StrictOption
from .output import announce, console, err_console, print_json, progress_bar

app = typer.Typer(help="MRT routing archives (RIS, RouteViews): dump, statistics, routing state.",
                  no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="MRT file (gzip, bzip2, xz or plain; detected by content).")]


def _warn_bad(bad_count: int, examples: list, label: str) -> None:
    if bad_count:
        err_console.print(f"[yellow]warning:[/] {label}: {bad_count} bad record(s) skipped; first: {examples[0]}",
                          highlight=False, soft_wrap=True)


@app.command("dump")
def dump_command(file: FileArg, strict: StrictOption = False, json: JsonOption = False) -> None:
    """Print one line per element exactly as bgpdump -m FILE does."""
    with progress_bar() as progress:
        result = read_mrt(file, strict=strict, progress=progress, start_fast=True)
    if json:
        print_json({"path": str(file), "lines": list(bgpdump_lines(result.table)), "bad_records": bad_records([result])})
        return
    sys.stdout.flush()
    out = sys.stdout.buffer  # the kernel's bytes as they are: no per-line Python
    try:
        for chunk in bgpdump_chunks(result.table, start_fast=True):
            out.write(chunk)
        out.flush()
    except BrokenPipeError:  # `| head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise
        raise typer.Exit(0) from None
    _warn_bad(result.bad.count, result.bad.examples, str(file))


@app.command("stats")
def stats_command(file: FileArg, strict: StrictOption = False, json: JsonOption = False) -> None:
    """Records, elements by type, peers, prefixes (IPv4/IPv6), time span and bad records of one file."""
    with progress_bar() as progress:
        result = read_mrt(file, strict=strict, progress=progress, start_fast=True)
    summary = summarize(result)
    if json:
        print_json(summary)
        return
    table = Table(title=str(file), show_header=False)
    for key, value in summary.items():  # no time in a file without elements: "–", as everywhere
        shown = fmt.count(result.bad.count) if key == "bad_records" else fmt.value_cell(value, key)
        table.add_row(fmt.header(key), shown)
    console.print(table)
    _warn_bad(result.bad.count, result.bad.examples, str(file))


@app.command("rib")
def rib_command(
    rib: Annotated[Path, typer.Argument(help="RIB dump (TABLE_DUMP or TABLE_DUMP_V2).")],
    updates: Annotated[list[Path] | None, typer.Argument(help="Update files after the RIB, any order.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Time (unix seconds or ISO, UTC); default: the end.")] = None,
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Write the rebuilt table here (Parquet).")] = None,
    strict: StrictOption = False,
    json: JsonOption = False,
) -> None:
    """Routing table as seen by each peer at a time: RIB plus updates (session down clears a peer)."""
    if parquet is not None:
        # not at the top: `mrt dump` must not load the download code
        from ..report.files import check_output_file

        check_output_file(parquet, (".parquet",), label="--parquet")
    with progress_bar() as progress:
        summary, reads = rib_state(rib, updates or [], parse_time(at), parquet=parquet, strict=strict,
                                   progress=progress)
    peers = summary["routes_per_peer"]
    announce(parquet)
    if json:
        print_json(summary)
        return
    table = Table(title=f"routes per peer ({summary['routes']:,} routes)")
    table.add_column("peer")
    table.add_column("routes", justify="right")
    for name, c in sorted(peers.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{c:,}")
    console.print(table)
    for r in reads:
        _warn_bad(r.bad.count, r.bad.examples, r.stats.path)
