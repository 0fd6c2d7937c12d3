"""`splinternet ingest`, `query` and `timeline`: archives to Parquet on Dask, SQL over them, shares over time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.table import Table

from .. import api
from ..config import Settings
from ..errors import ParameterError
from ..report import formatting as fmt
from ..report.files import check_output_file
from ..report.plots import line_chart, save_figure
from .common import (
    AllowDamagedOption,
    DaskAddressOption,
    DaskWorkersOption,
    JsonOption,
    OfflineOption,
    StrictOption,
    UseOption,
    naming_options,
)
from .output import (
    announce,
    console,
    err_console,
    print_cut,
    print_inputs,
    print_json,
    print_notes,
    progress_bar,
)

DataOption = Annotated[Path, typer.Option("--data", "--out", "-o", help="Directory of the ingested Parquet "
                                          "(or, for query, of a world dataset).")]


def ingest_command(
    collectors: Annotated[str, typer.Option("--collectors", "-c", help="Comma-separated collectors, e.g. "
                                            "rrc00,route-views2,route-views.sydney.")],
    date_from: Annotated[str, typer.Option("--from", help="Start of the window (YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                                           "UTC), included.")],
    date_to: Annotated[str, typer.Option("--to", help="End of the window, excluded.")],
    ribs: Annotated[bool, typer.Option("--ribs", help="Ingest RIB dumps (both kinds when neither is given).")] = False,
    updates: Annotated[bool, typer.Option("--updates", help="Ingest update files.")] = False,
    out: DataOption = Path("ingested"),
    workers: DaskWorkersOption = 2,
    dask: DaskAddressOption = None,
    strict: StrictOption = False,
    offline: OfflineOption = False,
    json: JsonOption = False,
) -> None:
    """Download MRT archives of a time window, parse them in parallel, write partitioned Parquet (resumable)."""
    settings = Settings.from_env(offline=offline or None)
    both = not ribs and not updates
    with naming_options(collectors="--collectors", start="--from", end="--from, --to", ribs="--ribs, --updates",
                        workers="--workers"):
        plan = api.ingest.plan_ingest(collectors, date_from, date_to, ribs=ribs or both, updates=updates or both, settings=settings)
        with progress_bar() as files, progress_bar() as elements:
            result = api.ingest.run_ingest(plan, out, workers=workers, dask_address=dask, settings=settings, strict=strict,
                                files_progress=files, elements_progress=elements)
    if json:
        print_json(result)
    else:
        console.print(f"{len(result.ingested)} files ingested, {len(result.skipped)} already done, "
                      f"{len(result.failed)} failed, of {result.planned} planned ({result.executor})")
        console.print(f"{result.elements:,} elements in {result.seconds:.1f} s: {result.files_per_second:.2f} files/s, "
                      f"{result.elements_per_second:,.0f} elements/s; {result.bad_records:,} bad records skipped")
        for item in result.empty:
            console.print(f"[yellow]note:[/] no {item} file in the window")
        console.print(f"Parquet under {result.out_dir}; query it with: splinternet query \"SQL\" --data {out}")
    for failure in result.failed:
        err_console.print(f"[bold red]failed:[/] {failure.error}", highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(2)


def query_command(
    sql: Annotated[str, typer.Argument(help="SQL (DuckDB dialect) over the views of --data: ribs and updates of "
                                       "ingested archives, e.g. \"SELECT collector, count(*) FROM updates GROUP BY "
                                       "1\", or the tables of a world dataset (countries, providers, gateways, "
                                       "...).")],
    data: DataOption = Path("ingested"),
    rows: Annotated[int, typer.Option("--rows", min=0, help="Rows shown in the table (JSON has all).")] = 50,
    json: JsonOption = False,
    unsafe_sql: Annotated[bool, typer.Option("--unsafe-sql", help="Run any SQL with DuckDB's full access to files, "
                                             "network and extensions (default: one SELECT, reading only --data).")]
    = False,
) -> None:
    """Query ingested archives or a world dataset with SQL; helpers: prefix_text(afi, prefix_hi, prefix_lo, prefix_len), ip_text."""
    with naming_options(unsafe_sql="--unsafe-sql"):
        result = api.ingest.run_query(sql, data, unsafe_sql=unsafe_sql)
    if json:
        print_json(result)
        return
    table = Table(*result.columns)
    records = result.records()
    for record in records[:rows]:
        table.add_row(*(_cell(v) for v in record.values()))
    console.print(table)
    print_cut(rows, len(records), "rows", " (use --rows or --json)")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return fmt.number(value, 6)
    return str(value)


class _CountryByDefault(typer.core.TyperGroup):
    """``timeline CC ...`` runs the hidden ``country`` command; ``timeline blocking ...`` the other."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["country", *args]
        return super().parse_args(ctx, args)


