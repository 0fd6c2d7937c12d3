"""`splinternet data`: the dataset catalog, fetching releases into the cache, listing the cache."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from .. import api
from ..config import Settings
from ..report import formatting as fmt
from .common import DateOption, JsonOption, OfflineOption
from .output import console, print_json, progress_bar

app = typer.Typer(help="Public datasets: what the catalog knows, fetch releases, list the cache.",
                  no_args_is_help=True)


@app.command("datasets")
def datasets(json_out: JsonOption = False) -> None:
    """List the datasets the catalog knows, with address pattern and release cadence."""
    rows = api.data.datasets()
    if json_out:
        print_json(rows)
        return
    table = Table("dataset", "parameters", "cadence", title="Datasets")
    table.add_column("address", overflow="fold")  # the address is what this lists: folded, never cut
    for row in rows:
        table.add_row(row["name"], ", ".join(row["params"]), row["cadence"], row["address"])
    console.print(table)


@app.command("fetch")
def fetch(
    dataset: Annotated[str, typer.Argument(help="Dataset name (see `splinternet data datasets`).")],
    date: DateOption = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="Dataset parameter NAME=VALUE, "
                     "e.g. collector=rrc00, rir=ripencc, cc=RU, family=4.")] = None,
    offline: OfflineOption = False,
    json_out: JsonOption = False,
) -> None:
    """Fetch the release of DATASET for a date into the cache and say which release it is."""
    settings = Settings.from_env(offline=offline or None)
    with progress_bar(bytes_mode=True) as progress:
        release = api.data.fetch(dataset, date, api.data.dataset_params(param or []), settings=settings,
                                 progress=progress)
    if json_out:
        print_json(release.to_dict())
        return
    console.print(f"[bold]{release.dataset}[/] release {release.released:%Y-%m-%d %H:%M}"
                  + (f" (asked for {release.requested:%Y-%m-%d %H:%M})" if release.requested else ""))
    console.print(f"  url     {release.url}", soft_wrap=True)
    console.print(f"  file    {release.path}", soft_wrap=True)
    console.print(f"  size    {fmt.size(release.file.size)}   sha256 {release.file.sha256}", soft_wrap=True)


@app.command("list")
def list_cache(json_out: JsonOption = False) -> None:
    """List what is in the cache, with dataset, release date, size and checksum."""
    settings = Settings.from_env()
    files = api.data.cached_files(settings)
    if json_out:
        print_json([f.to_dict() for f in files])
        return
    table = Table("dataset", "release", "size", "sha256", "url", title=f"Cache: {settings.cache_dir}")
    for f in files:
        table.add_row(str(f.extra.get("dataset", "")), str(f.extra.get("release", ""))[:16],
                      fmt.size(f.size), f.sha256[:16] + "…", f.url)
    console.print(table)
    console.print(f"{fmt.plural(len(files), 'file')}, {fmt.size(sum(f.size for f in files))}")
