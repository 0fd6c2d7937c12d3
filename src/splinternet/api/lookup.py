"""One address or one network on a date: what covers and originates it, who it is, how to find it."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..analysis.address import AddressInfo, describe_address, parse_address
from ..analysis.profile import AsProfile, profile_as
from ..analysis.results import Result
from ..errors import DataNotFoundError, DownloadError, ParameterError
from ..sources.asorg import OrgTable
from ..sources.cloud import CloudRanges, concat_cloud, load_cloud_files
from ..sources.pfx2as import Pfx2As
from ..sources.rir import Delegations
from ..sources.snapshot import DatasetChoices, Snapshot, snapshot_for
from . import params
from .notes import left_out

__all__ = ["AsSearch", "as_profile", "as_search", "ip_lookup"]

_CLOUD_DATASETS: tuple[tuple[str, dict[str, str]], ...] = (
    ("aws-ip-ranges", {}), ("gcp-ip-ranges", {}), ("azure-service-tags", {}), ("oracle-ip-ranges", {}),
    ("digitalocean-ranges", {}), ("cloudflare-ips", {"family": "4"}), ("cloudflare-ips", {"family": "6"}))
_RIRS = ("afrinic", "apnic", "arin", "lacnic", "ripencc")


def ip_lookup(address: str, *, snapshot: Snapshot | None = None, date: str | dt.date | None = None,
              cloud_files: list[str] | None = None, uses: DatasetChoices | None = None) -> AddressInfo:
    """Covering prefix, origin AS(es) with names, registry country and cloud range of one address.

    Each input that has no release for the date is left out and named in the notes.
    """
    version = parse_address(address).version
    snapshot = snapshot_for(date, snapshot, uses=uses)
    notes: list[str] = []
    pfx: Pfx2As | None
    try:
        pfx = snapshot.pfx2as(version)
    except (DataNotFoundError, DownloadError) as exc:
        pfx = None
        notes.append(left_out("prefix-to-AS", exc))
    delegations: list[Delegations] = []
    registries_missing: list[str] = []
    for rir in _RIRS:
        try:
            delegations.append(snapshot.delegations(rir))
        except (DataNotFoundError, DownloadError) as exc:
            notes.append(left_out(f"{rir} delegations", exc))
            registries_missing.append(rir)
    cloud: CloudRanges | None
    if cloud_files:
        cloud = load_cloud_files(cloud_files, bad=snapshot.bad)
    else:
        parts = []
        for dataset, extra in _CLOUD_DATASETS:
            try:
                parts.append(snapshot.cloud_ranges(dataset, **extra))
            except (DataNotFoundError, DownloadError) as exc:
                notes.append(left_out(dataset + "".join(f" {v}" for v in extra.values()), exc))
        cloud = concat_cloud(parts, bad=snapshot.bad) if parts else None
    info = describe_address(address, pfx, snapshot.orgs(), delegations, cloud)
    notes += snapshot.date_notes() + snapshot.release_notes() + snapshot.damage_notes()
    return replace(info, sources=snapshot.provenance(), notes=notes, registries_missing=registries_missing)


def as_profile(asn: int | str, *, snapshot: Snapshot | None = None, date: str | dt.date | None = None,
               uses: DatasetChoices | None = None) -> AsProfile:
    """Name, organization, country, providers, customers, peers and customer-cone size of an AS."""
    number = params.asn(asn)
    snapshot = snapshot_for(date, snapshot, uses=uses)
    profile = profile_as(number, snapshot.graph(), snapshot.orgs())
    notes = snapshot.date_notes() + snapshot.release_notes() + snapshot.damage_notes()
    return replace(profile, sources=tuple(snapshot.provenance()), notes=tuple(notes))


@dataclass(frozen=True, repr=False)
class AsSearch(Result):
    """ASes matching a query, exact number first."""

    _tables: ClassVar[tuple[str, ...]] = ("results",)

    query: str
    date: str | None
    results: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "date": self.date, "results": list(self.results)}


class _NameIndex:
    """Lower-cased AS and organization names and AS numbers as text, built once per organization table.

    Building them costs a second and over 100 MB of temporary arrays; a server answering
    searches builds them once per table, not once per request. ``text`` holds every row as
    ``as name \t org name \n``, so a name search is one C-speed scan of one string.
    """

    def __init__(self, orgs: OrgTable) -> None:
        org_names = [str(n).lower() for n in orgs.org_names.tolist()]
        self.as_names = [str(n).lower() for n in orgs.as_names.tolist()]
        self.org_names = [org_names[o] if o >= 0 else "" for o in orgs.as_org.tolist()]
        self.numbers = [str(a) for a in orgs.asns.astype(np.int64).tolist()]
        self.number_text = "\n" + "\n".join(self.numbers) + "\n"
        self.number_starts = np.cumsum([1] + [len(n) + 1 for n in self.numbers[:-1]], dtype=np.int64) \
            if self.numbers else np.zeros(0, np.int64)
        rows = [f"{a}\t{o}\n" for a, o in zip(self.as_names, self.org_names, strict=True)]
        self.text = "".join(rows)
        self.starts = np.cumsum([0] + [len(r) for r in rows[:-1]], dtype=np.int64) if rows else np.zeros(0, np.int64)

    def numbers_starting(self, digits: str, limit: int) -> list[int]:
        """Rows whose AS number is ``digits`` first, then those whose number starts with them, in table order."""
        number = digits.lstrip("0") or "0"  # as text: a 5,000-digit query is no int to parse
        exact: list[int] = []
        at = self.number_text.find(f"\n{number}\n")
        while at >= 0:
            exact.append(int(np.searchsorted(self.number_starts, at + 1, side="right")) - 1)
            at = self.number_text.find(f"\n{number}\n", at + 1)
        picked = exact[:limit]
        at = self.number_text.find("\n" + digits)
        while at >= 0 and len(picked) < limit:
            row = int(np.searchsorted(self.number_starts, at + 1, side="right")) - 1
            if row not in exact:
                picked.append(row)
            at = self.number_text.find("\n" + digits, at + 1)
        return picked

    def rows_containing(self, needle: str, limit: int) -> list[int]:
        """Rows whose AS name or organization name contains ``needle`` (lower case), in table order."""
        if not needle or "\t" in needle or "\n" in needle:  # cannot be found inside one name
            return [i for i, (a, o) in enumerate(zip(self.as_names, self.org_names, strict=True))
                    if needle in a or needle in o][:limit]
        picked: list[int] = []
        at = self.text.find(needle)
        while at >= 0 and len(picked) < limit:
            row = int(np.searchsorted(self.starts, at, side="right")) - 1
            if not picked or picked[-1] != row:
                picked.append(row)
            at = self.text.find(needle, at + 1)
        return picked


# by the table's identity (tables hold arrays: no hash); an entry goes when its table does
_INDEXES: dict[int, tuple[weakref.ref[OrgTable], _NameIndex]] = {}
_INDEX_LOCK = threading.Lock()


def _name_index(orgs: OrgTable) -> _NameIndex:
    with _INDEX_LOCK:  # one build per table, however many searches ask at once
        entry = _INDEXES.get(id(orgs))
        if entry is not None and entry[0]() is orgs:
            return entry[1]
        index = _NameIndex(orgs)
        key = id(orgs)
        _INDEXES[key] = (weakref.ref(orgs, lambda _: _INDEXES.pop(key, None)), index)
        return index


def as_search(query: str, *, snapshot: Snapshot | None = None, date: str | None = None, limit: int = 20,
              uses: DatasetChoices | None = None) -> AsSearch:
    """ASes whose number starts with, or whose name contains, ``query`` (case-insensitive); exact number first."""
    text = query.strip()
    if not text:
        raise ParameterError("the query is empty; expected part of an AS name or number")
    snapshot = snapshot_for(date, snapshot, uses=uses)
    orgs = snapshot.orgs()
    index = _name_index(orgs)
    needle = text.upper().removeprefix("AS") if text.upper().startswith("AS") and text[2:].isdigit() else text
    picked: list[int]
    if needle.isdigit():
        picked = index.numbers_starting(needle, limit)
    else:
        picked = index.rows_containing(needle.lower(), limit)
    found = orgs.asns[np.asarray(picked, dtype=np.int64)]
    results = [{"asn": int(a), "name": str(n), "country": str(c)}
               for a, n, c in zip(found, orgs.names(found), orgs.countries(found), strict=True)]
    return AsSearch(text, date, results)
