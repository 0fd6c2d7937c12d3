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
from ..config import DecompressionLimits, Settings
from ..errors import InputError
from ..progress import NO_PROGRESS, Progress
from ..report.jsonable import to_jsonable
from .jobs import Busy

__all__ = ["Blocking", "FULL_TOP", "SearchCache", "SnapshotPool", "as_profile", "blocking", "diff", "ip",
           "transit", "whatif"]

# Rankings are computed this deep once; a request's ``top`` only cuts the rows shown
# (web/cut.py), so 200 ``top=`` variants are one computation, not 200.
FULL_TOP = 200


class SnapshotPool:
    """Big tables per (date, prefixes date), kept for the last ``keep`` dates asked."""

    def __init__(self, settings: Settings, keep: int = 3) -> None:
        self.settings = settings
        self.keep = keep
        self._tables: OrderedDict[tuple[str | None, str | None], dict[str, tuple[Any, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[str | None, str | None], threading.Lock] = {}

    def loading(self, date: str | None, prefixes_date: str | None) -> threading.Lock:
        """The lock held while the tables of these dates are first loaded: one load, shared by all who wait."""
        with self._lock:
            return self._loading.setdefault((date, prefixes_date), threading.Lock())

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


def _options(top: int, view: str = "address", weight: str = "ipv4", by: str = "as") -> api.TransitOptions:
    return api.TransitOptions(view=api.MembershipView(view), weighting=api.Weighting(weight), top=top,
                              by=api.Grouping(by))


def transit(pool: SnapshotPool, cc: str, date: str, prefixes_date: str | None, *, top: int = 20,
            view: str = "address", weight: str = "ipv4", by: str = "as",
            progress: Progress = NO_PROGRESS) -> dict[str, Any]:
    snap = pool.snapshot(date, prefixes_date, progress)
    try:
        report = api.transit(cc, date, options=_options(top, view, weight, by), snapshot=snap, progress=progress)
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


class SearchCache:
    """AS searches: answered from memory when asked before, at most ``concurrent`` computed at once,
    and the organization table of a date loaded by one of them while the others wait."""

    def __init__(self, concurrent: int, entries: int = 2048, wait_s: float = 20.0) -> None:
        self._slots = threading.BoundedSemaphore(max(concurrent, 1))
        self._same = [threading.Lock() for _ in range(64)]  # the same search asked at once is computed once
        self._answers: OrderedDict[tuple[str | None, str, int], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.entries = entries
        self.wait_s = wait_s
        self.computed = 0

    def _cached(self, key: tuple[str | None, str, int]) -> dict[str, Any] | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def search(self, pool: SnapshotPool, query: str, date: str | None, *, limit: int = 20) -> dict[str, Any]:
        """ASes whose number starts with, or whose name contains, ``query``; exact number first."""
        key = (date, query, limit)
        found = self._cached(key)
        if found is not None:
            return found
        same = self._same[hash(key) % len(self._same)]
        if not same.acquire(timeout=self.wait_s):
            raise Busy(f"AS searches are queued for more than {self.wait_s:g} s; try again shortly")
        try:
            found = self._cached(key)  # the same search, asked just before, may have answered it
            if found is None:
                found = self._compute(pool, key, query, date, limit)
        finally:
            same.release()
        return found

    def _compute(self, pool: SnapshotPool, key: tuple[str | None, str, int], query: str, date: str | None,
                 limit: int) -> dict[str, Any]:
        if not self._slots.acquire(timeout=self.wait_s):
            raise Busy(f"AS searches are queued for more than {self.wait_s:g} s; try again shortly")
        try:
            with pool.loading(date, None):  # the first search of a date loads its table; the others adopt it
                snap = pool.snapshot(date, None)
                try:
                    snap.orgs()
                finally:
                    pool.keep_tables(date, None, snap)
            answer = api.as_search(query, snapshot=snap, date=date, limit=limit)
        finally:
            self._slots.release()
        found = dict(to_jsonable(answer))
        with self._lock:
            self.computed += 1
            self._answers[key] = found
            while len(self._answers) > self.entries:
                self._answers.popitem(last=False)
        return found


@dataclass(frozen=True)
class Blocking:
    """A register to analyse: where it is on disk, the name to show for it, how to read and attribute it.

    ``pfx2as``, ``asorg`` and ``cloud`` are uploaded attribution files (``cloud``: one file
    or a folder of them) that replace the catalog's and the server's own for this request;
    ``shown`` maps each uploaded path to the name its sender knows it by.
    """

    path: Path
    shown_as: str
    date: str | None
    kind: str = "auto"
    strict: bool = False
    resolutions: Path | None = None
    resolutions_shown: str | None = None
    uploaded: bool = False              # the register came from a request: the upload limits apply
    resolutions_uploaded: bool = False
    pfx2as: tuple[Path, ...] = ()
    asorg: Path | None = None
    cloud: Path | None = None
    shown: tuple[tuple[Path, str], ...] = ()

    def private_paths(self) -> list[tuple[str, str]]:
        """(server path, name shown) of every input, longest path first (a folder's path starts its files')."""
        pairs = [(str(self.path), self.shown_as), *((str(p), name) for p, name in self.shown)]
        if self.resolutions is not None:
            pairs.append((str(self.resolutions), self.resolutions_shown or self.resolutions.name))
        return sorted(pairs, key=lambda pair: -len(pair[0]))


def _hide_paths(text: str, pairs: list[tuple[str, str]]) -> str:
    for path, shown in pairs:
        text = text.replace(path, shown)
    return text


def _renamed(exc: InputError, pairs: list[tuple[str, str]]) -> InputError:
    """The same input error (same kind and code), naming files as the user knows them: the server's paths stay private.

    Built without calling the error's own constructor, whose arguments differ by kind.
    """
    renamed = type(exc).__new__(type(exc))
    renamed.__dict__.update(exc.__dict__)
    renamed.path = _hide_paths(exc.path, pairs)
    renamed.problem = _hide_paths(str(exc.problem), pairs)
    Exception.__init__(renamed, renamed._format())
    return renamed


def blocking(settings: Settings, job: Blocking, cloud_dir: Path | None, *, top: int = 20,
             progress: Progress = NO_PROGRESS, upload_limits: DecompressionLimits | None = None) -> dict[str, Any]:
    """The blocking report of one register; input errors name every file as the user knows it.

    Uploaded files expand at most as far as ``upload_limits`` allow (files of the data
    directory as far as the library's limits). Uploaded attribution files replace the
    catalog's (prefix-to-AS, AS organizations) and the server's cloud ranges.
    """
    files = api.AttributionFiles(pfx2as=job.pfx2as, asorg=job.asorg, cloud=job.cloud or cloud_dir)
    options = api.BlockingOptions(date=job.date, kind=api.params.register_kind(job.kind), strict=job.strict,
                                  files=files, top=top)
    pairs = job.private_paths()
    progress.start("reading the register", 3)
    try:
        reg = api.blocking.load_registers(job.path, options, limits=upload_limits if job.uploaded else None)
        res = None
        if job.resolutions is not None:
            res = api.blocking.read_resolutions(job.resolutions, strict=job.strict,
                                                limits=upload_limits if job.resolutions_uploaded else None)
        if upload_limits is not None:
            for path in (*job.pfx2as, *((job.asorg,) if job.asorg else ()), *((job.cloud,) if job.cloud else ())):
                api.blocking.check_expansion(path, upload_limits)
        progress.advance(1)
        report = api.blocking_report(reg, options, resolutions=res, settings=settings, progress=progress)
    except InputError as exc:
        raise _renamed(exc, pairs) from None
    # the server's own paths (data directory, upload spool) are not the user's business: show the names they gave
    text = json.dumps(to_jsonable(report))
    for path, shown in pairs:
        text = text.replace(json.dumps(path)[1:-1], json.dumps(shown)[1:-1])
    out: dict[str, Any] = json.loads(text)
    out["register"] = {**out.get("register", {}), "shown_as": job.shown_as}
    return out
