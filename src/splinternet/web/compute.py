"""The computations behind every endpoint: one library call each, returning the CLI's ``--json`` shape.

The AS graph, organizations and prefix-to-AS tables of a date are loaded once and shared by
later requests (:class:`SnapshotPool`); each request still gets its own :class:`Snapshot`, so
its notes and provenance are its own.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import api
from ..cli.output import to_jsonable
from ..config import Settings
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import Snapshot

__all__ = ["Blocking", "SnapshotPool", "as_profile", "as_search", "blocking", "diff", "ip", "transit", "whatif"]

class SnapshotPool:
    """Big tables per (date, prefixes date), kept for the last ``keep`` dates asked."""

    def __init__(self, settings: Settings, keep: int = 3) -> None:
        self.settings = settings
        self.keep = keep
        self._tables: OrderedDict[tuple[str | None, str | None], dict[str, tuple[Any, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def snapshot(self, date: str | None, prefixes_date: str | None, progress: Progress = NO_PROGRESS) -> Snapshot:
        snap = Snapshot.for_date(date, settings=self.settings, prefixes_date=prefixes_date, progress=progress)
        with self._lock:
            snap.adopt_tables(self._tables.get((date, prefixes_date), {}))
        return snap

    def keep_tables(self, date: str | None, prefixes_date: str | None, snap: Snapshot) -> None:
        """Remember the big tables ``snap`` loaded, for the next request of the same dates."""
        found = snap.date_wide_tables()
        with self._lock:
            key = (date, prefixes_date)
            self._tables.setdefault(key, {}).update(found)
            self._tables.move_to_end(key)
            while len(self._tables) > self.keep:
                self._tables.popitem(last=False)


def _options(top: int, view: str = "address", weight: str = "space") -> api.TransitOptions:
    return api.TransitOptions(view=view, weighting=weight, top=top)


def transit(pool: SnapshotPool, cc: str, date: str, prefixes_date: str | None, *, top: int = 20,
            view: str = "address", weight: str = "space", progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    snap = pool.snapshot(date, prefixes_date, progress)
    try:
        report = api.transit(cc, date, options=_options(top, view, weight), snapshot=snap, progress=progress)
    finally:
        pool.keep_tables(date, prefixes_date, snap)
    return to_jsonable(report)


def whatif(pool: SnapshotPool, cc: str, date: str, prefixes_date: str | None, without: list[int], *,
           links_only: bool = False, top: int = 15, progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    snap = pool.snapshot(date, prefixes_date, progress)
    try:
        report = api.whatif(cc, date, without, links_only=links_only, options=_options(top), snapshot=snap,
                            progress=progress)
    finally:
        pool.keep_tables(date, prefixes_date, snap)
    return to_jsonable(report)


def diff(settings: Settings, cc: str, date_from: str, date_to: str, prefixes_date: str | None, *, top: int = 15,
         progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    report = api.diff(cc, date_from, date_to, options=_options(top), prefixes_date=prefixes_date, settings=settings,
                      progress=progress)
    return to_jsonable(report)


def as_profile(pool: SnapshotPool, asn: int, date: str | None, progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    from ..analysis.profile import profile_as

    snap = pool.snapshot(date, None, progress)
    try:
        profile = profile_as(asn, snap.graph(), snap.orgs())
    finally:
        pool.keep_tables(date, None, snap)
    return to_jsonable({**profile.to_dict(), "sources": snap.provenance()})


def ip(pool: SnapshotPool, address: str, date: str | None, prefixes_date: str | None,
       progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    snap = pool.snapshot(date, prefixes_date, progress)
    try:
        info = api.ip_lookup(address, snapshot=snap)
    finally:
        pool.keep_tables(date, prefixes_date, snap)
    return to_jsonable(info)


def as_search(pool: SnapshotPool, query: str, date: str | None, *, limit: int = 20) -> list[dict[str, Any]]:
    """ASes whose number starts with, or whose name contains, ``query`` (case-insensitive); exact number first."""
    snap = pool.snapshot(date, None)
    try:
        orgs = snap.orgs()
    finally:
        pool.keep_tables(date, None, snap)
    text = query.strip().upper().removeprefix("AS") if query.strip().upper().startswith("AS") and \
        query.strip()[2:].isdigit() else query.strip()
    if text.isdigit():
        numbers = orgs.asns.astype(np.int64)
        exact = numbers == int(text)
        starts = np.char.startswith(numbers.astype(str), text)
        pick = np.concatenate((np.flatnonzero(exact), np.flatnonzero(starts & ~exact)))[:limit]
    else:
        names = np.char.lower(orgs.as_names.astype(str))
        org_names = orgs.org_names.astype(str)[np.maximum(orgs.as_org, 0)]
        org_names = np.where(orgs.as_org >= 0, np.char.lower(org_names), "")
        needle = text.lower()
        hit = (np.char.find(names, needle) >= 0) | (np.char.find(org_names, needle) >= 0)
        pick = np.flatnonzero(hit)[:limit]
    found = orgs.asns[pick]
    return [{"asn": int(a), "name": str(n), "country": str(c)}
            for a, n, c in zip(found, orgs.names(found), orgs.countries(found), strict=True)]


@dataclass(frozen=True)
class Blocking:
    """A register to analyse: where it is on disk, the name to show for it, and how to read it."""

    path: Path
    shown_as: str
    date: str | None
    kind: str = "auto"
    strict: bool = False
    resolutions: Path | None = None
    resolutions_shown: str | None = None


def _renamed(exc: Any, path: Path, shown: str) -> Exception:
    """The same input error, naming the file as the user knows it (the server's paths stay private)."""
    from ..errors import InputError

    problem = str(exc.problem).replace(str(path), shown)
    return InputError(shown, problem, line=exc.line, offset=exc.offset, expected=exc.expected)


def blocking(settings: Settings, job: Blocking, cloud_dir: Path | None, *, top: int = 20,
             progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    """The blocking report of one register; input errors name the register as the user knows it."""
    import datetime as dt

    from ..analysis.blocking import analyze_blocking
    from ..errors import InputError
    from ..sources.registry import load_register
    from ..sources.registry_attribution import load_attribution

    progress.start("reading the register", 3)
    try:
        reg = load_register(job.path, strict=job.strict, kind=job.kind)
    except InputError as exc:
        raise _renamed(exc, job.path, job.shown_as) from None
    res = None
    if job.resolutions is not None:
        from ..sources.resolutions import load_resolutions

        shown = job.resolutions_shown or job.resolutions.name
        try:
            res = load_resolutions(job.resolutions, strict=job.strict)
        except InputError as exc:
            raise _renamed(exc, job.resolutions, shown) from None
    progress.advance(1)
    progress.start("loading prefix-to-AS, organizations and cloud ranges", 3)
    if job.date:
        target = dt.date.fromisoformat(job.date)
    elif reg.updated is not None:
        target = reg.updated.date()
    else:
        target = dt.datetime.now(dt.UTC).date()
    attribution = load_attribution(target, cloud=cloud_dir, settings=settings)
    progress.advance(1)
    report = analyze_blocking(reg, attribution, res, top=top)
    out = to_jsonable(report)
    if res is not None:
        from .collateral import addresses_with_unrelated

        out["collateral"]["addresses"] = addresses_with_unrelated(reg, res, top=top)
    progress.advance(1)
    # the server's own paths (data directory, upload spool) are not the user's business: show the name they gave
    text = json.dumps(out).replace(json.dumps(str(job.path))[1:-1], json.dumps(job.shown_as)[1:-1])
    if job.resolutions is not None:
        text = text.replace(json.dumps(str(job.resolutions))[1:-1],
                            json.dumps(job.resolutions_shown or job.resolutions.name)[1:-1])
    out = json.loads(text)
    out["register"] = {**out.get("register", {}), "shown_as": job.shown_as}
    return out
