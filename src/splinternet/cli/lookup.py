"""`splinternet asn` and `splinternet ip`: one network or one address, on a date."""

from __future__ import annotations

from typing import Annotated

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
    UseOption,
)
from .output import console, print_inputs, print_json, print_notes, progress_bar, warn_reserved


def _settings(offline: bool) -> Settings:
    return Settings.from_env(offline=offline or None)


def asn_command(
    asn: Annotated[str, typer.Argument(help="AS number, e.g. 3356 or AS3356.")],
    date: DateOption = None,
    use: UseOption = None,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Name, organization, country, providers, customers, peers and customer-cone size of an AS."""
    number = api.params.asn(asn)
    warn_reserved([number])
    choices = api.params.dataset_choices(use)
    with progress_bar(bytes_mode=True) as progress:
        snapshot = api.Snapshot.for_date(date, settings=_settings(offline), progress=progress, strict=strict,
                                         allow_damaged=allow_damaged, choices=choices)
        profile = api.as_profile(number, snapshot=snapshot)
    if json_out:
        print_json(profile)
        return
    console.print(f"[bold]AS{profile.asn}[/] ", end="")
    console.print(f"{profile.name or '(no name)'} — {profile.org_name or '?'} ({fmt.country(profile.country)})",
                  markup=False, highlight=False, soft_wrap=True)
    if not profile.in_graph:
        console.print("not in the AS-relationship graph of this date")
    console.print(f"providers {fmt.count(profile.providers)}   customers {fmt.count(profile.customers)}   "
                  f"peers {fmt.count(profile.peers)}   customer cone {fmt.count(profile.customer_cone)} ASes")
    for title, rows, total in (("largest providers", profile.top_providers, profile.providers),
                               ("largest customers", profile.top_customers, profile.customers)):
        if rows:
            shown = fmt.n_of_m(len(rows), total, title.split()[-1])
            table = Table("AS", "name", "country", "customer cone (ASes)",
                          title=title + (f" ({shown})" if shown else ""))
            for row in rows:
                table.add_row(f"AS{row['asn']}", fmt.cut(row["name"], 48), fmt.country(row["country"]),
                              fmt.count(row["customer_cone_size"]))
            console.print(table)
    print_notes(profile.notes)
    print_inputs(profile.sources)


def ip_command(
    address: Annotated[str, typer.Argument(help="IPv4 or IPv6 address, e.g. 8.8.8.8.")],
    date: DateOption = None,
    cloud: Annotated[list[str] | None, typer.Option("--cloud", help="Cloud range files to use instead of the "
                                                    "providers' current lists (repeatable).")] = None,
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from this "
                                                      "date instead.")] = None,
    use: UseOption = None,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Covering prefix, origin AS(es) and name, registry country, cloud provider and service of an address."""
    address = api.params.ip_address(address)
    choices = api.params.dataset_choices(use)
    with progress_bar(bytes_mode=True) as progress:
        snapshot = api.Snapshot.for_date(date, settings=_settings(offline), prefixes_date=prefixes_date,
                                         progress=progress, strict=strict, allow_damaged=allow_damaged,
                                         choices=choices)
        info = api.ip_lookup(address, snapshot=snapshot, cloud_files=cloud)
    if json_out:
        print_json(info)
        return
    console.print(f"[bold]{info.address}[/]  prefix {info.prefix or _no_prefix(info)}", highlight=False)
    for origin in info.origins:
        kind = f"  ({info.origin_kind})" if info.origin_kind != "single" else ""
        console.print(f"  origin {fmt.as_label(origin['asn'], origin['name'], 60)} ({fmt.country(origin['country'])})"
                      + kind, markup=False, highlight=False, soft_wrap=True)
    if info.registry:
        r = info.registry
        console.print(f"  registry {r['registry']}: {fmt.country(r['country'])} ({r['status']}, {r['date']})",
                      markup=False, highlight=False)
    elif info.registries_missing:  # not "unregistered": the registry holding it may be one whose file is missing
        console.print(f"  registry: not known (no delegation file of {', '.join(info.registries_missing)}; "
                      "see the notes)", markup=False, highlight=False)
    if info.cloud:
        c = info.cloud
        console.print(f"  cloud {c['provider']} service {c['service'] or '-'} region {c['region'] or '-'} "
                      f"({c['prefix']})", markup=False, highlight=False)
    print_notes(info.notes)
    print_inputs(info.sources)


def _no_prefix(info: api.AddressInfo) -> str:
    """Not routed, or not known: without a prefix-to-AS table for the date nothing can be said."""
    wanted = "routeviews-pfx2as" if info.version == 4 else "routeviews-pfx2as6"
    if any(src.get("dataset") == wanted for src in info.sources):
        return "(not routed: no prefix covers it in the prefix-to-AS data)"
    return f"(unknown: no IPv{info.version} prefix-to-AS table for this date; see the notes)"
