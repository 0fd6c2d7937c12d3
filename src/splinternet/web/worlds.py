"""The world datasets a server was given: which dates have one, and their figures kept in memory.

The directories are scanned when the app starts and again at most every ``rescan_s``
seconds when a page asks (a world run still writing, or a new date added, shows up
without a restart). Figures read from a dataset are kept under its manifest's size and
time, so a dataset that grows is read again and one that does not is read once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .. import api
from ..report.jsonable import to_jsonable

__all__ = ["WorldCatalog"]

T = TypeVar("T")


class WorldCatalog:
    """World datasets by date, and a small memory of what was read from them."""

    def __init__(self, roots: tuple[Path, ...], *, rescan_s: float = 10.0, entries: int = 256) -> None:
        self.roots = roots
        self.rescan_s = rescan_s
        self.entries = entries
        self._lock = threading.Lock()
        self._by_date: dict[str, api.WorldDataset] = {}
        self._scanned = 0.0
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        if roots:
            self._scan()

    def _scan(self) -> None:
        found = api.find_worlds(list(self.roots))
        with self._lock:
            self._by_date = {d.date: d for d in found}
            self._scanned = time.monotonic()

    def _fresh(self) -> dict[str, api.WorldDataset]:
        if self.roots and time.monotonic() - self._scanned > self.rescan_s:
            try:
                self._scan()
            except Exception:  # noqa: BLE001 - a dataset being rewritten: keep serving what was found last
                with self._lock:
                    self._scanned = time.monotonic()
        with self._lock:
            return dict(self._by_date)

    def dates(self) -> list[str]:
        """Dates that have a world dataset, oldest first."""
        return sorted(self._fresh())

    def get(self, date: str | None) -> api.WorldDataset | None:
        """The dataset of ``date`` (the newest when None), or None."""
        found = self._fresh()
        if not found:
            return None
        return found.get(date or max(found))

    def datasets(self) -> list[api.WorldDataset]:
        found = self._fresh()
        return [found[d] for d in sorted(found)]

    def memo(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """``build()`` once per key (keys include a dataset's stamp), the last ``entries`` kept."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = build()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > self.entries:
                self._memo.popitem(last=False)
        return value

    def indices(self, ds: api.WorldDataset) -> list[dict[str, Any]]:
        """Every country's map indices in ``ds`` (as JSON values)."""
        return self.memo(("indices", str(ds.path), ds.stamp),
                         lambda: [dict(to_jsonable(row)) for row in api.world_indices(ds.path)])

    def table(self, ds: api.WorldDataset, cc: str, table: str) -> dict[str, list[Any]]:
        """One country's table of ``ds`` as columns."""
        return self.memo(("table", str(ds.path), ds.stamp, cc, table), lambda: api.world_table(ds.path, cc, table))

    def report(self, ds: api.WorldDataset, cc: str, top: int = 25) -> dict[str, Any]:
        """The transit report of ``cc`` in ``ds`` (the shape ``transit --json`` prints)."""
        return self.memo(("report", str(ds.path), ds.stamp, cc, top),
                         lambda: dict(to_jsonable(api.world_country(ds.path, cc, top=top))))

    def timeline(self, cc: str, top: int = 5) -> api.WorldTimeline:
        """``cc``'s largest providers across every dataset's date."""
        datasets = self.datasets()
        key = ("timeline", cc, top, tuple((str(d.path), d.stamp) for d in datasets))
        return self.memo(key, lambda: api.world_timeline(datasets, cc, top=top))
