"""Reading world datasets back for a dashboard: which dates have one, a country's tables, a timeline across dates.

``build_world`` writes one directory per date (docs/world.md). A server or a notebook is
given one or several of them (or a directory holding several); :func:`find_worlds` says
which date each holds, :func:`world_table` gives one country's table as columns, and
:func:`world_timeline` follows the largest providers of a country across the dates, with the
changes a reader should notice (a provider appearing or leaving, a share jump).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError, UnknownCountryError
from ..sources.world_store import RUN_NAME, TABLES, WorldStore
from . import params

__all__ = ["JUMP", "WorldDataset", "WorldEvent", "WorldTimeline", "find_worlds", "world_table", "world_timeline"]

JUMP = 0.05  # a border share moving by this much (5 points) between two dates is an event
PRESENT = 0.01  # a provider "appears" or "leaves" when its border share crosses 1%


@dataclass(frozen=True)
class WorldDataset:
    """One world run on disk: its date, prefix-to-AS date, options, and the countries written."""

    path: Path
    date: str
    prefixes_date: str
    run: dict[str, Any]
    countries: tuple[str, ...]
    skipped: dict[str, str]
    stamp: tuple[int, int]  # (size, mtime_ns) of the manifest: changes when a run adds countries

    @property
    def quick(self) -> bool:
        """True when the run used only each country's largest origins (a quick look, not the full figures)."""
        return self.run.get("max_origins") is not None


def _read_dataset(path: Path) -> WorldDataset:
    store = WorldStore(path)
    run = store.run()
    records = store.records()
    try:
        stat = store.manifest.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = (0, 0)
    done = tuple(sorted(cc for cc, r in records.items() if r.get("status") == "done"))
    skipped = {cc: str(r.get("reason", "")) for cc, r in records.items() if r.get("status") == "skipped"}
    return WorldDataset(path=path, date=str(run.get("date", ""))[:10], prefixes_date=str(run.get("prefixes_date", ""))[:10],
                        run=run, countries=done, skipped=skipped, stamp=stamp)


def find_worlds(paths: Sequence[str | os.PathLike[str]]) -> list[WorldDataset]:
    """The world datasets in ``paths`` (each a dataset, or a directory of datasets one level down), by date.

    Two datasets of the same date are refused: which one a page shows must not depend on
    the order of a directory listing.
    """
    found: list[WorldDataset] = []
    for raw in paths:
        root = Path(raw).expanduser()
        if (root / RUN_NAME).is_file():
            found.append(_read_dataset(root))
            continue
        if not root.is_dir():
            raise ParameterError(f"{root}: not a directory; expected a world dataset (written by splinternet world) "
                                 "or a directory of them")
        inside = sorted(p for p in root.iterdir() if (p / RUN_NAME).is_file())
        if not inside:
            raise ParameterError(f"{root} holds no world dataset: no {RUN_NAME} in it or in its subdirectories")
        found.extend(_read_dataset(p) for p in inside)
    by_date: dict[str, WorldDataset] = {}
    for ds in found:
        if ds.date in by_date and by_date[ds.date].path.resolve() != ds.path.resolve():
            raise ParameterError(f"two world datasets for {ds.date}: {by_date[ds.date].path} and {ds.path}; "
                                 "give one per date")
        by_date[ds.date] = ds
    return [by_date[d] for d in sorted(by_date)]


def world_table(out: str | os.PathLike[str], cc: str, table: str) -> dict[str, list[Any]]:
    """One country's table of a world dataset as columns (``table`` one of the dataset's tables)."""
    if table not in TABLES:
        raise ParameterError(f"no world table {table!r}; expected one of {', '.join(TABLES)}")
    code = params.country_code(cc)
    store = WorldStore(Path(out))
    record = store.records().get(code)
    if record is None or record.get("status") != "done":
        raise UnknownCountryError(f"{code} is not in the world dataset {out}")
    if table not in record.get("files", {}):
        raise UnknownCountryError(f"the world dataset {out} has no {table} table for {code}")
    return store.read(table, code)


@dataclass(frozen=True)
class WorldEvent:
    """A change between two consecutive dates of a country's timeline."""

    date: str
    previous: str
    asn: int
    name: str
    kind: str  # "appears", "leaves", "jump"
    before: float | None
    after: float | None

    def text(self) -> str:
        before = "none" if self.before is None else f"{100 * self.before:.1f}%"
        after = "none" if self.after is None else f"{100 * self.after:.1f}%"
        verb = {"appears": "appears", "leaves": "leaves", "jump": "moves"}[self.kind]
        return f"AS{self.asn} {self.name} {verb}: border share {before} on {self.previous}, {after} on {self.date}"


@dataclass(frozen=True)
class WorldTimeline:
    """Border shares of a country's largest providers on every date a dataset holds the country."""

    cc: str
    dates: list[str]
    providers: list[dict[str, Any]]  # asn, name, shares (one per date; None where absent)
    events: list[WorldEvent] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # dates with a dataset that lacks the country

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def world_timeline(datasets: Sequence[WorldDataset], cc: str, *, top: int = 5) -> WorldTimeline:
    """The ``top`` providers (by their largest border share on any date) followed across ``datasets``.

    Events compare consecutive dates for every provider above 1% on either: "appears" and
    "leaves" when the share crosses 1%, "jump" when it moves by 5 points or more.
    """
    code = params.country_code(cc)
    dates: list[str] = []
    missing: list[str] = []
    shares: list[dict[int, float]] = []
    names: dict[int, str] = {}
    for ds in sorted(datasets, key=lambda d: d.date):
        if code not in ds.countries:
            missing.append(ds.date)
            continue
        table = world_table(ds.path, code, "providers")
        dates.append(ds.date)
        shares.append({int(a): float(s) for a, s in zip(table["asn"], table["border_share"], strict=True)
                       if s is not None and not math.isnan(s)})
        for a, n in zip(table["asn"], table["name"], strict=True):
            names.setdefault(int(a), str(n or ""))
    peak: dict[int, float] = {}
    for day in shares:
        for a, s in day.items():
            peak[a] = max(peak.get(a, 0.0), s)
    chosen = sorted(peak, key=lambda a: (-peak[a], a))[:top]
    providers = [{"asn": a, "name": names.get(a, ""), "shares": [day.get(a) for day in shares]} for a in chosen]
    events: list[WorldEvent] = []
    for i in range(1, len(shares)):
        before, after = shares[i - 1], shares[i]
        for a in sorted(set(before) | set(after)):
            b, n = before.get(a), after.get(a)
            low_b, low_n = (b or 0.0) < PRESENT, (n or 0.0) < PRESENT
            if low_b and low_n:
                continue
            kind = "appears" if low_b else "leaves" if low_n else "jump" if abs((n or 0) - (b or 0)) >= JUMP else ""
            if kind:
                events.append(WorldEvent(dates[i], dates[i - 1], a, names.get(a, ""), kind, b, n))
    events.sort(key=lambda e: (e.date, -abs((e.after or 0.0) - (e.before or 0.0)), e.asn))
    return WorldTimeline(cc=code, dates=dates, providers=providers, events=events, missing=missing)
