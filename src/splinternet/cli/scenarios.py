"""`splinternet whatif` and `splinternet diff`: a country before/after a provider leaves, or between dates."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..report import formatting as fmt
from .common import (
    AllowDamagedOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StrictOption,
    TopOption,
    UseOption,
)
from .output import (
    console,
    print_cut,
    print_inputs,
    print_json,
    print_notes,
    progress_bar,
    warn_reserved,
)
from .transit import (
    ByOption,
    CollectorOption,
    MrtOption,
    PrefixDateOption,
    TiesOption,
    VantageOption,
    ViewOption,
    WeightOption,
    collector_choice,
)


def _side_by_side(before: api.TransitReport, after: api.TransitReport, top: int) -> Table:
    table = Table("#", "before: provider", "border share", "after: provider", "border share",
                  title="International transit providers, before and after")
    for i in range(min(top, max(len(before.providers), len(after.providers)))):
        b = before.providers[i] if i < len(before.providers) else None
        a = after.providers[i] if i < len(after.providers) else None
        table.add_row(str(i + 1), fmt.as_row_label(b, 36) if b else "", fmt.pct(b.border_share) if b else "",
                      fmt.as_row_label(a, 36) if a else "", fmt.pct(a.border_share) if a else "")
    return table


def whatif_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    without: Annotated[list[str] | None, typer.Option("--without", help="AS to remove (repeat for several).")]
    = None,
    without_org: Annotated[list[str] | None, typer.Option("--without-org", help="Organization to remove with all its "
                                                          "ASes: CAIDA org id, or a unique part of its name "
                                                          "(repeatable).")] = None,
    date: DateOption = None,
    links_only: Annotated[bool, typer.Option("--links-only", help="Remove only the links between these ASes "
                                             "and the country's networks.")] = False,
    view: ViewOption = api.MembershipView.ADDRESS,
    weight: WeightOption = api.Weighting.IPV4,
    ties: TiesOption = api.TieRule.SPLIT,
    vantage_weights: VantageOption = api.VantageScheme.SPACE,
    collector: CollectorOption = None,
    mrt: MrtOption = None,
    by: ByOption = api.Grouping.AS,
    prefixes_date: PrefixDateOption = None,
    use: UseOption = None,
    top: TopOption = 15,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Remove ASes (or only their links into CC), re-run route selection, and compare with before."""
    cc = api.params.country_code(cc)
    asns = api.params.asn_list(without or ()) if without or not without_org else []
    warn_reserved(asns)
    choices = api.params.dataset_choices(use)
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                         prefixes_date=prefixes_date, progress=progress, strict=strict,
                                         allow_damaged=allow_damaged, choices=choices)
        report = api.whatif(cc, date, asns, without_orgs=tuple(without_org or ()), links_only=links_only,
                            snapshot=snapshot, progress=progress,
                            options=api.TransitOptions(view=view, weighting=weight, top=top, ties=ties,
                                                       vantage_weights=vantage_weights, by=by,
                                                       mrt_files=tuple(mrt or ()), collectors=collector_choice(collector)))
    if json_out:
        print_json(report)
        return
    console.print(f"[bold]{report.cc}[/] {report.date}: what if " + "; ".join(report.scenario))
    console.print(report.removal_text, markup=False, highlight=False)
    for row in report.scenario_ases:
        if row["ipv4_addresses"] > 0:
            console.print(f"{fmt.as_row_label(row, 48)} itself originates {fmt.count(round(row['ipv4_addresses']))} "
                          f"IPv4 addresses ({fmt.pct(row['country_share'])} of the country); reached from "
                          f"{fmt.pct(row['reach_before'])} -> {fmt.pct(row['reach_after'])} of vantage points",
                          markup=False, highlight=False)
    console.print(f"networks losing every route: {fmt.count(report.lost_networks_count)} "
                  f"({fmt.count(round(report.lost_ipv4_addresses))} IPv4 addresses, {fmt.pct(report.lost_share)} of "
                  f"the country); with fewer routes: {fmt.count(report.degraded_networks_count)}; left single-homed: "
                  f"{fmt.count(report.left_single_homed_count)}; left without any provider: "
                  f"{fmt.count(report.left_without_provider_count)}")
    mpl = report.mean_path_length
    console.print(f"mean path length {fmt.number(mpl['before'])} -> {fmt.number(mpl['after'])} AS hops; country "
                  f"reachable from the average vantage point {fmt.pct(report.reach['before'])} -> "
                  f"{fmt.pct(report.reach['after'])}")
    console.print(_side_by_side(report.before, report.after, top))
    gains = [row for row in report.absorbed if not fmt.is_zero_change(row["gain"])]
    if gains:
        table = Table("provider", "border share before", "border share after", "gain", title="Who absorbs the lost "
                      "share", caption=_hidden(len(report.absorbed) - len(gains), "provider"))
        for row in gains[:top]:
            table.add_row(fmt.as_row_label(row, 48), fmt.pct(row["border_before"]),
                          fmt.pct(row["border_after"]), fmt.points(row["gain"]))
        console.print(table)
        _cut_line(min(top, len(gains)), report.absorbed_count, "providers whose share grew")
    for title, rows, total in (("Networks that lose every route", report.lost_networks, report.lost_networks_count),
                               ("Networks left single-homed", report.left_single_homed,
                                report.left_single_homed_count)):
        if rows:
            rest = [k for k in rows[0] if k not in ("asn", "name", "as_name")]
            table = Table("network", *(fmt.header(k) for k in rest), title=title)
            for row in rows[:top]:
                table.add_row(fmt.as_row_label(row, 48), *(fmt.value_cell(row[k], k) for k in rest))
            console.print(table)
            _cut_line(min(top, len(rows)), total, "networks")
    print_notes(report.notes)
    print_inputs(report.before.sources)


