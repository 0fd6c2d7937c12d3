"""Pick and read the cloud range files for a date: one file, a dated directory, or AWS history.

* a ``YYYY.tar.gz`` AWS history tarball, or a directory of them: the ``ip-ranges.json``
  version current at the date (the newest published at or before it; the earliest one
  if the date precedes them all, with the distance said);
* a directory of provider files (``samples/cloud/2022-03-15``): every file in it;
* any single file :func:`.cloud.load_cloud_file` reads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import numpy as np

from ..errors import BadRecords, InputError
from .cloud import (
    CloudRanges,
    aws_history_versions,
    load_aws_history_member,
    load_cloud_file,
    load_cloud_files,
)
from .cloud_attribution import CloudSpace

__all__ = ["cloud_space_from_path", "pick_aws_version"]

_YEAR_TAR = re.compile(r"^(\d{4})\.tar(\.gz|\.bz2|\.xz)?$")

Used = tuple[str, str, dt.date | None, str]  # (dataset, file, release date, note)


def _is_tar(path: Path) -> bool:
    return path.is_file() and (".tar" in path.name)


def pick_aws_version(tarballs: list[Path], target: dt.date) -> tuple[Path, str, dt.datetime, str]:
    """(tarball, member, publication time, note) of the AWS version current at ``target``."""
    end_of_day = dt.datetime(target.year, target.month, target.day, 23, 59, 59, tzinfo=dt.UTC)
    years = {tar: int(m.group(1)) for tar in tarballs if (m := _YEAR_TAR.match(tar.name))}
    if len(years) == len(tarballs) > 1:  # listing a tarball decompresses it: read only the years needed
        earlier = sorted((t for t in tarballs if years[t] <= target.year), key=years.__getitem__, reverse=True)
        for tar in earlier:
            found = [(stamp, tar, member) for stamp, member in aws_history_versions(tar) if stamp <= end_of_day]
            if found:
                stamp, tar, member = max(found)
                days = (target - stamp.date()).days
                return tar, member, stamp, (f"AWS version published {stamp:%Y-%m-%d %H:%M}, current at the "
                                            f"target date ({days} days old)")
        tarballs = [min(tarballs, key=years.__getitem__)]
    versions = [(stamp, tar, member) for tar in tarballs for stamp, member in aws_history_versions(tar)]
    if not versions:
        raise InputError(tarballs[0], "no AWS ip-ranges versions found", expected="YYYY-MM-DD-HH-MM-SS.json members")
    versions.sort()
    before = [v for v in versions if v[0] <= end_of_day]
    if before:
        stamp, tar, member = before[-1]
        days = (target - stamp.date()).days
        note = f"AWS version published {stamp:%Y-%m-%d %H:%M}, current at the target date ({days} days old)"
    else:
        stamp, tar, member = versions[0]
        days = (stamp.date() - target).days
        note = f"no AWS version at or before the target date; used the earliest, {days} days later"
    return tar, member, stamp, note


def _space(ranges: CloudRanges) -> CloudSpace:
    def names(table: tuple[str, ...], codes: np.ndarray) -> list[str]:
        return [table[c] for c in codes.tolist()]

    prov, serv, reg = (names(ranges.providers, ranges.provider), names(ranges.services, ranges.service),
                       names(ranges.regions, ranges.region))
    return CloudSpace.from_columns(prov, serv, reg, ranges.version, ranges.hi, ranges.lo,
                                   ranges.length)


def cloud_space_from_path(path: str | os.PathLike[str], target: dt.date,
                          bad: BadRecords | None = None) -> tuple[CloudSpace, list[Used]]:
    """Cloud ranges current at ``target`` from a file or directory, and what was used."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found", expected="a cloud range file, a directory of them, or AWS history")
    tarballs = [path] if _is_tar(path) else (sorted(p for p in path.iterdir() if _YEAR_TAR.match(p.name))
                                             if path.is_dir() else [])
    if tarballs:
        tar, member, stamp, note = pick_aws_version(tarballs, target)
        ranges = load_aws_history_member(tar, member, bad=bad)
        return _space(ranges), [("cloud:aws-history", str(tar), stamp.date(), f"{member}: {note}")]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(path, "directory holds no files", expected="cloud range files")
        ranges = load_cloud_files(files, bad=bad)
        day = _dir_date(path)
        return _space(ranges), [("cloud:" + f.name, str(f), day, "") for f in files]
    ranges = load_cloud_file(path, bad=bad)
    return _space(ranges), [("cloud:" + path.name, str(path), _dir_date(path.parent), "")]


def _dir_date(path: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(path.name)
    except ValueError:
        return None