timeline_app = typer.Typer(cls=_CountryByDefault, no_args_is_help=True,
                           help="Shares over time: `timeline CC --from D1 --to D2` (a country's providers; the "
                                "`country` word may be left out) or `timeline blocking REGISTER...`.")

ThresholdOption = Annotated[float, typer.Option("--threshold", help="Report a share that drops (or moves) by "
                                                "more than this between two points (0.05 = 5 points).")]
TopOption = Annotated[int, typer.Option("--top", min=1, help="Groups shown and plotted.")]
PlotOption = Annotated[Path | None, typer.Option("--plot", help="Write a line chart (PNG or SVG).")]


@timeline_app.command("country")
def country_timeline_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. RU.")],
    date_from: Annotated[str, typer.Option("--from", help="First step (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last step (YYYY-MM-DD), included.")],
    step: Annotated[str, typer.Option("--step", help="Step: Nd, Nw or Nm.")] = "1d",
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from this "
                                                      "date for every step (when none exists for the steps).")] = None,
    use: UseOption = None,
    archives: Annotated[Path | None, typer.Option("--archives", help="Use the paths observed in archives ingested "
                                                  "into this directory instead of topology snapshots.")] = None,
    snapshot_date: Annotated[str | None, typer.Option("--snapshot-date", help="With --archives: date of the data "
                                                      "that says which networks are domestic (default --from).")] = None,
    threshold: ThresholdOption = 0.05,
    top: TopOption = 10,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    offline: OfflineOption = False,
    json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Border and transit shares of a country's top providers over time, with drops and lost links."""
    cc = api.params.country_code(cc)
    if plot is not None:
        check_output_file(plot, (".png", ".svg"), label="--plot")
    settings = Settings.from_env(offline=offline or None)
    choices = api.params.dataset_choices(use)
    with progress_bar() as progress:
        if archives is not None:
            timeline = api.archive_timeline(cc, archives, date_from, date_to, step=step, snapshot_date=snapshot_date,
                                            prefixes_date=prefixes_date, threshold=threshold, top=top,
                                            settings=settings, progress=progress, strict=strict,
                                            allow_damaged=allow_damaged, uses=choices)
        else:
            timeline = api.topology_timeline(cc, date_from, date_to, step=step, prefixes_date=prefixes_date,
                                             threshold=threshold, top=top, settings=settings, progress=progress,
                                             strict=strict, allow_damaged=allow_damaged, uses=choices)
    _emit(timeline, json, plot, "border_share", "share of inbound paths" if archives is None else
          "share of observed domestic-origin routes")


@timeline_app.command("blocking")
def blocking_timeline_command(
    registers: Annotated[list[Path], typer.Argument(help="Register files (or directories of pieces), any order.")],
    dates: Annotated[str | None, typer.Option("--dates", help="Comma-separated date of each register (default: "
                                              "the register's own update time).")] = None,
    group: Annotated[str, typer.Option("--by", help="provider (cloud provider) or organization.")] = "provider",
    pfx2as: Annotated[list[Path] | None, typer.Option("--pfx2as", help="Prefix-to-AS file(s) for every register; "
                                                      "overrides the catalog.")] = None,
    asorg: Annotated[Path | None, typer.Option("--asorg", help="CAIDA as-org2info file.")] = None,
    cloud: Annotated[Path | None, typer.Option("--cloud", help="Cloud ranges (file, dir or AWS history).")] = None,
    no_catalog: Annotated[bool, typer.Option("--no-catalog", help="Use only files given as options.")] = False,
    use: UseOption = None,
    threshold: ThresholdOption = 0.05,
    top: TopOption = 10,
    strict: StrictOption = False,
    offline: OfflineOption = False,
    json: JsonOption = False,
    plot: PlotOption = None,
) -> None:
    """Blocked IPv4 space by cloud provider or organization over a series of registers."""
    if plot is not None:
        check_output_file(plot, (".png", ".svg"), label="--plot")
    labels = [d.strip() for d in dates.split(",")] if dates else []
    if labels and len(labels) != len(registers):
        raise ParameterError(f"--dates names {len(labels)} dates for {len(registers)} registers")
    files = api.AttributionFiles(pfx2as=tuple(pfx2as or ()), asorg=asorg, cloud=cloud, use_catalog=not no_catalog)
    with progress_bar() as progress:
        timeline = api.blocking_register_timeline(
            list(registers), dates=labels, group=api.params.timeline_group(group), files=files, threshold=threshold,
            top=top, strict=strict, settings=Settings.from_env(offline=offline or None), progress=progress,
            uses=api.params.dataset_choices(use))
    _emit(timeline, json, plot, "blocked_ipv4", "blocked IPv4 addresses", percent=False)


