"""`splinternet world`: every country's transit picture on a date, written as a Parquet dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


def world_command(
    out: Annotated[Path, typer.Option("--out", help="Directory of the dataset (created; a rerun resumes it).")],
    date: DateOption = None,
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from this "
                                                      "date instead (when none exists for --date).")] = None,
    use: UseOption = None,
    countries: Annotated[str | None, typer.Option("--countries", help="Only these countries, e.g. RU,UA,DE "
                                                  "(default: every country with routed space).")] = None,
    max_origins: Annotated[int | None, typer.Option("--max-origins", help="Only each country's N largest origins "
                                                    "(a quick look).")] = None,
    carriers: Annotated[int, typer.Option("--carriers", help="Also remove each of the N largest providers in turn "
                                          "(one what-if per provider: about twice a country's cost each).")] = 0,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Every country's transit providers, gateways and map indices on a date, in one run (Parquet, resumable)."""
    codes = tuple(c for c in (countries or "").replace(" ", "").split(",") if c)
    options = api.WorldOptions(countries=codes, max_origins=max_origins, carriers=carriers)
    choices = api.params.dataset_choices(use)
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=Settings.from_env(offline=offline or None),
                                         prefixes_date=prefixes_date, progress=progress, strict=strict,
                                         allow_damaged=allow_damaged, choices=choices)
        summary = api.build_world(date, out, options=options, snapshot=snapshot, progress=progress)
    if json_out:
        print_json(summary)
        return
    console.print(f"[bold]world {summary.date}[/]: {len(summary.done)} countries written, {len(summary.reused)} "
                  f"already done, {len(summary.skipped)} left out; {summary.seconds['total']:.0f} s -> {summary.out}")
    if summary.skipped:
        table = Table("country", "left out because", title="Countries left out")
        for row in summary.skipped:
            table.add_row(row["cc"], row["reason"])
        console.print(table)
