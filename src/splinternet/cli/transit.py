"""`splinternet transit CC`: who carries a country to the world."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..report import formatting as fmt
from ..report.cautions import transit_cautions
from ..report.files import check_output_file
from ..report.plots import save_figure, transit_figure
from .common import (
    AllowDamagedOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StabilityOption,
    StrictOption,
    TopOption,
    UseOption,
)
from .output import (
    announce,
    console,
    err_console,
    print_inputs,
    print_json,
    print_notes,
    progress_bar,
    to_jsonable,
)


class EvidenceChoice(StrEnum):
    """The library's evidence kinds, plus running both and showing them side by side (a CLI notion)."""

    SIMULATED = "simulated"
    OBSERVED = "observed"
    BOTH = "both"


EvidenceOption = Annotated[EvidenceChoice, typer.Option("--evidence", help="Paths simulated on the AS graph, or "
                                                        "observed in MRT archives, or both.")]
ViewOption = Annotated[api.MembershipView, typer.Option("--view", help="Domestic networks: 'address' (originate the "
                                                    "country's RIR blocks) or 'registered' (organization registered "
                                                    "there).")]
WeightOption = Annotated[api.Weighting, typer.Option("--weight", help="How much of the country each origin is: "
                                                 "'ipv4' (its IPv4 addresses, the default), 'space' (IPv4 and IPv6 "
                                                 "averaged) or 'equal' (every origin AS the same).")]
TiesOption = Annotated[api.TieRule, typer.Option("--ties", help="Equally good routes: 'split' the traffic over them "
                                             "(default), or take the 'lowest-asn' / 'highest-asn' next hop.")]
VantageOption = Annotated[api.VantageScheme, typer.Option("--vantage-weights", help="Who sends traffic into the "
                                                      "country: 'space' (each foreign AS by the IPv4 space it "
                                                      "originates, default), 'all' (equally), 'transit' (ASes "
                                                      "with customers), 'cone' (by customer cone), 'collectors' "
                                                      "(the networks feeding the route collectors, equally: "
                                                      "CTI's monitors; see --collector).")]
CollectorOption = Annotated[list[str] | None, typer.Option("--collector", help="Observed evidence, or the "
                                                          "'collectors' vantage points: route collector (rrcNN or "
                                                          "route-views.*), repeatable.")]
MrtOption = Annotated[list[str] | None, typer.Option("--mrt", help="Observed evidence, or the 'collectors' vantage "
                                                    "points: MRT file(s) to read instead of the catalog's "
                                                    "(repeatable).")]
ByOption = Annotated[api.Grouping, typer.Option("--by", help="One row per AS ('as'), or per organization ('org': "
                                                "sibling ASes merged by their CAIDA organization, members listed).")]
PrefixDateOption = Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data (IPv4 and "
                                                      "IPv6) from this date instead (when none exists for --date): "
                                                      "both prefix-to-AS datasets chosen by date.")]


def collector_choice(collector: list[str] | None) -> tuple[str, ...]:
    """The --collector choice, or the options' default collectors."""
    return tuple(collector) if collector else api.TransitOptions().collectors


SHAKY_CAPTION = f"\n†: {fmt.SHAKY_NOTE} (unconfirmed_handoff in --json)"


