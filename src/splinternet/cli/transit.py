"""`splinternet transit CC`: who carries a country to the world."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..sources.snapshot import Snapshot
from .common import DateOption, JsonOption, OfflineOption
from .output import console, print_json, progress_bar

EvidenceOption = Annotated[api.Evidence, typer.Option("--evidence", help="Paths simulated on the AS graph, or "
                                                      "observed in MRT archives.")]
ViewOption = Annotated[str, typer.Option("--view", help="Domestic networks: 'address' (originate the country's "
                                         "RIR blocks) or 'registered' (organization registered there).")]
WeightOption = Annotated[str, typer.Option("--weight", help="'space' (by address space) or 'equal' (every "
                                           "origin AS counts the same).")]
PrefixDateOption = Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from "
                                                      "this date instead (when none exists for --date).")]


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:5.1f}%"


def render_text(report) -> None:  # noqa: ANN001 - analysis.transit.TransitReport
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
    for i, row in enumerate(report.gateways, 1):
        gates.add_row(str(i), f"AS{row.asn} {row.name[:34]}", _pct(row.gateway_share), _pct(row.transit_share),
                      str(row.foreign_providers), _pct(row.origin_share))
    console.print(gates)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
    for src in report.sources:
        console.print(f"[dim]{src['dataset']} {src['release'][:10]} {src['url']}[/]", soft_wrap=True)


def write_csv(report) -> None:  # noqa: ANN001
    out = csv.writer(sys.stdout)
    out.writerow(["table", "rank", "asn", "name", "country", "border_share", "gateway_share", "transit_share",
                  "transit_mean", "networks_served", "single_homed", "single_foreign_upstream"])
    for i, p in enumerate(report.providers, 1):
        out.writerow(["provider", i, p.asn, p.name, p.country, p.border_share, "", p.transit_share, p.transit_mean,
                      p.networks_served, p.single_homed, p.single_foreign_upstream])
    for i, g in enumerate(report.gateways, 1):
        out.writerow(["gateway", i, g.asn, g.name, report.cc, "", g.gateway_share, g.transit_share, g.transit_mean,
                      "", "", ""])


def plot(report, path: Path) -> None:  # noqa: ANN001
    from ..report.plots import grouped_bars, save_figure

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
    evidence: EvidenceOption = api.Evidence.SIMULATED,
    view: ViewOption = "address",
    weight: WeightOption = "space",
    prefixes_date: PrefixDateOption = None,
    top: Annotated[int, typer.Option(help="Rows per table.")] = 20,
    max_origins: Annotated[int | None, typer.Option("--max-origins", help="Analyse only the N largest origins "
                                                    "(a quick look; the report says what was skipped).")] = None,
    offline: OfflineOption = False,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print the ranking tables as CSV.")] = False,
    plot_path: Annotated[Path | None, typer.Option("--plot", help="Write a bar chart (PNG or SVG).")] = None,
) -> None:
    """Rank the foreign transit providers and domestic gateways that carry CC to the world."""
    with progress_bar() as progress:
        snapshot = Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                     prefixes_date=prefixes_date, progress=progress)
        options = api.TransitOptions(view=view, weighting=weight, evidence=evidence, top=top, max_origins=max_origins)
        report = api.transit(cc, date, options=options, snapshot=snapshot, progress=progress)
    if plot_path is not None:
        plot(report, plot_path)
    if json_out:
        print_json(report)
    elif csv_out:
        write_csv(report)
    else:
        render_text(report)