def _hidden(n: int, what: str) -> str:
    return f"{fmt.plural(n, what)} with no change not shown" if n else ""


def _cut_line(shown: int, total: int, what: str) -> None:
    print_cut(shown, total, what, " (--top)")


def diff_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    date_from: Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Second date (YYYY-MM-DD).")],
    view: ViewOption = api.MembershipView.ADDRESS,
    weight: WeightOption = api.Weighting.IPV4,
    ties: TiesOption = api.TieRule.SPLIT,
    vantage_weights: VantageOption = api.VantageScheme.SPACE,
    collector: CollectorOption = None,
    by: ByOption = api.Grouping.AS,
    prefixes_date: PrefixDateOption = None,
    use: UseOption = None,
    top: TopOption = 15,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """What changed for CC between two dates: border links lost, gained or changed, shares moved, new single-homed."""
    cc = api.params.country_code(cc)
    choices = api.params.dataset_choices(use)
    with progress_bar() as progress:
        report = api.diff(cc, date_from, date_to, prefixes_date=prefixes_date, progress=progress,
                          settings=Settings.from_env(offline=offline or None), strict=strict,
                          allow_damaged=allow_damaged, uses=choices,
                          options=api.TransitOptions(view=view, weighting=weight, top=top, ties=ties,
                                                     vantage_weights=vantage_weights, by=by,
                                                     collectors=collector_choice(collector)))
    if json_out:
        print_json(report)
        return
    console.print(f"[bold]{report.cc}[/] {report.date_from} -> {report.date_to}: "
                  f"{fmt.count(report.links_lost_count)} links to foreign networks lost, "
                  f"{fmt.count(report.links_gained_count)} gained, "
                  f"{fmt.count(report.links_changed_count)} whose relationship changed; "
                  f"{fmt.plural(len(report.new_single_homed), 'network')} newly single-homed")
    _moved_table(report.shares_moved, report.shares_moved_count, report.shares_compared, top,
                 "Border shares that moved", "border share", "provider")
    _moved_table(report.gateways_moved, report.gateways_moved_count, report.gateways_compared, top,
                 "Domestic gateways whose share moved", "gateway share", "gateway")
    for title, rows, total in (("Links lost", report.links_lost, report.links_lost_count),
                               ("Links gained", report.links_gained, report.links_gained_count),
                               ("Links whose relationship changed", report.links_changed,
                                report.links_changed_count)):
        if not rows:
            continue
        shown = fmt.n_of_m(min(top, len(rows)), total, "links") or fmt.plural(total, "link")
        changed = "foreign_role_before" in rows[0]
        t = Table("domestic", "foreign", "country", *(("foreign was", "foreign is") if changed else ("foreign is",)),
                  title=f"{title} ({shown})")
        for row in rows[:top]:
            t.add_row(fmt.as_row_label(row, 38, "domestic_"),
                      fmt.as_row_label(row, 38, "foreign_"), fmt.country(row["foreign_country"]),
                      *((row["foreign_role_before"],) if changed else ()), row["foreign_role"])
        console.print(t)
    _single_homed_table(report, top)
    print_notes([*report.before.notes, *report.after.notes])
    print_inputs([*report.before.sources, *report.after.sources])


def _moved_table(rows: list[dict[str, Any]], total: int, compared: int, top: int, title: str, measure: str, what: str) -> None:
    """A diff's shares that moved, largest move first, with ``N of M`` when cut."""
    moved = [row for row in rows if not fmt.is_zero_change(row["change"])]
    if not moved:
        console.print(f"no {measure} moved by 0.05 points or more (of {fmt.plural(compared, what)} compared)")
        return
    table = Table(what, f"{measure} before", f"{measure} after", "change", title=title,
                  caption=f"compared over all {fmt.plural(compared, what)} with a {measure} on either date")
    for row in moved[:top]:
        table.add_row(fmt.as_row_label(row, 48), fmt.pct(row["before"]), fmt.pct(row["after"]),
                      fmt.points(row["change"]))
    console.print(table)
    _cut_line(min(top, len(moved)), total, f"{what}s that moved by 0.05 points or more")


def _single_homed_table(report: api.DiffReport, top: int) -> None:
    """Networks left with one provider, largest share of the country first, and what they had before."""
    rows = report.new_single_homed
    if not rows:
        return
    table = Table("network", "share of country", "only provider now", f"providers on {report.date_from}",
                  title="Networks newly single-homed",
                  caption=f"share of country: what the network itself originates on {report.date_to} "
                          "(IPv4 space under the default --weight)")
    for row in rows[:top]:
        earlier = row["providers_before"]
        before = ("none: not in the AS graph" if not row["in_graph_before"] else
                  ", ".join(f"AS{a}" for a in earlier[:3]) + (f" +{len(earlier) - 3} more" if len(earlier) > 3 else "")
                  or "none")
        table.add_row(fmt.as_row_label(row, 40), fmt.pct(row["country_share"]),
                      fmt.as_row_label(row, 40, "provider_"), before)
    console.print(table)
    _cut_line(min(top, len(rows)), len(rows), "networks")