def render_text(report: api.TransitReport) -> None:
    data = to_jsonable(report)
    stability = report.evidence.get("stability")
    ranges = fmt.rank_ranges(stability)
    console.print(f"[bold]{report.cc}[/] international transit, {report.date} ({report.evidence['kind']} paths)")
    console.print(report.summary, soft_wrap=False, markup=False)
    by_org = report.evidence.get("by") == "org"
    if report.providers:
        table = Table("#", "provider", "country", "border share", "transit share", "networks served",
                      "only provider of", "only foreign provider of", "largest networks served",
                      *(["member ASes (own border share)"] if by_org else []),
                      title="International transit providers (foreign AS handing traffic to the first domestic "
                            "network)" + (", sibling ASes merged by organization" if by_org else "")
                            + _cut_note(report, "providers"),
                      caption="only (foreign) provider of: domestic networks with it as their only (foreign) upstream"
                              + ORG_CAPTION * by_org + SHAKY_CAPTION * any(fmt.shaky(r) for r in report.providers))
        if stability:
            table.add_column("rank range")
        for i, row in enumerate(report.providers, 1):
            served = ", ".join(fmt.cut(s["name"], 24) or f"AS{s['asn']}" for s in row.served[:2])
            table.add_row(str(i), fmt.as_row_label(row, 44), fmt.country(row.country),
                          fmt.pct(row.border_share) + " †" * fmt.shaky(row), _transit_cell(row),
                          fmt.count(row.networks_served),
                          fmt.count(row.single_homed), fmt.count(row.single_foreign_upstream), served,
                          *([fmt.members(row, "border_share")] if by_org else []),
                          *([ranges["providers"].get(fmt.row_key(row), "")] if stability else []))
        console.print(table)
    elif report.evidence.get("ranked") is False:
        console.print("nothing ranked: the observed evidence is too thin (--rank-thin ranks it anyway)")
    else:
        console.print("no international transit provider found in this evidence")
    if report.gateways:
        gates = Table("#", "gateway", "gateway share", "transit share", "foreign providers", "own share of country",
                      *(["member ASes (own gateway share)"] if by_org else []), *(["rank range"] if stability else []),
                      title="Domestic gateways (first domestic network on inbound paths)"
                            + _cut_note(report, "gateways"),
                      caption=SHAKY_CAPTION.strip() if any(fmt.shaky(g) for g in report.gateways) else None)
        for i, g in enumerate(report.gateways, 1):
            gates.add_row(str(i), fmt.as_row_label(g, 44), fmt.pct(g.gateway_share) + " †" * fmt.shaky(g),
                          _transit_cell(g),
                          fmt.count(g.foreign_providers), fmt.pct(g.origin_share),
                          *([fmt.members(g, "gateway_share")] if by_org else []),
                          *([ranges["gateways"].get(fmt.row_key(g), "")] if stability else []))
        console.print(gates)
    if stability:
        render_stability(stability)
    if report.evidence.get("observed_vs_simulated"):
        render_agreement(report.evidence["observed_vs_simulated"])
    for line in transit_cautions(data):
        console.print("[bold yellow]caution:[/] ", end="")
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    print_notes(report.notes)
    print_inputs(report.sources)


def _cut_note(report: api.TransitReport, table: str) -> str:
    """``; 25 of 62 rows shown`` when ``--top`` cut the table, else ''."""
    shown, total = len(getattr(report, table)), report.row_counts.get(table, 0)
    cut = fmt.n_of_m(shown, total)
    return f"; {cut}" if cut else ""


def render_stability(stability: dict[str, Any]) -> None:
    """The one-line verdict on the top provider, and what the rank ranges were computed over."""
    console.print(f"[bold]stability:[/] {stability['verdict']}", highlight=False)
    console.print(f"rank range: competition ranks over the default and {len(stability['variants'])} variants "
                  f"({', '.join(stability['variants'])}); followed for the top {stability['rows']} "
                  "of each table", markup=False, highlight=False, soft_wrap=True)
    if stability.get("by") == "org":
        ranked = "; ".join(f"{table} by {what}" for table, what in stability["measures"].items())
        console.print(f"ranks per organization (every variant merged as the rows are): {ranked}",
                      markup=False, highlight=False, soft_wrap=True)
    for line in stability["left_out"]:
        console.print(f"variant left out: {line}", markup=False, highlight=False, soft_wrap=True)
    for row in stability["inputs"]:
        console.print(f"variant input ({row['variant']}): {row['dataset']} {str(row['release'])[:10]} {row['url']}",
                      markup=False, highlight=False, soft_wrap=True)


ORG_CAPTION = ("; an organization's transit share is known only between its largest member's and the sum of its "
               "members' (a path may cross several of its ASes)")


def _transit_cell(row: Any) -> str:
    return fmt.bounds(row.transit_bounds) if getattr(row, "org_id", None) else fmt.pct(row.transit_share)


def render_agreement(check: dict[str, Any]) -> None:
    """Observed and simulated provider rankings side by side, with how much they agree."""
    table = Table("#", "observed: provider", "border share", "simulated: provider", "border share",
                  title="Observed and simulated rankings side by side")
    observed, simulated = check["observed"], check["simulated"]
    for i in range(max(len(observed), len(simulated))):
        o = observed[i] if i < len(observed) else None
        s = simulated[i] if i < len(simulated) else None
        table.add_row(str(i + 1), fmt.as_row_label(o, 36) if o else "", fmt.pct(o["border_share"]) if o else "",
                      fmt.as_row_label(s, 36) if s else "", fmt.pct(s["border_share"]) if s else "")
    console.print(table)
    tau = "n/a" if check["kendall_tau"] is None else f"{check['kendall_tau']:+.2f}"
    deeper = f", {check['overlap_at_depth']} of the top {check['depth']}" if check["depth"] > 5 else ""
    console.print(f"agreement: {check['overlap_at_5']} of the top {min(5, check['depth'])} in common{deeper}; "
                  f"Kendall's tau {tau} over the {check['union']} providers of either top {check['depth']}")