def _emit(timeline: api.ShareTimeline, json: bool, plot: Path | None, measure: str, label: str, *, percent: bool = True) -> None:
    if plot is not None:
        values = timeline.series[measure]
        series = {(f"{k} {n}" if n not in ("", k) else str(k)): [None if v != v else float(v) for v in values[:, j].tolist()]
                  for j, (k, n) in enumerate(zip(timeline.keys, timeline.names, strict=True))}
        marks = sorted({(e.time, e.kind) for e in timeline.events})
        save_figure(line_chart(list(timeline.points), series, title=timeline.subject, ylabel=label, percent=percent,
                               marks=[(t, k.replace("_", " ")) for t, k in marks],
                               caption=f"{label} of the {len(series)} largest groups at each step, "
                                       f"{timeline.points[0] if timeline.points else ''} to "
                                       f"{timeline.points[-1] if timeline.points else ''}; dotted lines mark "
                                       "events above the threshold."), plot)
    if json:
        print_json(timeline)
    else:
        _render(timeline, measure, percent)
    announce(plot)


SHARE_EVENT_ROWS = 100
LINK_EVENT_ROWS = 50

# what a border link was (or is) to the domestic network, by the timeline's relation name
_LINK_ROLE = {"provider-customer": "its provider", "peer": "its peer", "customer-provider": "its customer",
              "observed": "seen crossing the border"}


def _render(timeline: api.ShareTimeline, measure: str, percent: bool) -> None:
    console.print(f"[bold]{timeline.subject}[/], {len(timeline.steps)} steps, {len(timeline.points)} distinct points")
    for name, values in timeline.series.items():
        shares = percent or name.startswith("share")
        table = Table("group", *timeline.points, title=name.replace("_", " "),
                      caption=f"{'0%' if shares else '0'}: none on that date; {fmt.DASH}: not known on that date "
                              "(not ranked or not computed; null in --json)")
        for j, (key, label) in enumerate(zip(timeline.keys, timeline.names, strict=True)):
            cells = [fmt.pct(v) if shares else fmt.count(v) for v in values[:, j].tolist()]
            table.add_row(f"{key} {fmt.cut(label, 30)}" if label != key else key, *cells)
        console.print(table)
    if not timeline.events:
        console.print("no events above the threshold")
    links = [e for e in timeline.events if e.measure == "link"]
    moves = [e for e in timeline.events if e.measure != "link"]
    if moves:  # the headline events first, never pushed out by the (many) link events
        table = Table("time", "since", "event", "who", "measure", "before", "after",
                      title=f"{fmt.plural(len(moves), 'share event')} above the threshold")
        for e in moves[:SHARE_EVENT_ROWS]:
            show = fmt.count if e.measure == "blocked_ipv4" else fmt.pct
            who = e.key if e.name in ("", e.key) else f"{e.key} {fmt.cut(e.name, 24)}"
            table.add_row(e.time, e.previous, e.kind.replace("_", " "), who, fmt.header(e.measure),
                          show(e.before), show(e.after))
        console.print(table)
        print_cut(SHARE_EVENT_ROWS, len(moves), "share events", "; all in --json")
    elif timeline.events:
        console.print("no share moved by more than the threshold")
    if links:
        lost = sum(e.kind == "link_lost" for e in links)
        table = Table("time", "since", "provider", "domestic network", "link",
                      title=f"Border links of the top providers: {fmt.count(lost)} lost, "
                            f"{fmt.count(len(links) - lost)} with another relationship",
                      caption="a link between one of the previous point's top providers and a domestic network, "
                              "gone at the next point or there with another relationship; 'its': the domestic "
                              "network's")
        for e in links[:LINK_EVENT_ROWS]:
            table.add_row(e.time, e.previous, fmt.as_label(e.asn, e.name, 32),
                          fmt.as_label(e.neighbor, e.neighbor_name, 36), _link_text(e))
        console.print(table)
        print_cut(LINK_EVENT_ROWS, len(links), "link events", "; all in --json")
    print_notes(timeline.notes)
    print_inputs(timeline.sources)


def _link_text(event: api.TimelineEvent) -> str:
    """What happened to a border link, in words: ``gone (was its provider)``, ``was its peer, now its customer``."""
    was = _LINK_ROLE.get(event.relation, event.relation)
    if event.kind == "link_changed":
        return f"was {was}, now {_LINK_ROLE.get(event.relation_after, event.relation_after)}"
    return "no longer seen crossing" if event.relation == "observed" else f"gone (was {was})"
