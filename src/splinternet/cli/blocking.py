"""``splinternet blocking REGISTER``: what a register blocks; ``diff OLD NEW``; ``series R1 R2 ...``; ``updates LOG``.

``blocking`` with a register path runs the report (the hidden ``report`` command), so
both ``splinternet blocking dump.csv`` and ``splinternet blocking diff a.csv b.csv`` work.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from ..analysis.blocking import analyze_blocking
from ..analysis.blocking_diff import diff_registers, register_series
from ..analysis.blocking_updates import update_cadence
from ..config import Settings
from ..errors import ParameterError
from ..sources.catalog import parse_when
from ..sources.registry import Register, load_register
from ..sources.registry_attribution import AttributionData, load_attribution
from ..sources.registry_log import load_update_log
from ..sources.resolutions import load_resolutions
from .blocking_output import (
    diff_tables,
    group_table,
    provider_bars,
    render_diff,
    render_report,
    render_updates,
    report_tables,
    write_csv_dir,
    write_plot,
    write_series_plot,
)
from .common import AllowDamagedOption, DateOption, JsonOption, OfflineOption, StrictOption
from .output import console, err_console, print_json, progress_bar, to_jsonable


class _ReportByDefault(typer.core.TyperGroup):
    """Route ``blocking PATH ...`` to the hidden ``report`` command; real sub-commands win."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["report", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_ReportByDefault, no_args_is_help=True,
                  help="What a blocking register (Roskomnadzor dump or plain list) really blocks, and whose it is.")

RegisterArg = Annotated[list[Path], typer.Argument(
    help="Register file(s): dump.csv, the dump-NN.csv pieces in order (or their directory), or a plain list.",
    show_default=False)]
KindOption = Annotated[str, typer.Option("--kind", help="rkn, plain or auto (sniffed from the first lines).")]
Pfx2asOption = Annotated[list[Path] | None, typer.Option(
    "--pfx2as", help="Prefix-to-AS file(s) (CAIDA pfx2as or pyasn); overrides the catalog. Repeat for IPv6.")]
RibOption = Annotated[list[Path] | None, typer.Option(
    "--rib", help="MRT file(s) (RIB dump or updates): origin AS per prefix from these routes instead of pfx2as.")]
AsorgOption = Annotated[Path | None, typer.Option("--asorg", help="CAIDA as-org2info file; overrides the catalog.")]
CloudOption = Annotated[Path | None, typer.Option(
    "--cloud", help="Cloud ranges: a provider file, a directory of them, or AWS history YYYY.tar.gz (or their dir).")]
NoCatalogOption = Annotated[bool, typer.Option(
    "--no-catalog", help="Use only files given as options; fetch nothing through the catalog.")]
TopOption = Annotated[int, typer.Option("--top", help="Rows kept in AS/organization/decision tables (0 = all).")]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Write every table as CSV into this directory.")]
PlotOption = Annotated[Path | None, typer.Option(
    "--plot", help="Write a PNG: blocked space by provider, and growth over time.")]


def _target_date(date: str | None, registers: list[Register]) -> dt.date:
    """--date if given, else the newest register's own update time, else today (plain lists)."""
    when = parse_when(date) if date else None
    if when is not None:
        return when.date()
    stamps = [r.updated.date() for r in registers if r.updated is not None]
    return max(stamps) if stamps else dt.datetime.now(dt.UTC).date()


def _attribution(target: dt.date, pfx2as: list[Path] | None, rib: list[Path] | None, asorg: Path | None,
                 cloud: Path | None, no_catalog: bool, offline: bool, strict: bool,
                 allow_damaged: bool) -> AttributionData:
    settings = Settings.from_env(offline=offline or None)
    return load_attribution(target, pfx2as=list(pfx2as) if pfx2as else None, rib=list(rib) if rib else None,
                            asorg=asorg, cloud=cloud, settings=settings, use_catalog=not no_catalog,
                            bad=settings.bad_records(strict=strict, allow_damaged=allow_damaged))


def _register(paths: Any, strict: bool, kind: str, allow_damaged: bool) -> Register:
    return load_register(paths, strict=strict, kind=_check_kind(kind), allow_damaged=allow_damaged,
                         max_bad_share=Settings.from_env().max_bad_share)


def _check_kind(kind: str) -> str:
    if kind not in ("auto", "rkn", "plain"):
        raise ParameterError(f"--kind must be auto, rkn or plain, not {kind!r}")
    return kind


