"""The attribution data a blocking report needs, chosen by date, with the provenance of each file.

Prefix-to-AS (IPv4 and IPv6), AS organizations and cloud ranges come through the
catalog for the requested date; a file given by the caller overrides the catalog for
that dataset. When the catalog has no release at or near the date, the nearest one it
names is used and the distance in days is recorded; when it names none, the dataset is
listed as missing with the reason, and the report says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import BadRecords, DataNotFoundError, DownloadError, InputDamage
from .asorg import OrgTable, load_as_orgs
from .catalog import fetch_release
from .cloud_attribution import CloudSpace, load_cloud_space
from .origins import OriginTable, origins_from_mrt, origins_from_pfx2as
from .pfx2as import load_pfx2as

__all__ = ["UsedRelease", "AttributionData", "load_attribution", "file_release"]


@dataclass(frozen=True)
class UsedRelease:
    """One file an analysis used: dataset, its own date, where it is, its sha256, distance to the target."""

    dataset: str
    release_date: dt.date | None
    path: str
    sha256: str
    url: str | None
    days_from_target: int | None
    note: str = ""
    # what loading the file skipped; None if it was not read through a bad-record policy
    bad_records: InputDamage | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "path": self.path,
            "sha256": self.sha256,
            "url": self.url,
            "days_from_target": self.days_from_target,
            "note": self.note,
            "bad_records": self.bad_records.to_dict() if self.bad_records is not None else None,
        }


@dataclass(frozen=True)
class AttributionData:
    """Loaded attribution tables (None where unavailable) and what was used or missing."""

    target: dt.date
    origins: tuple[OriginTable, ...]
    orgs: OrgTable | None
    cloud: CloudSpace | None
    releases: tuple[UsedRelease, ...]
    missing: tuple[str, ...]

    def origin_table(self, version: int) -> OriginTable | None:
        """The first prefix -> origin table that covers this address family."""
        return next((t for t in self.origins if t.has(version)), None)

    def damage_notes(self) -> list[str]:
        """One note per file whose loading skipped records."""
        return [note for r in self.releases if r.bad_records is not None and (note := r.bad_records.note())]

    def to_dict(self) -> dict[str, Any]:
        return {"target_date": self.target.isoformat(), "releases": [r.to_dict() for r in self.releases],
                "missing": list(self.missing)}


_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def file_release(dataset: str, path: str | os.PathLike[str], target: dt.date, note: str = "",
                 day: dt.date | None = None) -> UsedRelease:
    """Provenance of a file given by the caller; its date is read from its name unless given."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_file():
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    match = _DATE_IN_NAME.search(path.name)
    if day is None and match:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            day = None
    days = (day - target).days if day else None
    return UsedRelease(dataset, day, str(path), digest.hexdigest() if path.is_file() else "", None, days,
                       note or "given on the command line")


def _from_catalog(dataset: str, target: dt.date, settings: Settings) -> tuple[Path | None, UsedRelease | None, str]:
    """Fetch the release for ``target``, or the nearest one the catalog names; else say why not."""
    try:
        rel = fetch_release(dataset, target.isoformat(), settings=settings)
    except DataNotFoundError as exc:
        nearest = sorted(exc.nearest, key=lambda d: abs((dt.date.fromisoformat(d[:10]) - target).days))
        if not nearest:
            return None, None, f"{dataset}: {exc}"
        try:
            rel = fetch_release(dataset, nearest[0][:10], settings=settings)
        except (DataNotFoundError, DownloadError) as again:
            return None, None, f"{dataset}: {exc}; nearest {nearest[0]} failed too: {again}"
    except DownloadError as exc:
        return None, None, f"{dataset}: {exc}"
    days = (rel.release_date - target).days
    note = rel.note or (f"release is {abs(days)} days {'after' if days > 0 else 'before'} the target date"
                        if days else "")
    used = UsedRelease(dataset, rel.release_date, str(rel.path), rel.file.sha256, rel.url, days, note)
    return Path(rel.path), used, ""


def _damage_of(bad: BadRecords, path: str) -> InputDamage | None:
    """What loading ``path`` skipped (a member of a tarball is keyed ``tarball:member``)."""
    found = bad.files.get(path)
    if found is None:
        found = next((d for key, d in bad.files.items() if key.startswith(path + ":")), None)
    return found


def load_attribution(
    target: dt.date,
    *,
    pfx2as: list[str | os.PathLike[str]] | None = None,
    rib: list[str | os.PathLike[str]] | None = None,
    asorg: str | os.PathLike[str] | None = None,
    cloud: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    use_catalog: bool = True,
    bad: BadRecords | None = None,
) -> AttributionData:
    """Load prefix-to-AS, AS organizations and cloud ranges for ``target`` (files override the catalog).

    ``rib`` gives MRT files (RIB dumps or updates) whose routes are used instead of pfx2as.
    ``bad`` is the skip-or-stop policy for bad records (by default ``settings.bad_records()``);
    each release used carries what loading it skipped (``UsedRelease.bad_records``).
    """
    settings = settings or Settings.from_env()
    bad = bad if bad is not None else settings.bad_records()
    releases: list[UsedRelease] = []
    missing: list[str] = []
    tables: list[OriginTable] = []
    if rib:
        for item in rib:
            tables.append(origins_from_mrt(item))
            releases.append(file_release("mrt-routes", item, target))
    if pfx2as:
        for item in pfx2as:
            tables.append(origins_from_pfx2as(load_pfx2as(item, bad=bad)))
            releases.append(file_release("pfx2as", item, target))
    elif use_catalog and not rib:
        for dataset in ("routeviews-pfx2as", "routeviews-pfx2as6"):
            path, used, why = _from_catalog(dataset, target, settings)
            if path is None:
                missing.append(why)
                continue
            tables.append(origins_from_pfx2as(load_pfx2as(path, bad=bad)))
            releases.append(used)  # type: ignore[arg-type]
    orgs = None
    if asorg is not None:
        orgs = load_as_orgs(asorg, bad=bad)
        releases.append(file_release("as-org", asorg, target))
    elif use_catalog:
        path, used, why = _from_catalog("caida-asorg", target, settings)
        if path is None:
            missing.append(why)
        else:
            orgs = load_as_orgs(path, bad=bad)
            releases.append(used)  # type: ignore[arg-type]
    cloud_space = None
    if cloud is not None:
        cloud_space, used_files = load_cloud_space(cloud, target, bad=bad)
        releases.extend(file_release(name, p, target, note or "given on the command line", day)
                        for name, p, day, note in used_files)
    else:
        missing.append("cloud ranges: none given (--cloud FILE|DIR; AWS history tarballs or a dated directory)")
    releases = [replace(r, bad_records=_damage_of(bad, r.path)) for r in releases]
    return AttributionData(target, tuple(tables), orgs, cloud_space, tuple(releases), tuple(missing))
