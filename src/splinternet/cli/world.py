"""`splinternet world`: every country's transit picture on a date (or a series of dates), as a Parquet dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..errors import ParameterError
from ..report import formatting as fmt
from .common import (
    AllowDamagedOption,
    DaskAddressOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StrictOption,
    UseOption,
    naming_options,
)
from .output import console, err_console, print_json, print_notes, progress_bar

EVENTFUL_SHOWN = 15  # countries listed in the text summary of a series


def world_command(
    out: Annotated[Path, typer.Option("--out", help="Directory of the dataset (created; a rerun resumes it).")],
    date: DateOption = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date of a series (YYYY-MM-DD); one "
                                                  "dataset per date under --out/<date>.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date of the series, included.")] = None,
    step: Annotated[str | None, typer.Option("--step", help="Step of the series: Nd, Nw or Nm (default 1m: the "
                                             "same day of each month).")] = None,
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from this "
                                                      "date instead (when none exists for --date).")] = None,
    use: UseOption = None,
    countries: Annotated[str | None, typer.Option("--countries", help="Only these countries, e.g. RU,UA,DE "
                                                  "(default: every country with routed space).")] = None,
    max_origins: Annotated[int | None, typer.Option("--max-origins", min=1, help="Only each country's N largest origins "
                                                    "(a quick look).")] = None,
    carriers: Annotated[int, typer.Option("--carriers", min=0, help="Also remove each of the N largest providers in turn "
                                          "(one what-if per provider: about twice a country's cost each).")] = 0,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Local Dask worker processes for a series "
                                                "(default 2; 0: no Dask, this process only).")] = None,
    dask: DaskAddressOption = None,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Every country's transit providers, gateways and map indices on a date or a series of dates (Parquet, resumable; a series runs on Dask and finds events).

    With --from and --to: one run per date (on Dask, one task per date) and the events between
    consecutive dates (a provider entering or leaving a country's top 10, a share jump, a new top provider).
    """
    codes = tuple(c for c in (countries or "").replace(" ", "").split(",") if c)
    flags = naming_options(countries="--countries", max_origins="--max-origins", carriers="--carriers")
    with flags:
        options = api.WorldOptions(countries=codes, max_origins=max_origins, carriers=carriers)
    choices = api.params.dataset_choices(use)
    settings = Settings.from_env(offline=offline or None)
    if date_from is not None or date_to is not None:
        if date is not None:
            raise ParameterError("--date names one date and --from/--to a series: give one or the other")
        if date_from is None or date_to is None:
            raise ParameterError("a series needs both --from and --to")
        with naming_options(step="--step", start="--from", end="--to", workers="--workers"), \
                progress_bar() as dates, progress_bar() as steps:
            series = api.build_world_series(date_from, date_to, out, step=step or "1m", options=options,
                                            prefixes_date=prefixes_date, uses=choices, settings=settings,
                                            strict=strict,
                                            allow_damaged=allow_damaged, workers=2 if workers is None else workers,
                                            dask_address=dask,
                                            progress=dates, date_progress=steps)
        _print_series(series, json_out)
        return
    if workers is not None or dask is not None or step is not None:
        raise ParameterError("--step, --workers and --dask are for a series (--from/--to); one date runs in this "
                             "process")
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=settings, prefixes_date=prefixes_date, progress=progress,
                                         strict=strict, allow_damaged=allow_damaged, choices=choices)
        with naming_options(countries="--countries"):
            summary = api.build_world(date, out, options=options, snapshot=snapshot, progress=progress)
    if json_out:
        print_json(summary)
        return
    console.print(f"[bold]world {summary.date}[/]: {fmt.plural(len(summary.done), 'country', 'countries')} written, "
                  f"{len(summary.reused)} already done, {len(summary.skipped)} left out; {summary.seconds['total']:.0f} s -> {summary.out}")
    if summary.skipped:
        table = Table("country", "left out because", title="Countries left out")
        for row in summary.skipped:
            table.add_row(row["cc"], row["reason"])
        console.print(table)


def _print_series(series: Any, json_out: bool) -> None:
    if json_out:
        print_json(series)
    else:
        dates = Table("date", "written", "already done", "left out", "seconds", title=f"world series, step "
                      f"{series.step} ({series.executor})")
        for row in series.dates:
            if row["status"] == "done":
                dates.add_row(row["date"], fmt.count(len(row["done"])), fmt.count(len(row["reused"])),
                              fmt.count(len(row["skipped"])), f"{row['seconds']['total']:.0f}")
            else:
                dates.add_row(row["date"], "[red]failed[/]", "", "", f"{row['seconds']:.0f}")
        console.print(dates)
        places = fmt.plural(len(series.eventful), "country", "countries")
        console.print(f"{fmt.plural(series.events, 'event')} across {places} in {series.seconds:.0f} s "
                      f"-> {series.out} (all of them: events.parquet)")
        if series.eventful:
            kinds = [k for k in series.eventful[0] if k not in ("cc", "events")]
            table = Table("country", "events", *(k.replace("_", " ") for k in kinds),
                          title=f"Most eventful countries ({min(EVENTFUL_SHOWN, len(series.eventful))} of "
                                f"{len(series.eventful)})")
            for row in series.eventful[:EVENTFUL_SHOWN]:
                table.add_row(row["cc"], fmt.count(row["events"]), *(fmt.count(row[k]) for k in kinds))
            console.print(table)
        print_notes(series.notes)
    for failure in series.failed:
        err_console.print(f"[bold red]{failure['date']} failed:[/] {failure['reason']}", highlight=False,
                          soft_wrap=True)
    if series.failed:
        raise typer.Exit(2)