@app.command("report", hidden=True)
def report_command(
    register: RegisterArg,
    date: DateOption = None,
    kind: KindOption = "auto",
    pfx2as: Pfx2asOption = None,
    rib: RibOption = None,
    asorg: AsorgOption = None,
    cloud: CloudOption = None,
    resolutions: Annotated[Path | None, typer.Option(
        "--resolutions", help="Domain resolutions (domain,ip CSV or zdns/massdns JSON lines) for collateral.")] = None,
    no_catalog: NoCatalogOption = False,
    top: TopOption = 20,
    json: JsonOption = False,
    csv: CsvOption = None,
    plot: PlotOption = None,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    offline: OfflineOption = False,
) -> None:
    """Blocked address space (deduplicated) by origin AS, organization, country, cloud, authority, decision."""
    with progress_bar() as progress:
        progress.start("blocking report", 4)
        reg = _register(register, strict, kind, allow_damaged)
        progress.advance(1)
        target = _target_date(date, [reg])
        attribution = _attribution(target, pfx2as, rib, asorg, cloud, no_catalog, offline, strict, allow_damaged)
        progress.advance(1)
        res = load_resolutions(resolutions, strict=strict) if resolutions else None
        progress.advance(1)
        report = analyze_blocking(reg, attribution, res, top=top)
        progress.advance(1)
        progress.finish()
    if csv is not None:
        write_csv_dir(csv, report_tables(report), _flat_summary(report))
    if plot is not None:
        write_plot(plot, provider_bars(report), "provider", report.growth, Path(register[0]).name)
    if json:
        print_json(report)
        return
    render_report(report, top or 15)
    if csv is not None or plot is not None:
        err_console.print(f"written: {', '.join(str(p) for p in (csv, plot) if p is not None)}", highlight=False)


def _flat_summary(report: Any) -> dict[str, Any]:
    out = {f"register.{k}": v for k, v in report.register.items() if not isinstance(v, (dict, list))}
    out.update({f"counts.{k}": v for k, v in to_jsonable(report.counts).items()})
    out["unattributed_ipv4"] = report.unattributed_ipv4
    for i, r in enumerate(report.attribution["releases"]):
        out[f"release.{i}"] = f"{r['dataset']} {r['release_date']} {r['path']} sha256={r['sha256']}"
    return out


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The older register (file, or directory of pieces).")],
    new: Annotated[Path, typer.Argument(help="The newer register.")],
    date: DateOption = None,
    kind: KindOption = "auto",
    pfx2as: Pfx2asOption = None,
    rib: RibOption = None,
    asorg: AsorgOption = None,
    cloud: CloudOption = None,
    no_catalog: NoCatalogOption = False,
    top: TopOption = 20,
    json: JsonOption = False,
    csv: CsvOption = None,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    offline: OfflineOption = False,
) -> None:
    """Entries and address space added and removed between two registers, by organization and cloud provider."""
    with progress_bar() as progress:
        progress.start("blocking diff", 3)
        a = _register(old, strict, kind, allow_damaged)
        b = _register(new, strict, kind, allow_damaged)
        progress.advance(1)
        attribution = _attribution(_target_date(date, [b]), pfx2as, rib, asorg, cloud, no_catalog, offline, strict,
                                   allow_damaged)
        progress.advance(1)
        diff = diff_registers(a, b, attribution, top=top)
        progress.advance(1)
        progress.finish()
    if csv is not None:
        summary = {k: v for k, v in to_jsonable(diff).items() if not isinstance(v, (dict, list))}
        write_csv_dir(csv, diff_tables(diff), summary)
    if json:
        print_json(diff)
        return
    render_diff(diff, top or 15)


@app.command("updates")
def updates_command(
    log: Annotated[Path, typer.Argument(help="zapret-info update log: sha,commit time,'Updated: <time>' lines.")],
    json: JsonOption = False,
    csv: CsvOption = None,
    strict: StrictOption = False,
) -> None:
    """How often the register was updated, per month (the log has times, not sizes)."""
    cadence = update_cadence(load_update_log(log, strict=strict))
    if csv is not None:
        summary = {k: v for k, v in to_jsonable(cadence).items() if not isinstance(v, (dict, list))}
        write_csv_dir(csv, [cadence.by_month], summary)
    if json:
        print_json(cadence)
        return
    render_updates(cadence)


@app.command("series")
def series_command(
    registers: Annotated[list[Path], typer.Argument(help="Registers in time order (files, or directories of pieces).",
                                                    show_default=False)],
    kind: KindOption = "auto",
    json: JsonOption = False,
    csv: CsvOption = None,
    plot: PlotOption = None,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
) -> None:
    """Growth over a series of registers: entries and deduplicated blocked space of each, added and removed."""
    with progress_bar() as progress:
        progress.start("registers", len(registers))
        loaded = []
        for path in registers:
            loaded.append(_register(path, strict, kind, allow_damaged))
            progress.advance(1)
        progress.finish()
    table = register_series(loaded)
    if csv is not None:
        write_csv_dir(csv, [table], {"registers": len(loaded)})
    if plot is not None:
        write_series_plot(plot, table)
    if json:
        print_json(table)
        return
    console.print(group_table(table, "blocked space over a series of registers", len(table)))
