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
from ..report.plots import grouped_bars, save_figure
from .common import AllowDamagedOption, DateOption, JsonOption, OfflineOption, StrictOption
from .output import console, print_json, progress_bar


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
WeightOption = Annotated[api.Weighting, typer.Option("--weight", help="'space' (by address space) or 'equal' (every "
                                                 "origin AS counts the same).")]
PrefixDateOption = Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from "
                                                      "this date instead (when none exists for --date).")]


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:5.1f}%"


def render_text(report: api.TransitReport) -> None:
    console.print(f"[bold]{report.cc}[/] international transit, {report.date} ({report.evidence['kind']} paths)")
    console.print(report.summary, soft_wrap=False)
    table = Table("#", "provider", "cc", "border", "transit", "served", "single-homed", "largest served",
                  title="International transit providers (foreign AS handing traffic to the first domestic network)")
    for i, row in enumerate(report.providers, 1):
        served = ", ".join(s["name"][:24] or f"AS{s['asn']}" for s in row.served[:2])
        table.add_row(str(i), f"AS{row.asn} {row.name[:28]}", row.country, _pct(row.border_share),
                      _pct(row.transit_share), str(row.networks_served),
                      f"{row.single_homed}/{row.single_foreign_upstream}", served)
    console.print(table)
    gates = Table("#", "gateway", "gateway share", "transit", "foreign providers", "own space",
                  title="Domestic gateways (first domestic network on inbound paths)")
    for i, gate in enumerate(report.gateways, 1):
        gates.add_row(str(i), f"AS{gate.asn} {gate.name[:34]}", _pct(gate.gateway_share), _pct(gate.transit_share),
                      str(gate.foreign_providers), _pct(gate.origin_share))
    console.print(gates)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
    for src in report.sources:
        console.print(f"[dim]{src['dataset']} {src['release'][:10]} {src['url']}[/]", soft_wrap=True)


def write_csv(reports: list[api.TransitReport]) -> None:
    out = csv.writer(sys.stdout)
    out.writerow(["evidence", "table", "rank", "asn", "name", "country", "border_share", "gateway_share",
                  "transit_share", "transit_mean", "networks_served", "single_homed", "single_foreign_upstream"])
    for report in reports:
        _csv_rows(out, report)


def _csv_rows(out: Any, report: api.TransitReport) -> None:
    for i, p in enumerate(report.providers, 1):
        out.writerow([report.evidence["kind"], "provider", i, p.asn, p.name, p.country, p.border_share, "", p.transit_share, p.transit_mean,
                      p.networks_served, p.single_homed, p.single_foreign_upstream])
    for i, g in enumerate(report.gateways, 1):
        out.writerow([report.evidence["kind"], "gateway", i, g.asn, g.name, report.cc, "", g.gateway_share, g.transit_share, g.transit_mean,
                      "", "", ""])


def plot(report: api.TransitReport, path: Path) -> None:
    rows = report.providers[:15]
    fig = grouped_bars(
        [f"AS{r.asn} {r.name[:28]}" for r in rows],
        {"border share": [r.border_share for r in rows], "transit share": [r.transit_share for r in rows]},
        title=f"{report.cc} {report.date}: international transit providers ({report.evidence['kind']})",
        xlabel="share of the country's inbound paths",
    )
    save_figure(fig, path)


def transit_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    date: DateOption = None,
    evidence: EvidenceOption = EvidenceChoice.SIMULATED,
    view: ViewOption = api.MembershipView.ADDRESS,
    weight: WeightOption = api.Weighting.SPACE,
    prefixes_date: PrefixDateOption = None,
    top: Annotated[int, typer.Option(help="Rows per table.")] = 20,
    max_origins: Annotated[int | None, typer.Option("--max-origins", help="Analyse only the N largest origins "
                                                    "(a quick look; the report says what was skipped).")] = None,
    collector: Annotated[list[str] | None, typer.Option("--collector", help="Observed evidence: route collector "
                                                        "(rrcNN or route-views.*), repeatable.")] = None,
    mrt: Annotated[list[str] | None, typer.Option("--mrt", help="Observed evidence: MRT file(s) to read instead "
                                                  "of the catalog's (repeatable).")] = None,
    all_peers: Annotated[bool, typer.Option("--all-peers", help="Observed evidence: keep peers that are not "
                                            "full-feed.")] = False,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the ranking tables as CSV.")] = False,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write a bar chart (PNG or SVG).")] = None,
) -> None:
    """Rank the foreign transit providers and domestic gateways that carry CC to the world."""
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                         prefixes_date=prefixes_date, progress=progress, strict=strict,
                                         allow_damaged=allow_damaged)
        extra: dict[str, Any] = {"collectors": tuple(collector)} if collector else {}
        kinds = [api.Evidence.SIMULATED, api.Evidence.OBSERVED] if evidence is EvidenceChoice.BOTH \
            else [api.Evidence(evidence.value)]
        reports = []
        for kind in kinds:
            options = api.TransitOptions(view=view, weighting=weight, evidence=kind, top=top,
                                         max_origins=max_origins, mrt_files=tuple(mrt or ()),
                                         full_feed_share=0.0 if all_peers else 0.5, **extra)
            reports.append(api.transit(cc, date, options=options, snapshot=snapshot, progress=progress))
    if plot_path is not None:
        plot(reports[0], plot_path)
    if json_out:
        print_json(reports[0] if len(reports) == 1 else {r.evidence["kind"]: r for r in reports})
    elif csv_out:
        write_csv(reports)
    else:
        for report in reports:
            render_text(report)
