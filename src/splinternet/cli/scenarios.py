"""`splinternet whatif` and `splinternet diff`: a country before/after a provider leaves, or between dates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..sources.snapshot import Snapshot
from .common import AllowDamagedOption, DateOption, JsonOption, OfflineOption, StrictOption
from .lookup import _parse_asn
from .output import console, print_json, progress_bar
from .transit import PrefixDateOption, ViewOption, WeightOption


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _side_by_side(before, after, top: int) -> Table:  # noqa: ANN001
    table = Table("#", "before: provider", "border", "after: provider", "border",
                  title="International transit providers, before and after")
    for i in range(min(top, max(len(before.providers), len(after.providers)))):
        b = before.providers[i] if i < len(before.providers) else None
        a = after.providers[i] if i < len(after.providers) else None
        table.add_row(str(i + 1), f"AS{b.asn} {b.name[:26]}" if b else "", _pct(b.border_share) if b else "",
                      f"AS{a.asn} {a.name[:26]}" if a else "", _pct(a.border_share) if a else "")
    return table


def whatif_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    without: Annotated[list[str], typer.Option("--without", help="AS to remove (repeat for several).")],
    date: DateOption = None,
    links_only: Annotated[bool, typer.Option("--links-only", help="Remove only the links between these ASes "
                                             "and the country's networks.")] = False,
    view: ViewOption = "address",
    weight: WeightOption = "space",
    prefixes_date: PrefixDateOption = None,
    top: Annotated[int, typer.Option(help="Rows per table.")] = 15,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Remove ASes (or only their links into CC), re-run route selection, and compare with before."""
    asns = [_parse_asn(x) for x in without]
    with progress_bar() as progress:
        snapshot = Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                     prefixes_date=prefixes_date, progress=progress, strict=strict,
                                     allow_damaged=allow_damaged)
        report = api.whatif(cc, date, asns, links_only=links_only, snapshot=snapshot, progress=progress,
                            options=api.TransitOptions(view=view, weighting=weight, top=top))
    if json_out:
        print_json(report)
        return
    console.print(f"[bold]{report.cc}[/] {report.date}: what if " + "; ".join(report.scenario))
    console.print(f"networks losing every route: {len(report.lost_networks)} "
                  f"({report.lost_ipv4_addresses:,.0f} IPv4 addresses, {_pct(report.lost_share)} of the country); "
                  f"with fewer routes: {len(report.degraded_networks)}; left single-homed: "
                  f"{len(report.left_single_homed)}; left without any provider: {len(report.left_without_provider)}")
    mpl = report.mean_path_length
    console.print(f"mean path length {mpl['before']:.2f} -> {mpl['after']:.2f} AS hops; country reachable from the "
                  f"average vantage point {_pct(report.reach['before'])} -> {_pct(report.reach['after'])}")
    console.print(_side_by_side(report.before, report.after, top))
    if report.absorbed:
        table = Table("AS", "name", "border before", "border after", "gain", title="Who absorbs the lost share")
        for row in report.absorbed[:top]:
            table.add_row(f"AS{row['asn']}", row["name"][:40], _pct(row["border_before"]), _pct(row["border_after"]),
                          f"+{100 * row['gain']:.1f} pts")
        console.print(table)
    for title, rows in (("Networks that lose every route", report.lost_networks),
                        ("Networks left single-homed", report.left_single_homed)):
        if rows:
            table = Table(*rows[0].keys(), title=title)
            for row in rows[:top]:
                table.add_row(*(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()))
            console.print(table)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)


def diff_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    date_from: Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Second date (YYYY-MM-DD).")],
    view: ViewOption = "address",
    weight: WeightOption = "space",
    prefixes_date: PrefixDateOption = None,
    top: Annotated[int, typer.Option(help="Rows per table.")] = 15,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """What changed for CC between two dates: border links lost and gained, shares moved, new single-homed."""
    with progress_bar() as progress:
        report = api.diff(cc, date_from, date_to, prefixes_date=prefixes_date, progress=progress,
                          settings=Settings.from_env(offline=offline or None), strict=strict,
                          allow_damaged=allow_damaged,
                          options=api.TransitOptions(view=view, weighting=weight, top=top))
    if json_out:
        print_json(report)
        return
    console.print(f"[bold]{report.cc}[/] {report.date_from} -> {report.date_to}: {report.links_lost_count:,} "
                  f"links to foreign networks lost, {report.links_gained_count:,} gained; "
                  f"{len(report.new_single_homed)} networks newly single-homed")
    table = Table("AS", "name", "before", "after", "change", title="Border shares that moved")
    for row in report.shares_moved:
        table.add_row(f"AS{row['asn']}", str(row["name"])[:40], _pct(row["before"]), _pct(row["after"]),
                      f"{100 * row['change']:+.1f} pts")
    console.print(table)
    for title, rows in (("Links lost", report.links_lost), ("Links gained", report.links_gained)):
        t = Table("domestic", "foreign", "cc", "foreign is", title=title)
        for row in rows[:top]:
            t.add_row(f"AS{row['domestic_asn']} {row['domestic_name'][:28]}",
                      f"AS{row['foreign_asn']} {row['foreign_name'][:28]}", row["foreign_country"], row["foreign_role"])
        console.print(t)
    for note in dict.fromkeys([*report.before.notes, *report.after.notes]):
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
