"""``splinternet blocking REGISTER``: what a register blocks; ``diff OLD NEW``; ``series R1 R2 ...``; ``updates LOG``.

``blocking`` with a register path runs the report (the ``report`` command), so
both ``splinternet blocking dump.csv`` and ``splinternet blocking diff a.csv b.csv`` work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from .. import api
from ..config import Settings
from ..report.files import check_input_file, check_output_dir, check_output_file
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
from .common import (
    AllowDamagedOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StrictOption,
    UseOption,
)
from .output import announce, console, print_json, progress_bar, to_jsonable


class _ReportByDefault(typer.core.TyperGroup):
    """Route ``blocking PATH ...`` to the ``report`` command; real sub-commands win."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["report", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_ReportByDefault, no_args_is_help=True,
                  help="What a blocking register (Roskomnadzor dump or plain list) really blocks, and whose it is.")

RegisterArg = Annotated[list[Path], typer.Argument(
    help="Register file(s): dump.csv, the dump-NN.csv pieces in order (or their directory), or a plain list "
    "(or a directory of only plain lists).",
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
TopOption = Annotated[int, typer.Option("--top", min=0, help="Rows kept in AS/organization/decision tables "
                                        "(0 = all).")]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Write every table as CSV into this directory.")]
PlotOption = Annotated[Path | None, typer.Option(
    "--plot", help="Write a PNG: blocked space by provider, and growth over time.")]


def _options(date: str | None, kind: str, top: int, strict: bool, pfx2as: list[Path] | None = None,
             rib: list[Path] | None = None, asorg: Path | None = None, cloud: Path | None = None,
             no_catalog: bool = False, allow_damaged: bool = False, use: list[str] | None = None
             ) -> api.BlockingOptions:
    files = api.AttributionFiles(pfx2as=tuple(pfx2as or ()), rib=tuple(rib or ()), asorg=asorg, cloud=cloud,
                                 use_catalog=not no_catalog)
    return api.BlockingOptions(date=date, kind=api.params.register_kind(kind), files=files, top=top, strict=strict,
                               allow_damaged=allow_damaged, uses=api.params.dataset_choices(use))


def _settings(offline: bool) -> Settings:
    return Settings.from_env(offline=offline or None)


@app.command("report")
def report_command(
    register: RegisterArg,
    date: DateOption = None,
    use: UseOption = None,
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
    """What one register blocks: deduplicated space by origin AS, organization, country, cloud, authority, decision (also `splinternet blocking REGISTER`)."""
    _check_outputs(csv, plot)
    _check_inputs(register, pfx2as, rib, asorg, cloud, resolutions)
    options = _options(date, kind, top, strict, pfx2as, rib, asorg, cloud, no_catalog, allow_damaged, use)
    with progress_bar() as progress:
        report = api.blocking_report(register, options, resolutions=resolutions, settings=_settings(offline),
                                     progress=progress)
    written_csv = write_csv_dir(csv, report_tables(report), _flat_summary(report)) if csv is not None else []
    if plot is not None:
        write_plot(plot, provider_bars(report), "provider", report.growth, Path(register[0]).name)
    if json:
        print_json(report)
    else:
        render_report(report, top or 15)
    announce(*written_csv, plot)


def _check_outputs(csv: Path | None, plot: Path | None = None) -> None:
    """Output paths checked before any work: a CSV directory whose parent exists, a .png/.svg plot file."""
    if csv is not None:
        check_output_dir(csv, label="--csv")
    if plot is not None:
        check_output_file(plot, (".png", ".svg"), label="--plot")


def _check_inputs(registers: list[Path], pfx2as: list[Path] | None = None, rib: list[Path] | None = None,
                  asorg: Path | None = None, cloud: Path | None = None, resolutions: Path | None = None) -> None:
    """Input paths checked before any work: files exist, and a directory is refused where a file is meant.

    A register may be a directory (the library then checks that it holds a register) and so
    may the cloud ranges; the other inputs are single files.
    """
    for path in registers:
        check_input_file(path, label="register", directory_ok=True)
    for label, paths in (("--pfx2as", pfx2as or []), ("--rib", rib or []), ("--asorg", [asorg] if asorg else []),
                         ("--resolutions", [resolutions] if resolutions else [])):
        for path in paths:
            check_input_file(path, label=label)
    if cloud is not None:
        check_input_file(cloud, label="--cloud", directory_ok=True)


def _flat_summary(report: api.BlockingReport) -> dict[str, Any]:
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
    use: UseOption = None,
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
    """Entries and address space added and removed between two registers, by organization and cloud provider.

    Removed space is attributed as of OLD's own date, added space as of NEW's; --date sets one date for both.
    """
    _check_outputs(csv)
    _check_inputs([old, new], pfx2as, rib, asorg, cloud)
    options = _options(date, kind, top, strict, pfx2as, rib, asorg, cloud, no_catalog, allow_damaged, use)
    with progress_bar() as progress:
        diff = api.blocking_diff(old, new, options, settings=_settings(offline), progress=progress)
    written_csv: list[Path] = []
    if csv is not None:
        summary = {k: v for k, v in to_jsonable(diff).items() if not isinstance(v, (dict, list))}
        written_csv = write_csv_dir(csv, diff_tables(diff), summary)
    if json:
        print_json(diff)
    else:
        render_diff(diff, top or 15)
    announce(*written_csv)


@app.command("updates")
def updates_command(
    log: Annotated[Path, typer.Argument(help="zapret-info update log: sha,commit time,'Updated: <time>' lines.")],
    json: JsonOption = False,
    csv: CsvOption = None,
    strict: StrictOption = False,
) -> None:
    """How often the register was updated, per month (the log has times, not sizes)."""
    _check_outputs(csv)
    check_input_file(log, label="update log")
    cadence = api.blocking_updates(log, strict=strict)
    written_csv: list[Path] = []
    if csv is not None:
        summary = {k: v for k, v in to_jsonable(cadence).items() if not isinstance(v, (dict, list))}
        written_csv = write_csv_dir(csv, [cadence.by_month], summary)
    if json:
        print_json(cadence)
    else:
        render_updates(cadence)
    announce(*written_csv)


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
    _check_outputs(csv, plot)
    _check_inputs(list(registers))
    options = api.BlockingOptions(kind=api.params.register_kind(kind), strict=strict, allow_damaged=allow_damaged)
    with progress_bar() as progress:
        table = api.blocking_series(list(registers), options, progress=progress)
    written_csv = write_csv_dir(csv, [table], {"registers": len(registers)}) if csv is not None else []
    if plot is not None:
        write_series_plot(plot, table)
    if json:
        print_json(table)
    else:
        console.print(group_table(table, "blocked space over a series of registers", len(table)))
    announce(*written_csv, plot)
