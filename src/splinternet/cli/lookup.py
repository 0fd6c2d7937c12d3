"""`splinternet asn` and `splinternet ip`: one network or one address, on a date."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ..analysis.profile import profile_as
from ..errors import ParameterError
from ..sources.snapshot import Snapshot
from .common import AllowDamagedOption, DateOption, JsonOption, OfflineOption, StrictOption
from .output import console, print_json, progress_bar


def _settings(offline: bool):  # noqa: ANN202
    from ..config import Settings

    return Settings.from_env(offline=offline or None)


def _parse_asn(text: str) -> int:
    value = text.strip().upper().removeprefix("AS")
    if not value.isdigit() or int(value) >= 2**32:
        raise ParameterError(f"not an AS number: {text!r}; expected e.g. 3356 or AS3356")
    return int(value)


def asn_command(
    asn: Annotated[str, typer.Argument(help="AS number, e.g. 3356 or AS3356.")],
    date: DateOption = None,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Name, organization, country, providers, customers, peers and customer-cone size of an AS."""
    number = _parse_asn(asn)
    with progress_bar(bytes_mode=True) as progress:
        snapshot = Snapshot.for_date(date, settings=_settings(offline), progress=progress, strict=strict,
                                     allow_damaged=allow_damaged)
        profile = profile_as(number, snapshot.graph(), snapshot.orgs())
    if json_out:
        print_json({**profile.to_dict(), "sources": snapshot.provenance(), "notes": snapshot.damage_notes()})
        return
    console.print(f"[bold]AS{profile.asn}[/] {profile.name or '(no name)'} — {profile.org_name or '?'} "
                  f"({profile.country or '??'})", soft_wrap=True)
    if not profile.in_graph:
        console.print("not in the AS-relationship graph of this date")
    console.print(f"providers {profile.providers:,}   customers {profile.customers:,}   peers {profile.peers:,}   "
                  f"customer cone {profile.customer_cone:,} ASes")
    for title, rows in (("largest providers", profile.top_providers), ("largest customers", profile.top_customers)):
        if rows:
            table = Table("AS", "name", "cc", "cone", title=title)
            for row in rows:
                table.add_row(f"AS{row['asn']}", str(row["name"]), str(row["country"]), f"{row['customer_cone_size']:,}")
            console.print(table)
    for release in snapshot.releases.values():
        note = f"  [yellow]{release.note}[/]" if release.note else ""
        console.print(f"[dim]{release.dataset} {release.released:%Y-%m-%d}  {release.url}[/]{note}", soft_wrap=True)
    for damage_note in snapshot.damage_notes():
        console.print(f"[yellow]note:[/] {damage_note}", soft_wrap=True)


def ip_command(
    address: Annotated[str, typer.Argument(help="IPv4 or IPv6 address, e.g. 8.8.8.8.")],
    date: DateOption = None,
    cloud: Annotated[list[str] | None, typer.Option("--cloud", help="Cloud range files to use instead of the "
                                                    "providers' current lists (repeatable).")] = None,
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Take prefix-to-AS data from this "
                                                      "date instead.")] = None,
    offline: OfflineOption = False,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    json_out: JsonOption = False,
) -> None:
    """Covering prefix, origin AS(es) and name, registry country, cloud provider and service of an address."""
    from .. import api

    with progress_bar(bytes_mode=True) as progress:
        snapshot = Snapshot.for_date(date, settings=_settings(offline), prefixes_date=prefixes_date,
                                     progress=progress, strict=strict, allow_damaged=allow_damaged)
        info = api.ip_lookup(address, snapshot=snapshot, cloud_files=cloud)
    if json_out:
        print_json(info)
        return
    console.print(f"[bold]{info.address}[/]  prefix {info.prefix or '(not routed in the prefix-to-AS data)'}")
    for origin in info.origins:
        console.print(f"  origin AS{origin['asn']} {origin['name']} ({origin['country'] or '??'})"
                      + (f"  [{info.origin_kind}]" if info.origin_kind != "single" else ""), soft_wrap=True)
    if info.registry:
        r = info.registry
        console.print(f"  registry {r['registry']}: {r['country']} ({r['status']}, {r['date']})")
    if info.cloud:
        c = info.cloud
        console.print(f"  cloud {c['provider']} service {c['service'] or '-'} region {c['region'] or '-'} "
                      f"({c['prefix']})")
    for note in info.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