_CSV_COLUMNS = ["evidence", "table", "rank", "asn", "name", "as_name", "country", "border_share", "gateway_share",
                "transit_share", "transit_mean", "networks_served", "single_homed", "single_foreign_upstream",
                "unconfirmed_handoff"]


def write_csv(reports: list[api.TransitReport]) -> None:
    out = csv.writer(sys.stdout)
    out.writerow(_CSV_COLUMNS)
    for report in reports:
        _csv_rows(out, report)


def _csv_rows(out: Any, report: api.TransitReport) -> None:
    kind = report.evidence["kind"]
    for i, p in enumerate(report.providers, 1):
        row = {"evidence": kind, "table": "provider", "rank": i, **vars(p)}
        out.writerow([fmt.csv_value(row.get(c), c) for c in _CSV_COLUMNS])
    for i, g in enumerate(report.gateways, 1):
        row = {"evidence": kind, "table": "gateway", "rank": i, "country": report.cc, **vars(g)}
        out.writerow([fmt.csv_value(row.get(c), c) for c in _CSV_COLUMNS])


def plot(report: api.TransitReport, path: Path) -> None:
    save_figure(transit_figure(to_jsonable(report)), path)


def transit_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    date: DateOption = None,
    evidence: EvidenceOption = EvidenceChoice.SIMULATED,
    view: ViewOption = api.MembershipView.ADDRESS,
    weight: WeightOption = api.Weighting.IPV4,
    ties: TiesOption = api.TieRule.SPLIT,
    vantage_weights: VantageOption = api.VantageScheme.SPACE,
    by: ByOption = api.Grouping.AS,
    prefixes_date: PrefixDateOption = None,
    use: UseOption = None,
    top: TopOption = 20,
    max_origins: Annotated[int | None, typer.Option("--max-origins", min=1, help="Analyse only the N largest "
                                                    "origins (a quick look; the report says what was skipped).")]
    = None,
    collector: CollectorOption = None,
    mrt: MrtOption = None,
    all_peers: Annotated[bool, typer.Option("--all-peers", help="Observed evidence: keep peers that are not "
                                            "full-feed.")] = False,
    rank_thin: Annotated[bool, typer.Option("--rank-thin", help="Observed evidence: rank even when the paths cover "
                                            "less than half of the country's IPv4 space.")] = False,
    stability: StabilityOption = False,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the ranking tables as CSV.")] = False,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write a bar chart (PNG or SVG).")] = None,
) -> None:
    """Rank the foreign transit providers and domestic gateways that carry CC to the world."""
    cc = api.params.country_code(cc)
    choices = api.params.dataset_choices(use)
    if plot_path is not None:
        check_output_file(plot_path, (".png", ".svg"), label="--plot")
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                         prefixes_date=prefixes_date, progress=progress, strict=strict,
                                         allow_damaged=allow_damaged, choices=choices)
        kinds = [api.Evidence.SIMULATED, api.Evidence.OBSERVED] if evidence is EvidenceChoice.BOTH \
            else [api.Evidence(evidence.value)]
        reports = []
        for kind in kinds:
            options = api.TransitOptions(view=view, weighting=weight, evidence=kind, top=top, ties=ties,
                                         vantage_weights=vantage_weights, by=by,
                                         max_origins=max_origins, mrt_files=tuple(mrt or ()),
                                         full_feed_share=0.0 if all_peers else 0.5, rank_thin_evidence=rank_thin,
                                         stability=stability and kind is api.Evidence.SIMULATED,
                                         collectors=collector_choice(collector))
            reports.append(api.transit(cc, date, options=options, snapshot=snapshot, progress=progress))
    if plot_path is not None:
        plot(reports[0], plot_path)
        announce(plot_path)
    if json_out:
        print_json(reports[0] if len(reports) == 1 else {r.evidence["kind"]: r for r in reports})
    elif csv_out:  # the CSV alone on stdout; what it rests on (notes, inputs) on stderr, not dropped
        write_csv(reports)
        for report in reports:
            print_notes(report.notes, out=err_console)
            print_inputs(report.sources, out=err_console)
    else:
        for report in reports:
            render_text(report)
