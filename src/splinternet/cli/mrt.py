"""``splinternet mrt``: dump (bgpdump -m lines), stats, and rib (routing state at a time)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from ..errors import ParameterError
from ..sources.mrt import read_mrt
from ..sources.mrt.bgpdump_format import bgpdump_lines
from ..sources.mrt.rib import rebuild_rib_with_reads
from ..sources.mrt.summary import summarize
from .common import JsonOption, StrictOption
from .output import console, err_console, print_json, progress_bar

app = typer.Typer(help="MRT routing archives (RIS, RouteViews): dump, statistics, routing state.",
                  no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="MRT file (gzip, bzip2, xz or plain; detected by content).")]


def _warn_bad(bad_count: int, examples: list, label: str) -> None:
    if bad_count:
        err_console.print(f"[yellow]warning:[/] {label}: {bad_count} bad record(s) skipped; first: {examples[0]}",
                          highlight=False, soft_wrap=True)


@app.command("dump")
def dump_command(file: FileArg, strict: StrictOption = False, json: JsonOption = False) -> None:
    """Print one line per element exactly as ``bgpdump -m FILE`` does."""
    with progress_bar() as progress:
        result = read_mrt(file, strict=strict, progress=progress)
    if json:
        print_json({"path": str(file), "lines": list(bgpdump_lines(result.table)), "bad_records": result.bad.summary()})
        return
    out = sys.stdout
    batch: list[str] = []
    try:
        for line in bgpdump_lines(result.table):
            batch.append(line)
            if len(batch) >= 4096:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
        out.flush()
    except BrokenPipeError:  # `| head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise
        raise typer.Exit(0) from None
    _warn_bad(result.bad.count, result.bad.examples, str(file))


@app.command("stats")
def stats_command(file: FileArg, strict: StrictOption = False, json: JsonOption = False) -> None:
    """Records, elements by type, peers, prefixes (IPv4/IPv6), time span and bad records of one file."""
    with progress_bar() as progress:
        result = read_mrt(file, strict=strict, progress=progress)
    summary = summarize(result)
    if json:
        print_json(summary)
        return
    table = Table(title=str(file), show_header=False)
    for key, value in summary.items():
        if key == "bad_record_examples":
            continue
        table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    _warn_bad(result.bad.count, result.bad.examples, str(file))


def _parse_time(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"--at {text!r}: expected unix seconds or an ISO date/time such as 2022-06-01T02:45") \
            from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp())


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
    when = _parse_time(at)
    with progress_bar() as progress:
        result = rebuild_rib_with_reads(rib, updates or [], when, strict=strict, progress=progress)
    t = result.table
    if parquet is not None:
        t.to_parquet(parquet)
    peers = {}
    if len(t):
        keys, counts = np.unique(np.stack([t.peer_afi.astype(np.uint64), t.peer_hi, t.peer_lo,
                                           t.peer_asn.astype(np.uint64)], axis=1), axis=0, return_counts=True)
        from ..sources.mrt.bgpdump_format import ipv4, ipv6

        for (afi, hi, lo, asn), c in zip(keys.tolist(), counts.tolist(), strict=True):
            peers[f"{ipv6(hi, lo) if afi == 2 else ipv4(lo)} AS{asn}"] = c
    summary = {
        "rib": str(rib), "updates": [str(u) for u in updates or []], "at": when, "routes": len(t),
        "peers": len(peers), "routes_per_peer": peers, "parquet": str(parquet) if parquet else None,
        "bad_records": sum(r.bad.count for r in result.reads),
    }
    if json:
        print_json(summary)
        return
    table = Table(title=f"routes per peer ({len(t):,} routes)")
    table.add_column("peer")
    table.add_column("routes", justify="right")
    for name, c in sorted(peers.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{c:,}")
    console.print(table)
    for r in result.reads:
        _warn_bad(r.bad.count, r.bad.examples, r.stats.path)
