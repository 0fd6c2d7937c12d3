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

from .. import api
from ..api import Snapshot
from ..config import Settings
from ..errors import InputError
from ..progress import NO_PROGRESS, Progress
from ..report.jsonable import to_jsonable

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
    return api.TransitOptions(view=api.MembershipView(view), weighting=api.Weighting(weight), top=top)


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
    snap = pool.snapshot(date, None, progress)
    try:
        profile = api.as_profile(asn, snapshot=snap)
    finally:
        pool.keep_tables(date, None, snap)
    return to_jsonable(profile)


def ip(pool: SnapshotPool, address: str, date: str | None, prefixes_date: str | None,
       progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    snap = pool.snapshot(date, prefixes_date, progress)
    try:
        info = api.ip_lookup(address, snapshot=snap)
    finally:
        pool.keep_tables(date, prefixes_date, snap)
    return to_jsonable(info)


def as_search(pool: SnapshotPool, query: str, date: str | None, *, limit: int = 20) -> dict[str, Any]:
    """ASes whose number starts with, or whose name contains, ``query``; exact number first."""
    snap = pool.snapshot(date, None)
    try:
        found = api.as_search(query, snapshot=snap, date=date, limit=limit)
    finally:
        pool.keep_tables(date, None, snap)
    return to_jsonable(found)


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


def _renamed(exc: InputError, path: Path, shown: str) -> InputError:
    """The same input error, naming the file as the user knows it (the server's paths stay private)."""
    problem = str(exc.problem).replace(str(path), shown)
    return InputError(shown, problem, line=exc.line, offset=exc.offset, expected=exc.expected)


def blocking(settings: Settings, job: Blocking, cloud_dir: Path | None, *, top: int = 20,
             progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    """The blocking report of one register; input errors name the register as the user knows it."""
    options = api.BlockingOptions(date=job.date, kind=api.params.register_kind(job.kind), strict=job.strict,
                                  files=api.AttributionFiles(cloud=cloud_dir), top=top)
    progress.start("reading the register", 3)
    try:
        reg = api.blocking.load_registers(job.path, options)
    except InputError as exc:
        raise _renamed(exc, job.path, job.shown_as) from None
    res = None
    if job.resolutions is not None:
        shown = job.resolutions_shown or job.resolutions.name
        try:
            res = api.blocking.read_resolutions(job.resolutions, strict=job.strict)
        except InputError as exc:
            raise _renamed(exc, job.resolutions, shown) from None
    progress.advance(1)
    out: dict[str, Any] = to_jsonable(api.blocking_report(reg, options, resolutions=res, settings=settings,
                                                          progress=progress))
    # the server's own paths (data directory, upload spool) are not the user's business: show the name they gave
    text = json.dumps(out).replace(json.dumps(str(job.path))[1:-1], json.dumps(job.shown_as)[1:-1])
    if job.resolutions is not None:
        text = text.replace(json.dumps(str(job.resolutions))[1:-1],
                            json.dumps(job.resolutions_shown or job.resolutions.name)[1:-1])
    out = json.loads(text)
    out["register"] = {**out.get("register", {}), "shown_as": job.shown_as}
    return out
