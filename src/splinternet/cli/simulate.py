"""`splinternet simulate`: Gao-Rexford routes towards one origin on the CAIDA graph of a date."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from .common import (
    AllowDamagedOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StrictOption,
    UseOption,
)
from .output import console, print_json, progress_bar


def simulate_command(
    origin: Annotated[str, typer.Option("--origin", "-o", help="Origin AS of the announced prefix.")],
    date: DateOption = None,
    use: UseOption = None,
    from_as: Annotated[list[str] | None, typer.Option("--from", help="Show the route from this AS (repeatable).")] = None,
    without_as: Annotated[list[str] | None, typer.Option("--without-as", help="Scenario: remove this AS (repeatable).")] = None,
    without_link: Annotated[list[str] | None, typer.Option("--without-link", help="Scenario: remove link A-B (repeatable).")] = None,
    keep_all_ties: Annotated[bool, typer.Option("--keep-all-ties", help="Also list every equally good next hop.")] = False,
    serial2: Annotated[bool, typer.Option("--serial-2", help="Use CAIDA serial-2 (caida-asrel2) instead of serial-1.")] = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    offline: OfflineOption = False,
    json_out: JsonOption = False,
) -> None:
    """Propagate one origin (BGPy's rules and tie-break; see docs/simulation.md) and summarize reachability."""
    options = api.SimulateOptions(
        origin=api.params.asn(origin), from_ases=tuple(api.params.asn(a) for a in from_as or []),
        without_ases=tuple(api.params.asn(a) for a in without_as or []),
        without_links=tuple(api.params.link(text) for text in without_link or []),
        keep_all_ties=keep_all_ties, serial2=serial2)
    with progress_bar(bytes_mode=True) as progress:
        result = api.simulate(options, date, settings=Settings.from_env(offline=offline or None), strict=strict,
                              allow_damaged=allow_damaged, progress=progress, uses=api.params.dataset_choices(use))
    if json_out:
        print_json(result)
        return
    _print(result.to_dict())


def _print(result: dict[str, Any]) -> None:
    summary = result["summary"]
    console.print(f"[bold]routes towards AS{result['origin']}[/]  ({'; '.join(result['scenario'])})  "
                  f"{summary['with_route']:,} of {summary['ases']:,} ASes have a route", soft_wrap=True)
    for route in result["routes"]:
        if not route["has_route"]:
            console.print(f"AS{route['from']}: no route")
            continue
        hops = " → ".join(f"AS{h['asn']}" for h in route["hops"])
        hop_word = "hop" if route["path_length"] == 1 else "hops"
        console.print(f"AS{route['from']} ({route['relationship']} route, {route['path_length']} {hop_word}): {hops}",
                      soft_wrap=True)
        if "tied_next_hops" in route:
            console.print(f"  equally good next hops: {', '.join(f'AS{a}' for a in route['tied_next_hops']) or '-'}")
    table = Table("route learned from", "ASes", title="reachability by relationship")
    for name, count in summary["by_relationship"].items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    hist = Table("path length (AS hops)", "ASes", title="path lengths")
    for length, count in summary["path_length_histogram"].items():
        hist.add_row(str(length), f"{count:,}")
    console.print(hist)
    if "against_baseline" in result:
        t = result["against_baseline"]
        console.print(f"against the baseline: {t['lost']:,} ASes lose their route, {t['next_hop_moved']:,} change "
                      f"next hop, {t['longer']:,} longer and {t['shorter']:,} shorter paths")
    if result["bad_records"]["count"]:
        console.print(f"[yellow]{result['bad_records']['count']:,} bad lines skipped[/]")
    for note in result.get("notes", []):
        console.print(f"note: {note}", style="dim", markup=False, highlight=False, soft_wrap=True)
    src = result["source"]
    console.print(f"[dim]{src['dataset']} {(src['release'] or '')[:10]}  {src['url'] or src['path']}[/]",
                  soft_wrap=True)
